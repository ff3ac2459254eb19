import type { LatencySketch } from "../../sketch/latency-sketch.js";
import { parseNumberField } from "../config-parse.js";
import type { GateResult } from "../gate.js";
import { type Contrast, lowerBound, upperBound } from "../sequential.js";
import { inconclusive, pairedN, pairingMetrics, type ShadowGate } from "./shadow-gate.js";

export interface ShadowLatencyConfig {
  /** quantile of the per-request difference judged; default 0.5 (the typical request) */
  quantile: number;
  /** tolerated increase at that quantile, as a share of the baseline's median latency; default 0.1 */
  maxIncreaseRatio: number;
  /** tolerated increase in ms; when given it replaces maxIncreaseRatio */
  maxIncreaseMs: number | undefined;
  /** paired latencies needed before the gate judges; default 100 */
  minPairs: number;
}

/** Smallest latency scale (ms) the sequences are tuned to (a tolerance of 0 would put the optimum at ∞). */
const MIN_SCALE_MS = 1;

const ms = (x: number) =>
  Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toPrecision(3);
const signedMs = (x: number) => `${x >= 0 ? "+" : ""}${ms(x)} ms`;

/** Width of the sketch bucket holding a value of magnitude x: [x/(1+a), x/(1−a)]. */
const bucketWidth = (sketch: LatencySketch, x: number) =>
  (Math.abs(x) * 2 * sketch.alpha) / (1 - sketch.alpha * sketch.alpha);

/**
 * The q-quantile of the paired differences (ms, any sign) as a contrast: the sample quantile is
 * asymptotically normal with sd sqrt(q(1 − q)/n)/f(Q), and the sparsity 1/f(Q) is estimated by the
 * difference quotient of Q̂ over the window q ± z·sqrt(q(1 − q)/n) (Siddiqui 1960; with this bandwidth
 * the McKean & Schrader 1984 standard error) — the linear-scale form of the canary latency gate's
 * logQuantileWithSe, since a difference can be 0 or negative. The window's width is never taken below
 * one sketch bucket at max(|Q̂|, tolerance): the sketch cannot resolve a steeper quantile function
 * there, and differences that sit on one value (a constant slowdown, identical latencies) would
 * otherwise read as certainty.
 */
export function differenceQuantile(d: LatencySketch, q: number, tolerance: number, z = 2): Contrast {
  const n = d.count;
  const sd = Math.sqrt((q * (1 - q)) / n);
  const lo = Math.max(0, q - z * sd);
  const hi = Math.min(1, q + z * sd);
  const estimate = d.quantile(q);
  const spread = Math.max(
    d.quantile(hi) - d.quantile(lo),
    bucketWidth(d, Math.max(Math.abs(estimate), tolerance)),
  );
  return { estimate, se: (sd * spread) / (hi - lo) };
}

/**
 * Paired latency: quantiles of the per-request difference candidate − baseline (ms, any sign), from
 * the difference sketch. A paired difference removes what both versions share (payload size, node
 * load), so a small slowdown shows with fewer requests than comparing two latency distributions.
 * The judged quantile of the difference is one contrast (differenceQuantile) bounded by the shared
 * decision engine (src/gates/sequential.ts: anytime-valid, or group-sequential over a declared look
 * schedule), tuned at the tolerated increase, and widened outward by the sketch's relative accuracy so
 * the bounds are about the raw latencies.
 * The tolerated increase is maxIncreaseMs, or maxIncreaseRatio × the baseline's median latency; in the
 * second case the tolerance and the tuning follow the baseline's median, which the gate reads as known
 * (it is estimated from every pair, far more precisely than a quantile of the difference).
 * - fail: lower bound > tolerated increase, at the gate's alpha (its only fail claim);
 * - pass: upper bound ≤ the tolerated increase, at the gate's alpha;
 * - below minPairs paired latencies, or otherwise, inconclusive. O(sketch buckets).
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
  evaluate({ paired, config, alpha, sequential }): GateResult {
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
    const contrast = differenceQuantile(d, q, threshold);
    const scale = Math.max(threshold, MIN_SCALE_MS);
    const sequence = { context: sequential, key: "differenceQuantile" };
    // the sketch reports a bucket within a relative accuracy a of its members: widen outward
    const a = d.alpha;
    const widen = (x: number, down: boolean) => (x >= 0 === down ? x / (1 + a) : x / (1 - a));
    const interval: [number, number] = [
      widen(lowerBound(contrast, alpha, scale, sequence), true),
      widen(upperBound(contrast, alpha, scale, sequence), false),
    ];
    const value = contrast.estimate;
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
      standardError: contrast.se,
      low: interval[0],
      high: interval[1],
    };
    const values = `${label} of the paired latency difference ${signedMs(value)} over ${n} requests (anytime-valid ${Number.isFinite(interval[0]) ? signedMs(interval[0]) : "−∞"} to ${Number.isFinite(interval[1]) ? signedMs(interval[1]) : "+∞"})`;
    const done = (verdict: GateResult["verdict"], reason: string): GateResult => ({
      verdict,
      metric: `latency_diff_${label}`,
      value,
      threshold,
      interval: interval.every(Number.isFinite) ? interval : null,
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
