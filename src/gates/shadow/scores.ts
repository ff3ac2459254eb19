import type { ScoreHistogram } from "../../sketch/score-histogram.js";
import { DEFAULT_N_STAR } from "../../stats/asymptotic-cs.js";
import { parseNumberField } from "../config-parse.js";
import type { GateResult } from "../gate.js";
import {
  f3,
  inconclusive,
  meanInterval,
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
  tuningN: number;
}

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
 * quantiles (from the difference histogram, to within half a bin). The mean has an anytime-valid
 * interval from the exact sums of d and d² (asymptotic confidence sequence on the per-request
 * differences; identical models give d ≡ 0 and a zero-width interval at 0).
 * - fail: the interval lies entirely beyond ±maxMeanShift;
 * - pass: minPairs paired scores and the interval within ±maxMeanShift;
 * - otherwise inconclusive. O(diff bins).
 */
export const scoresGate: ShadowGate<ScoresConfig> = {
  name: "scores",
  settings: ["minSamples", "maxMeanShift", "minPairs", "tuningN"],
  parseConfig(raw) {
    const sharedMin = parseNumberField(raw, "minSamples", 200, { min: 1, integer: true });
    return {
      maxMeanShift: parseNumberField(raw, "maxMeanShift", 0.02, { min: 0 }),
      minPairs: parseNumberField(raw, "minPairs", sharedMin, { min: 1, integer: true }),
      tuningN: parseNumberField(raw, "tuningN", DEFAULT_N_STAR, { min: 1 }),
    };
  },
  evaluate({ paired, config, alpha }): GateResult {
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
    const mean = s.diffSum / n;
    const interval = meanInterval(n, mean, s.diffSumSquares / n, alpha, config.tuningN);
    const tol = config.maxMeanShift;
    const metrics = {
      ...pairingMetrics(paired),
      scored: n,
      meanDiff: mean,
      meanDiffLow: interval[0],
      meanDiffHigh: interval[1],
      meanAbsDiff: s.diffAbsSum / n,
      rmsDiff: Math.sqrt(s.diffSumSquares / n),
      diffP05: histogramQuantile(s.scoreDiff, 0.05),
      diffP50: histogramQuantile(s.scoreDiff, 0.5),
      diffP95: histogramQuantile(s.scoreDiff, 0.95),
      diffBinWidth: (s.scoreDiff.hi - s.scoreDiff.lo) / s.scoreDiff.bins,
    };
    const values = `mean paired score difference ${signed(mean)} over ${n} requests (anytime-valid ${signed(interval[0])} to ${signed(interval[1])}; mean |Δ| ${f3(metrics.meanAbsDiff)})`;
    const done = (verdict: GateResult["verdict"], reason: string): GateResult => ({
      verdict,
      metric: "mean_score_diff",
      value: mean,
      threshold: tol,
      interval,
      n: pairedN(n),
      reason,
      metrics,
    });
    if (interval[0] > tol || interval[1] < -tol) return done("fail", `${values}: shifted beyond ±${f3(tol)}`);
    if (n < config.minPairs) return done("inconclusive", `${n} paired scores, needs ${config.minPairs}`);
    if (interval[0] >= -tol && interval[1] <= tol) return done("pass", `${values}: within ±${f3(tol)}`);
    return done("inconclusive", `${values}: the interval still reaches beyond ±${f3(tol)}`);
  },
};
