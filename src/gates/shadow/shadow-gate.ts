import type { PairedWindow } from "../../shadow/pairing-index.js";
import type { GateResult } from "../gate.js";
import type { Contrast, SequentialContext } from "../sequential.js";

/**
 * A gate of shadow mode: it reads the paired summary of the two versions' answers to the same
 * requests instead of two independent cohorts. Same contract as Gate: pure, never throws for data
 * reasons (inconclusive with a reason), the judge gives it its share of alpha and, when the request
 * declares a look schedule, the run's sequential context (else the bounds are anytime-valid only).
 */
export interface ShadowGateInput<C> {
  paired: PairedWindow;
  config: C;
  alpha: number;
  /** the run's declared look schedule, when the request declares one (else anytime-valid bounds) */
  sequential?: SequentialContext;
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
 * The mean of n per-pair values as a contrast for the shared decision engine (src/gates/sequential.ts):
 * estimate = sum/n, se² = s²/n with s² the sample variance of the values. A paired contrast's
 * variance is that of the per-request differences, so what both versions share (a hard case is hard
 * for both) cancels before it reaches the bound. s² is floored at range²/(n + 2), range the largest
 * magnitude one value can take: n identical answers (all differences 0) leave a rare difference of up
 * to ±range possible, at a rate of order 1/n, and must not read as certainty.
 */
export function pairedMean(n: number, sum: number, sumOfSquares: number, range: number): Contrast {
  const mean = sum / n;
  const variance = n > 1 ? Math.max(0, (sumOfSquares - n * mean * mean) / (n - 1)) : 0;
  return { estimate: mean, se: Math.sqrt(Math.max(variance, (range * range) / (n + 2)) / n) };
}

/**
 * A rate x/n as a contrast: se² = p̃(1 − p̃)/n with the Laplace-smoothed p̃ = (x + 1)/(n + 2) (as the
 * canary errors gate), so no event in n still has a width.
 */
export function pairedRate(x: number, n: number): Contrast {
  const smoothed = (x + 1) / (n + 2);
  return { estimate: x / n, se: Math.sqrt((smoothed * (1 - smoothed)) / n) };
}

/**
 * A rate x/n as a contrast for claims about its tolerance p₀ ("the rate exceeds p₀", "the rate is
 * within p₀"): se² = p₀(1 − p₀)/n, the variance at the boundary both claims are tested against (a
 * score test, as the canary errors gate). The observed rate's own variance would make a run whose
 * events came out few by chance look precise as well as low, and pass a rate sitting at p₀ more often
 * than alpha (a 5% flip rate passed in 6.8% of runs at alpha 5% with 10 declared looks over 100 …
 * 2,000 decisions, 4.0% with this variance: test/gates/shadow-boundary-validity.test.ts).
 * p₀ is kept inside [1/(n + 2), 1 − 1/(n + 2)] so a tolerance of 0 or 1 still has a width.
 */
export function rateAtTolerance(x: number, n: number, tolerance: number): Contrast {
  const edge = 1 / (n + 2);
  const p = Math.min(1 - edge, Math.max(edge, tolerance));
  return { estimate: x / n, se: Math.sqrt((p * (1 - p)) / n) };
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
