import { labelTotals, pairedDelongFromJoint } from "../../shadow/joint-histogram.js";
import { aucFromBins } from "../../stats/auc-binned.js";
import { parseAucMarginFields } from "../auc.js";
import type { GateResult } from "../gate.js";
import { lowerBound, upperBound } from "../sequential.js";
import { f3, inconclusive, pairedN, pairingMetrics, type ShadowGate, signed } from "./shadow-gate.js";

export interface ShadowAucConfig {
  /** largest tolerated AUC drop (baseline − candidate); default 0.02 */
  margin: number;
  /** labelled pairs needed before the gate can pass; default 200 */
  minLabelled: number;
}

/** Smallest AUC scale the sequences are tuned to (a margin of 0 would put the optimum at ∞). */
const MIN_SCALE = 0.005;

/**
 * Var(Δ) floored for (nearly) identical answers: Δ is the mean over the P positives of each one's
 * placement difference, and over the N negatives alike, each in [−1, 1]; as pairedMean does for a mean,
 * each part's variance is floored at 1/(count + 2), so identical scores (Var(Δ) = 0) do not read as
 * certainty. The floor is far below any real paired variance and binds only then.
 */
function differenceVarianceFloored(variance: number, positives: number, negatives: number): number {
  const floor = 1 / (positives * (positives + 2)) + 1 / (negatives * (negatives + 2));
  return Math.max(Number.isFinite(variance) ? variance : 0, floor);
}

/**
 * Paired AUC difference (candidate − baseline) on the same labelled requests: the two AUCs from each
 * side's fine per-label marginal (1000 bins), the variance by paired DeLong from the joint (baseline bin
 * × candidate bin) histogram per label, Var(Δ) = Var_b + Var_c − 2·Cov. Two models
 * scoring the same requests are strongly correlated, so Var(Δ) is a fraction of the unpaired
 * Var_b + Var_c the canary auc gate must use: see bench/shadow-power.ts.
 * Δ with se = √Var(Δ) (floored: differenceVarianceFloored) is one contrast bounded by the shared decision engine (src/gates/sequential.ts:
 * anytime-valid, or group-sequential over a declared look schedule), tuned at the margin, and widened
 * by both fine marginals' binning error bound (aucFromBins maxError) so the bounds are about the
 * raw-score AUCs, not just the binned ones (the grid alone would cost ≈ 0.009 of a 0.02 margin).
 * - fail: upper bound < −margin, at the gate's alpha (its only fail claim: unlike the canary gate,
 *   shadow mode has no chance-floor claim);
 * - pass: minLabelled pairs and lower bound ≥ −margin, at the gate's alpha;
 * - otherwise inconclusive. O(grid + cells).
 */
export const shadowAucGate: ShadowGate<ShadowAucConfig> = {
  name: "auc",
  settings: ["minSamples", "margin", "minLabelled"],
  parseConfig(raw) {
    return parseAucMarginFields(raw);
  },
  evaluate({ paired, config, alpha, sequential }): GateResult {
    const joint = paired.summary.joint;
    const b = joint.marginals(0);
    const c = joint.marginals(1);
    const { positives, negatives } = labelTotals(b);
    const n = positives + negatives;
    if (positives < 2 || negatives < 2) {
      return inconclusive(
        "auc_delta",
        n,
        `${n} labelled scored pairs (${positives} positive, ${negatives} negative), needs ${config.minLabelled} with at least 2 of each class`,
        pairingMetrics(paired),
        -config.margin,
      );
    }
    const d = pairedDelongFromJoint(joint);
    // the AUCs from the fine marginals (binning error a tenth of the grid's), the variance from the grid
    const fineB = joint.fineMarginals(0);
    const fineC = joint.fineMarginals(1);
    const [aucB, aucC] =
      fineB && fineC
        ? [aucFromBins(fineB.positives, fineB.negatives), aucFromBins(fineC.positives, fineC.negatives)]
        : [aucFromBins(b.positives, b.negatives), aucFromBins(c.positives, c.negatives)];
    const binning = aucB.maxError + aucC.maxError;
    const difference = aucC.auc - aucB.auc;
    const contrast = {
      estimate: difference,
      se: Math.sqrt(differenceVarianceFloored(d.differenceVariance, positives, negatives)),
    };
    const scale = Math.max(config.margin, MIN_SCALE);
    const sequence = { context: sequential, key: "difference" };
    const interval: [number, number] = [
      Math.max(-1, lowerBound(contrast, alpha, scale, sequence) - binning),
      Math.min(1, upperBound(contrast, alpha, scale, sequence) + binning),
    ];
    const unpairedVariance = d.baseline.variance + d.candidate.variance;
    const metrics = {
      ...pairingMetrics(paired),
      baselineAuc: aucB.auc,
      candidateAuc: aucC.auc,
      aucDelta: difference,
      aucDeltaLow: interval[0],
      aucDeltaHigh: interval[1],
      differenceVariance: d.differenceVariance,
      covariance: d.covariance,
      correlation: d.covariance / Math.sqrt(d.baseline.variance * d.candidate.variance),
      varianceReduction: unpairedVariance > 0 ? 1 - d.differenceVariance / unpairedVariance : null,
      binningError: binning,
      positives,
      negatives,
      margin: config.margin,
    };
    const values = `candidate AUC ${f3(aucC.auc)} vs baseline ${f3(aucB.auc)} on the same ${n} labelled requests (${signed(difference)}, paired anytime-valid ${signed(interval[0])} to ${signed(interval[1])})`;
    const done = (verdict: GateResult["verdict"], reason: string): GateResult => ({
      verdict,
      metric: "auc_delta",
      value: difference,
      threshold: -config.margin,
      interval,
      n: pairedN(n),
      reason,
      metrics,
    });
    if (!interval.every(Number.isFinite))
      return done("inconclusive", `AUC statistics are not finite (${values})`);
    if (interval[1] < -config.margin)
      return done("fail", `${values}: worse than baseline by more than ${f3(config.margin)}`);
    if (n < config.minLabelled)
      return done("inconclusive", `${n} labelled pairs, needs ${config.minLabelled}`);
    if (interval[0] >= -config.margin)
      return done("pass", `${values}: within the margin ${f3(config.margin)}`);
    return done(
      "inconclusive",
      `${values}: the interval still reaches below −${f3(config.margin)}, more labels needed`,
    );
  },
};
