import type { PairedWindow } from "../../shadow/pairing-index.js";
import { asymptoticCsHalfWidth } from "../../stats/asymptotic-cs.js";
import type { GateResult } from "../gate.js";

/**
 * A gate of shadow mode: it reads the paired summary of the two versions' answers to the same
 * requests instead of two independent cohorts. Same contract as Gate: pure, never throws for data
 * reasons (inconclusive with a reason), the judge gives it its share of alpha.
 */
export interface ShadowGateInput<C> {
  paired: PairedWindow;
  config: C;
  alpha: number;
}

export interface ShadowGate<C = Record<string, unknown>> {
  readonly name: string;
  /** every field parseConfig reads (see Gate.settings) */
  readonly settings: readonly string[];
  parseConfig(raw: Record<string, unknown>): C;
  evaluate(input: ShadowGateInput<C>): GateResult;
}

export type ShadowGateRegistry = Readonly<Record<string, ShadowGate<unknown>>>;

export type Interval = [number, number];

/**
 * Anytime-valid two-sided interval for the mean of per-pair values from their count n, mean and
 * second moment (the asymptotic confidence sequence of Waudby-Smith et al. 2023, as the canary gates
 * use). `floorVariance` keeps an all-zero sample (identical answers) from giving a zero-width interval
 * when the caller wants a Laplace-like guard; 0 trusts the data.
 */
export function meanInterval(
  n: number,
  mean: number,
  meanOfSquares: number,
  alpha: number,
  tuningN: number,
  floorVariance = 0,
): Interval {
  const variance = Math.max(floorVariance, ((meanOfSquares - mean * mean) * n) / Math.max(1, n - 1));
  const half = asymptoticCsHalfWidth(n, Math.max(0, variance), alpha, tuningN);
  return [mean - half, mean + half];
}

const f3 = (x: number) => x.toFixed(3);
export const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
export const signed = (x: number, fmt: (x: number) => string = f3) => (x >= 0 ? `+${fmt(x)}` : fmt(x));
export { f3 };

/** n of a paired gate: the paired requests behind the statistic, the same for both sides. */
export const pairedN = (n: number) => ({ baseline: n, candidate: n });

/** What every shadow gate reports about pairing coverage. */
export function pairingMetrics(p: PairedWindow): Record<string, number> {
  return {
    pairs: p.summary.pairs,
    unpairedBaseline: p.unpaired.baseline,
    unpairedCandidate: p.unpaired.candidate,
    pendingBaseline: p.pending.baseline,
    pendingCandidate: p.pending.candidate,
  };
}

export function inconclusive(
  metric: string,
  n: number,
  reason: string,
  metrics: GateResult["metrics"],
  threshold: number | null = null,
): GateResult {
  return {
    verdict: "inconclusive",
    metric,
    value: null,
    threshold,
    interval: null,
    n: pairedN(n),
    reason,
    metrics,
  };
}
