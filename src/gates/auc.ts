import type { CohortSummary } from "../sketch/cohort-summary.js";
import { aucFromBins } from "../stats/auc-binned.js";
import { type AucWithVariance, delongFromBins } from "../stats/delong.js";
import { parseNumberField } from "./config-parse.js";
import { type Gate, type GateInput, type GateResult, needsText } from "./gate.js";
import { informationFactor, lowerBound, needsMore, upperBound } from "./sequential.js";

/** Share of the fail alpha spent on "no better than chance" (the rest on the margin). */
export const FLOOR_SHARE = 0.1;
/** Smallest AUC scale the sequences are tuned to (a margin of 0 would put the optimum at ∞). */
export const MIN_SCALE = 0.005;

export interface AucConfig {
  /** largest tolerated AUC drop (baseline − candidate); default 0.02 */
  margin: number;
  /** labelled outcomes each arm needs before the gate can pass; default 200 */
  minLabelled: number;
  /** absolute floor: a candidate whose AUC upper bound is ≤ floor fails; default 0.5 (chance) */
  floor: number;
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
 * aucDelta = candidate − baseline is one contrast with variance Var_DeLong,b + Var_DeLong,c, bounded by
 * the shared decision engine (src/gates/sequential.ts: the anytime-valid one-sided normal mixture in
 * the contrast's intrinsic time, tuned at the margin's scale), and widened by both arms' binning error
 * bound (maxError) so it covers the raw-score AUC difference, not just the binned one.
 *
 * - fail: aucDeltaHigh < −margin (at 90% of the gate's alpha), or the candidate's AUC upper bound
 *   ≤ floor (no better than chance; 10%): a false fail has probability ≤ alpha over all looks.
 * - pass: both arms have minLabelled outcomes, aucDeltaLow ≥ −margin (at the gate's alpha) and the
 *   candidate's AUC > floor.
 * - otherwise inconclusive, naming the labelled counts or the interval.
 * Cost: O(bins).
 */
export const aucGate: Gate<AucConfig> = {
  name: "auc",
  settings: ["minSamples", "margin", "minLabelled", "floor"],

  parseConfig(raw) {
    return {
      ...parseAucMarginFields(raw),
      floor: parseNumberField(raw, "floor", 0.5, { min: 0, below: 1 }),
    };
  },

  evaluate({ baseline, candidate, config, alpha, sequential }: GateInput<AucConfig>): GateResult {
    const { margin, minLabelled, floor } = config;
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
    // one sequence for the difference (variances add), tuned at the margin's scale; the floor claim
    // gets a tenth of the fail share, the margin claim the rest (a fail is either)
    const scale = Math.max(margin, MIN_SCALE);
    const difference = {
      estimate: candidateAuc - baselineAuc,
      se: Math.sqrt(b.delong.variance + c.delong.variance),
    };
    const own = { estimate: candidateAuc, se: Math.sqrt(c.delong.variance) };
    const binning = b.maxError + c.maxError;
    const aucDelta = difference.estimate;
    const d = { context: sequential, key: "difference" };
    const o = { context: sequential, key: "candidate" };
    const aucDeltaLow = Math.max(-1, lowerBound(difference, alpha, scale, d) - binning);
    const aucDeltaHigh = Math.min(1, upperBound(difference, alpha * (1 - FLOOR_SHARE), scale, d) + binning);
    const candidateAucLow = Math.max(0, lowerBound(own, alpha, scale, o) - c.maxError);
    const candidateAucHigh = Math.min(1, upperBound(own, alpha * FLOOR_SHARE, scale, o) + c.maxError);

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
    const needs = needsMore(
      informationFactor(aucDelta + margin - binning, difference.se, alpha, scale),
      c.labelled,
      "labelled outcomes",
    );
    return {
      ...done(
        "inconclusive",
        `${values}: the interval still reaches below −${f3(margin)}, ${needs ? needsText(needs) : "more labels needed"}`,
      ),
      ...(needs ? { needs } : {}),
    };
  },
};
