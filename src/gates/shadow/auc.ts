import { labelTotals, pairedDelongFromJoint } from "../../shadow/joint-histogram.js";
import { asymptoticCsOneSidedHalfWidth, DEFAULT_N_STAR } from "../../stats/asymptotic-cs.js";
import { aucFromBins } from "../../stats/auc-binned.js";
import { parseAucMarginFields } from "../auc.js";
import { parseNumberField } from "../config-parse.js";
import type { GateResult } from "../gate.js";
import { f3, inconclusive, pairedN, pairingMetrics, type ShadowGate, signed } from "./shadow-gate.js";

export interface ShadowAucConfig {
  /** largest tolerated AUC drop (baseline − candidate); default 0.02 */
  margin: number;
  /** labelled pairs needed before the gate can pass; default 200 */
  minLabelled: number;
  tuningN: number;
}

/**
 * Paired AUC difference (candidate − baseline) on the same labelled requests: paired DeLong from the
 * joint (baseline bin × candidate bin) histogram per label, Var(Δ) = Var_b + Var_c − 2·Cov. Two models
 * scoring the same requests are strongly correlated, so Var(Δ) is a fraction of the unpaired
 * Var_b + Var_c the canary auc gate must use: see bench/shadow-power.ts.
 * Bounds: the asymptotic confidence sequence with n = labelled pairs and σ̂² = n·Var(Δ), one-sided at
 * alpha/2 each (as the canary auc gate), widened by both marginals' binning error bound (aucFromBins
 * maxError), so they are about the raw-score AUCs.
 * - fail: upper bound < −margin; pass: minLabelled pairs and lower bound ≥ −margin; else inconclusive.
 * O(grid + cells).
 */
export const shadowAucGate: ShadowGate<ShadowAucConfig> = {
  name: "auc",
  settings: ["minSamples", "margin", "minLabelled", "tuningN"],
  parseConfig(raw) {
    return {
      ...parseAucMarginFields(raw),
      tuningN: parseNumberField(raw, "tuningN", DEFAULT_N_STAR, { min: 1 }),
    };
  },
  evaluate({ paired, config, alpha }): GateResult {
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
    const binning =
      aucFromBins(b.positives, b.negatives).maxError + aucFromBins(c.positives, c.negatives).maxError;
    const side = asymptoticCsOneSidedHalfWidth(n, n * d.differenceVariance, alpha / 2, config.tuningN);
    const interval: [number, number] = [
      Math.max(-1, d.difference - side - binning),
      Math.min(1, d.difference + side + binning),
    ];
    const unpairedVariance = d.baseline.variance + d.candidate.variance;
    const metrics = {
      ...pairingMetrics(paired),
      baselineAuc: d.baseline.auc,
      candidateAuc: d.candidate.auc,
      aucDelta: d.difference,
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
    const values = `candidate AUC ${f3(d.candidate.auc)} vs baseline ${f3(d.baseline.auc)} on the same ${n} labelled requests (${signed(d.difference)}, paired anytime-valid ${signed(interval[0])} to ${signed(interval[1])})`;
    const done = (verdict: GateResult["verdict"], reason: string): GateResult => ({
      verdict,
      metric: "auc_delta",
      value: d.difference,
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
