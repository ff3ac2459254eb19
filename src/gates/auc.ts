import type { CohortSummary } from "../sketch/cohort-summary.js";
import {
  asymptoticCsDifference,
  asymptoticCsOneSidedHalfWidth,
  DEFAULT_N_STAR,
} from "../stats/asymptotic-cs.js";
import { aucFromBins } from "../stats/auc-binned.js";
import { type AucWithVariance, delongFromBins } from "../stats/delong.js";
import { parseNumberField } from "./config-parse.js";
import type { Gate, GateInput, GateResult } from "./gate.js";

export interface AucConfig {
  /** largest tolerated AUC drop (baseline − candidate); default 0.02 */
  margin: number;
  /** labelled outcomes each arm needs before the gate can pass; default 200 */
  minLabelled: number;
  /** absolute floor: a candidate whose AUC upper bound is ≤ floor fails; default 0.5 (chance) */
  floor: number;
  /** sample size (labelled outcomes, both arms) at which the confidence sequence is tightest; default 5000 */
  tuningN: number;
}

interface Arm {
  delong: AucWithVariance;
  maxError: number;
  labelled: number;
}

const f3 = (x: number) => x.toFixed(3);
const signed = (x: number) => (x >= 0 ? `+${x.toFixed(3)}` : x.toFixed(3));

/**
 * `margin` and `minLabelled` (defaulting to the request's shared `minSamples`, else 200), read alike
 * by the canary and the shadow (src/gates/shadow/auc.ts) AUC gates so the two modes take the same fields.
 */
export function parseAucMarginFields(raw: Record<string, unknown>): { margin: number; minLabelled: number } {
  const sharedMin = parseNumberField(raw, "minSamples", 200, { min: 1, integer: true });
  return {
    margin: parseNumberField(raw, "margin", 0.02, { min: 0, below: 1 }),
    minLabelled: parseNumberField(raw, "minLabelled", sharedMin, { min: 1, integer: true }),
  };
}

/** Label counts of an arm, or why they cannot give a DeLong variance (needs ≥ 2 of each class). */
function armOf(s: CohortSummary): Arm | { short: string } {
  const positives = s.scoresPositive.total;
  const negatives = s.scoresNegative.total;
  if (positives < 2 || negatives < 2) {
    return {
      short: `${positives + negatives} labelled outcomes (${positives} positive, ${negatives} negative)`,
    };
  }
  const delong = delongFromBins(s.scoresPositive.counts, s.scoresNegative.counts);
  const { maxError } = aucFromBins(s.scoresPositive.counts, s.scoresNegative.counts);
  return { delong, maxError, labelled: positives + negatives };
}

/**
 * AUC gate: rolling ROC AUC of both cohorts on their labelled outcomes, from the label-split score
 * histograms (bins = tied values, DeLong variance from bins).
 *
 * Bounds on aucDelta = candidate − baseline: the asymptotic confidence sequence of Waudby-Smith et al.
 * (2023) in GrowthBook's two-sample form, with the DeLong variance as the variance of each arm's
 * estimate: arm k has n_k = labelled outcomes and per-observation variance σ̂²_k = n_k·Var_DeLong,k, so
 * SE² = Var_DeLong,b + Var_DeLong,c and the sequence runs on n = n_b + n_c. Each bound is one-sided at
 * alpha/2 (GrowthBook's one-sided half-width, ρ tuned at alpha) and widened by both arms' binning error
 * bound (maxError), so it covers the raw-score AUC difference, not just the binned one. The candidate's
 * own AUC gets a one-arm, one-sided upper bound at alpha/2 (σ̂² = n_c·Var_DeLong,c) plus its maxError.
 * The two upper bounds are what fails rest on, so the false-fail probability is ≤ alpha/2 + alpha/2.
 *
 * - fail: aucDeltaHigh < −margin (worse than baseline beyond the margin), or the candidate's AUC upper
 *   bound ≤ floor (no better than chance); anytime-valid over any number of looks.
 * - pass: both arms have minLabelled outcomes, aucDeltaLow ≥ −margin and the candidate's AUC > floor.
 * - otherwise inconclusive, naming the labelled counts or the interval.
 * Cost: O(bins).
 */
export const aucGate: Gate<AucConfig> = {
  name: "auc",
  settings: ["minSamples", "margin", "minLabelled", "floor", "tuningN"],

  parseConfig(raw) {
    return {
      ...parseAucMarginFields(raw),
      floor: parseNumberField(raw, "floor", 0.5, { min: 0, below: 1 }),
      tuningN: parseNumberField(raw, "tuningN", DEFAULT_N_STAR, { min: 1 }),
    };
  },

  evaluate({ baseline, candidate, config, alpha }: GateInput<AucConfig>): GateResult {
    const { margin, minLabelled, floor, tuningN } = config;
    const n = { baseline: baseline.labelled, candidate: candidate.labelled };
    const base = { metric: "auc_delta", threshold: -margin, n };
    const b = armOf(baseline);
    const c = armOf(candidate);
    if ("short" in b || "short" in c) {
      const parts: string[] = [];
      if ("short" in c) parts.push(`candidate has ${c.short}`);
      if ("short" in b) parts.push(`baseline has ${b.short}`);
      return {
        ...base,
        verdict: "inconclusive",
        value: null,
        interval: null,
        reason: `${parts.join("; ")}, needs ${minLabelled} with at least 2 of each class`,
        metrics: {
          baselineAuc: "short" in b ? null : b.delong.auc,
          candidateAuc: "short" in c ? null : c.delong.auc,
        },
      };
    }

    const baselineAuc = b.delong.auc;
    const candidateAuc = c.delong.auc;
    const moments = (arm: Arm) => ({
      mean: arm.delong.auc,
      variance: arm.labelled * arm.delong.variance,
      n: arm.labelled,
    });
    // Estimate and anytime-valid p-value of "no difference" (ρ tuned at alpha); the bounds below are one-sided.
    const cs = asymptoticCsDifference(moments(b), moments(c), alpha, tuningN);
    const nTotal = b.labelled + c.labelled;
    const side = asymptoticCsOneSidedHalfWidth(
      nTotal,
      nTotal * (b.delong.variance + c.delong.variance),
      alpha / 2,
      tuningN,
    );
    const binning = b.maxError + c.maxError;
    const aucDelta = cs.estimate;
    const aucDeltaLow = Math.max(-1, aucDelta - side - binning);
    const aucDeltaHigh = Math.min(1, aucDelta + side + binning);
    const half = asymptoticCsOneSidedHalfWidth(
      c.labelled,
      c.labelled * c.delong.variance,
      alpha / 2,
      tuningN,
    );
    const candidateAucLow = Math.max(0, candidateAuc - half - c.maxError);
    const candidateAucHigh = Math.min(1, candidateAuc + half + c.maxError);

    const metrics = {
      baselineAuc,
      candidateAuc,
      aucDelta,
      aucDeltaLow,
      aucDeltaHigh,
      candidateAucLow,
      candidateAucHigh,
      baselineAucMaxError: b.maxError,
      candidateAucMaxError: c.maxError,
      baselineAucVariance: b.delong.variance,
      candidateAucVariance: c.delong.variance,
      baselinePositives: b.delong.nPositive,
      baselineNegatives: b.delong.nNegative,
      candidatePositives: c.delong.nPositive,
      candidateNegatives: c.delong.nNegative,
      sequentialPValue: cs.pValue,
      margin,
      floor,
    };
    const interval: [number, number] = [aucDeltaLow, aucDeltaHigh];
    const values = `candidate AUC ${f3(candidateAuc)} vs baseline ${f3(baselineAuc)} (${signed(aucDelta)}, anytime-valid interval ${signed(aucDeltaLow)} to ${signed(aucDeltaHigh)})`;
    const done = (verdict: GateResult["verdict"], reason: string): GateResult => ({
      ...base,
      verdict,
      value: aucDelta,
      interval,
      reason,
      metrics,
    });

    if (![aucDelta, aucDeltaLow, aucDeltaHigh, candidateAucLow, candidateAucHigh].every(Number.isFinite)) {
      return done("inconclusive", `AUC statistics are not finite (${values})`);
    }
    if (candidateAucHigh <= floor) {
      return {
        ...done(
          "fail",
          `candidate AUC ${f3(candidateAuc)} is no better than chance: anytime-valid upper bound ${f3(candidateAucHigh)} ≤ floor ${f3(floor)}`,
        ),
        metric: "candidate_auc",
        value: candidateAuc,
        threshold: floor,
        interval: [candidateAucLow, candidateAucHigh],
      };
    }
    if (aucDeltaHigh < -margin) {
      return done("fail", `${values}: worse than baseline by more than the margin ${f3(margin)}`);
    }
    if (n.candidate < minLabelled || n.baseline < minLabelled) {
      const who = n.candidate < minLabelled ? `candidate has ${n.candidate}` : `baseline has ${n.baseline}`;
      return done("inconclusive", `${who} labelled outcomes, needs ${minLabelled}`);
    }
    if (aucDeltaLow >= -margin && candidateAuc > floor) {
      return done("pass", `${values}: within the margin ${f3(margin)}`);
    }
    if (candidateAuc <= floor) {
      return done(
        "inconclusive",
        `candidate AUC ${f3(candidateAuc)} is at or below the floor ${f3(floor)}, not yet significantly`,
      );
    }
    return done(
      "inconclusive",
      `${values}: the interval still reaches below −${f3(margin)}, more labels needed`,
    );
  },
};
