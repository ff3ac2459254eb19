import { cdfBandEpsilon, quantileBounds } from "../../stats/cdf-band.js";
import { parseNumberField } from "../config-parse.js";
import type { GateResult } from "../gate.js";
import { inconclusive, pairedN, pairingMetrics, type ShadowGate } from "./shadow-gate.js";

export interface ShadowLatencyConfig {
  /** quantile of the per-request difference judged; default 0.5 (the typical request) */
  quantile: number;
  /** tolerated increase at that quantile, as a share of the baseline's median latency; default 0.1 */
  maxIncreaseRatio: number;
  /** tolerated increase in ms; when given it replaces maxIncreaseRatio */
  maxIncreaseMs: number | undefined;
  /** paired latencies needed (and start of the CDF band); default 100 */
  minPairs: number;
}

const ms = (x: number) =>
  Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toPrecision(3);
const signedMs = (x: number) => `${x >= 0 ? "+" : ""}${ms(x)} ms`;

/**
 * Paired latency: quantiles of the per-request difference candidate − baseline (ms, any sign), from
 * the difference sketch. A paired difference removes what both versions share (payload size, node
 * load), so a small slowdown shows with fewer requests than comparing two latency distributions.
 * Anytime-valid bounds on the judged quantile of the difference come from the Howard–Ramdas uniform
 * CDF band (width ε_t at alpha, from t = minPairs on), read as order statistics of the sketch and
 * widened by its relative accuracy.
 * - fail: lower bound > tolerated increase (maxIncreaseMs, or maxIncreaseRatio × baseline median);
 * - pass: minPairs pairs and upper bound ≤ the tolerated increase;
 * - otherwise inconclusive. O(sketch buckets).
 */
export const shadowLatencyGate: ShadowGate<ShadowLatencyConfig> = {
  name: "latency",
  settings: ["minSamples", "quantile", "maxIncreaseRatio", "maxIncreaseMs", "minPairs"],
  parseConfig(raw) {
    const sharedMin = parseNumberField(raw, "minSamples", 100, { min: 1, integer: true });
    const absent = raw.maxIncreaseMs === undefined || raw.maxIncreaseMs === null || raw.maxIncreaseMs === "";
    return {
      quantile: parseNumberField(raw, "quantile", 0.5, { above: 0, below: 1 }),
      maxIncreaseRatio: parseNumberField(raw, "maxIncreaseRatio", 0.1, { min: 0 }),
      maxIncreaseMs: absent ? undefined : parseNumberField(raw, "maxIncreaseMs", 0, { min: 0 }),
      minPairs: parseNumberField(raw, "minPairs", sharedMin, { min: 1, integer: true }),
    };
  },
  evaluate({ paired, config, alpha }): GateResult {
    const s = paired.summary;
    const d = s.latencyDiff;
    const n = d.count;
    if (n < config.minPairs) {
      return inconclusive(
        "latency_diff",
        n,
        `${n} paired latencies, needs ${config.minPairs}`,
        pairingMetrics(paired),
      );
    }
    const q = config.quantile;
    const baselineMedian = s.baselineLatency.quantile(0.5);
    const threshold = config.maxIncreaseMs ?? config.maxIncreaseRatio * baselineMedian;
    const eps = cdfBandEpsilon(n, alpha, config.minPairs);
    const [lo, hi] = quantileBounds(d.buckets(), q, eps);
    // the sketch reports a bucket within a relative accuracy a of its members: widen outward
    const a = d.alpha;
    const widen = (x: number, down: boolean) => (x >= 0 === down ? x / (1 + a) : x / (1 - a));
    const interval: [number, number] = [widen(lo, true), widen(hi, false)];
    const value = d.quantile(q);
    const label = `p${Number((q * 100).toFixed(3))}`;
    const metrics = {
      ...pairingMetrics(paired),
      diffP50: d.quantile(0.5),
      diffP90: d.quantile(0.9),
      diffP95: d.quantile(0.95),
      diffP99: d.quantile(0.99),
      diffMean: d.sum / n,
      baselineP50: baselineMedian,
      candidateP50: s.candidateLatency.quantile(0.5),
      quantile: q,
      toleratedIncreaseMs: threshold,
      low: interval[0],
      high: interval[1],
    };
    const values = `${label} of the paired latency difference ${signedMs(value)} over ${n} requests (anytime-valid ${Number.isFinite(interval[0]) ? signedMs(interval[0]) : "−∞"} to ${Number.isFinite(interval[1]) ? signedMs(interval[1]) : "+∞"})`;
    const done = (verdict: GateResult["verdict"], reason: string): GateResult => ({
      verdict,
      metric: `latency_diff_${label}`,
      value,
      threshold,
      interval,
      n: pairedN(n),
      reason,
      metrics,
    });
    if (interval[0] > threshold)
      return done("fail", `${values}: slower than the tolerated +${ms(threshold)} ms`);
    if (interval[1] <= threshold) return done("pass", `${values}: within +${ms(threshold)} ms`);
    return done("inconclusive", `${values}: the interval still reaches above +${ms(threshold)} ms`);
  },
};
