import type { ScoreHistogram } from "../../sketch/score-histogram.js";
import { parseNumberField } from "../config-parse.js";
import type { GateResult } from "../gate.js";
import { lowerBound, upperBound } from "../sequential.js";
import {
  f3,
  inconclusive,
  pairedMean,
  pairedN,
  pairingMetrics,
  type ShadowGate,
  signed,
} from "./shadow-gate.js";

export interface ScoresConfig {
  /** largest tolerated mean paired score shift |mean(candidate − baseline)|; default 0.02 */
  maxMeanShift: number;
  /** paired scores needed before the gate can pass; default 200 */
  minPairs: number;
}

/** Smallest score scale the sequences are tuned to (a tolerance of 0 would put the optimum at ∞). */
const MIN_SCALE = 0.005;

/** q-quantile of a histogram, read as the midpoint of the bin where the cumulative count crosses q·n. */
function histogramQuantile(h: ScoreHistogram, q: number): number {
  const total = h.total;
  let seen = 0;
  for (let i = 0; i < h.bins; i++) {
    seen += h.counts[i];
    if (seen >= q * total && seen > 0) return h.mid(i);
  }
  return h.mid(h.bins - 1);
}

/**
 * Paired score differences d = candidate − baseline on the same requests: mean, mean |d|, RMS, and
 * quantiles (from the difference histogram, to within half a bin). The mean is one contrast from the
 * exact sums of d and d² (pairedMean: its variance is the per-request differences' own, floored for
 * identical answers), bounded by the shared decision engine (src/gates/sequential.ts), tuned at
 * maxMeanShift.
 * - fail: the lower bound > +maxMeanShift or the upper bound < −maxMeanShift. These are the gate's two
 *   fail claims and split its alpha (half each), so a false fail has probability ≤ alpha over all looks;
 * - pass: minPairs paired scores, lower bound ≥ −maxMeanShift and upper bound ≤ +maxMeanShift, each at
 *   the gate's alpha (a pass needs both, so a false pass needs its one false bound);
 * - otherwise inconclusive. O(diff bins).
 */
export const scoresGate: ShadowGate<ScoresConfig> = {
  name: "scores",
  settings: ["minSamples", "maxMeanShift", "minPairs"],
  parseConfig(raw) {
    const sharedMin = parseNumberField(raw, "minSamples", 200, { min: 1, integer: true });
    return {
      maxMeanShift: parseNumberField(raw, "maxMeanShift", 0.02, { min: 0 }),
      minPairs: parseNumberField(raw, "minPairs", sharedMin, { min: 1, integer: true }),
    };
  },
  evaluate({ paired, config, alpha, sequential }): GateResult {
    const s = paired.summary;
    const n = s.scored;
    if (n < 2)
      return inconclusive(
        "mean_score_diff",
        n,
        `${n} paired scores, needs at least 2`,
        pairingMetrics(paired),
        config.maxMeanShift,
      );
    const tol = config.maxMeanShift;
    const contrast = pairedMean(n, s.diffSum, s.diffSumSquares, s.scoreDiff.hi);
    const mean = contrast.estimate;
    const scale = Math.max(tol, MIN_SCALE);
    const sequence = { context: sequential, key: "meanDiff" };
    // the pass bounds (each at alpha) lie inside the fail bounds (each at alpha/2)
    const interval: [number, number] = [
      lowerBound(contrast, alpha, scale, sequence),
      upperBound(contrast, alpha, scale, sequence),
    ];
    const failInterval: [number, number] = [
      lowerBound(contrast, alpha / 2, scale, sequence),
      upperBound(contrast, alpha / 2, scale, sequence),
    ];
    const metrics = {
      ...pairingMetrics(paired),
      scored: n,
      meanDiff: mean,
      meanDiffLow: interval[0],
      meanDiffHigh: interval[1],
      meanDiffFailLow: failInterval[0],
      meanDiffFailHigh: failInterval[1],
      meanAbsDiff: s.diffAbsSum / n,
      rmsDiff: Math.sqrt(s.diffSumSquares / n),
      diffP05: histogramQuantile(s.scoreDiff, 0.05),
      diffP50: histogramQuantile(s.scoreDiff, 0.5),
      diffP95: histogramQuantile(s.scoreDiff, 0.95),
      diffBinWidth: (s.scoreDiff.hi - s.scoreDiff.lo) / s.scoreDiff.bins,
    };
    const text = (i: [number, number]) =>
      `mean paired score difference ${signed(mean)} over ${n} requests (anytime-valid ${signed(i[0])} to ${signed(i[1])}; mean |Δ| ${f3(metrics.meanAbsDiff)})`;
    const values = text(interval);
    const done = (verdict: GateResult["verdict"], reason: string, i = interval): GateResult => ({
      verdict,
      metric: "mean_score_diff",
      value: mean,
      threshold: tol,
      interval: i,
      n: pairedN(n),
      reason,
      metrics,
    });
    if (failInterval[0] > tol || failInterval[1] < -tol)
      return done("fail", `${text(failInterval)}: shifted beyond ±${f3(tol)}`, failInterval);
    if (n < config.minPairs) return done("inconclusive", `${n} paired scores, needs ${config.minPairs}`);
    if (interval[0] >= -tol && interval[1] <= tol) return done("pass", `${values}: within ±${f3(tol)}`);
    return done("inconclusive", `${values}: the interval still reaches beyond ±${f3(tol)}`);
  },
};
