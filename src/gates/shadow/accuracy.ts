import { countSequentialPValue } from "../../stats/count-evalue.js";
import { mcnemar } from "../../stats/mcnemar.js";
import { parseNumberField } from "../config-parse.js";
import type { GateResult } from "../gate.js";
import { lowerBound, upperBound } from "../sequential.js";
import {
  inconclusive,
  pairedMean,
  pairedN,
  pairingMetrics,
  pct,
  type ShadowGate,
  signed,
} from "./shadow-gate.js";

export interface AccuracyConfig {
  /** largest tolerated drop of decision accuracy (baseline − candidate); default 0.01 */
  maxAccuracyDrop: number;
  /** labelled pairs needed before the gate can pass; default 200 */
  minLabelled: number;
}

/** Smallest accuracy scale the sequences are tuned to (a tolerance of 0 would put the optimum at ∞). */
const MIN_SCALE = 0.005;

const pts = (x: number) => signed(x * 100, (v) => v.toFixed(2));

/**
 * Decision correctness on the same labelled requests (McNemar's setting): b = only the baseline right,
 * c = only the candidate right. The accuracy difference (c − b)/n is the mean of per-request values in
 * {−1, 0, 1}, one contrast (pairedMean: variance (b + c)/n − Δ² up to n/(n − 1), so concordant requests
 * cost nothing — what makes the paired test strong) bounded by the shared decision engine
 * (src/gates/sequential.ts), tuned at maxAccuracyDrop.
 * Reported beside it: McNemar's χ² (fixed-n, continuity-corrected, like statsmodels) and the sequential
 * McNemar p-value — the Lindon–Malek Beta mixture on the discordant counts with shares [½, ½]
 * (REFERENCES §2.4), anytime-valid for "equal accuracy".
 * - fail: the upper bound < −maxAccuracyDrop, at the gate's alpha (its only fail claim);
 * - pass: minLabelled labelled pairs and the lower bound ≥ −maxAccuracyDrop, at the gate's alpha;
 * - otherwise inconclusive. O(1).
 */
export const accuracyGate: ShadowGate<AccuracyConfig> = {
  name: "accuracy",
  settings: ["minSamples", "maxAccuracyDrop", "minLabelled"],
  parseConfig(raw) {
    const sharedMin = parseNumberField(raw, "minSamples", 200, { min: 1, integer: true });
    return {
      maxAccuracyDrop: parseNumberField(raw, "maxAccuracyDrop", 0.01, { min: 0, below: 1 }),
      minLabelled: parseNumberField(raw, "minLabelled", sharedMin, { min: 1, integer: true }),
    };
  },
  evaluate({ paired, config, alpha, sequential }): GateResult {
    const s = paired.summary;
    const n = s.labelled;
    const b = s.onlyBaselineCorrect;
    const c = s.onlyCandidateCorrect;
    if (n < 2) {
      return inconclusive(
        "accuracy_diff",
        n,
        `${n} labelled pairs, needs ${config.minLabelled}`,
        pairingMetrics(paired),
        -config.maxAccuracyDrop,
      );
    }
    // per-request values in {−1, 0, 1}: Σx = c − b, Σx² = b + c
    const contrast = pairedMean(n, c - b, b + c, 1);
    const diff = contrast.estimate;
    const scale = Math.max(config.maxAccuracyDrop, MIN_SCALE);
    const sequence = { context: sequential, key: "accuracyDiff" };
    const interval: [number, number] = [
      Math.max(-1, lowerBound(contrast, alpha, scale, sequence)),
      Math.min(1, upperBound(contrast, alpha, scale, sequence)),
    ];
    const classic = mcnemar(b, c, true);
    const sequentialMcnemar = countSequentialPValue([b, c], [0.5, 0.5]);
    const metrics = {
      ...pairingMetrics(paired),
      labelled: n,
      onlyBaselineCorrect: b,
      onlyCandidateCorrect: c,
      bothCorrect: s.bothCorrect,
      neitherCorrect: s.neitherCorrect,
      baselineAccuracy: (s.bothCorrect + b) / n,
      candidateAccuracy: (s.bothCorrect + c) / n,
      accuracyDiff: diff,
      accuracyDiffLow: interval[0],
      accuracyDiffHigh: interval[1],
      mcnemarStatistic: classic.statistic,
      mcnemarPValue: classic.pValue,
      sequentialMcnemarPValue: sequentialMcnemar.pValue,
    };
    const values = `candidate accuracy ${pct(metrics.candidateAccuracy)} vs baseline ${pct(metrics.baselineAccuracy)} on ${n} labelled pairs (${pts(diff)} points, ${b} only baseline right, ${c} only candidate right; anytime-valid ${pts(interval[0])} to ${pts(interval[1])}; sequential McNemar p ${sequentialMcnemar.pValue.toPrecision(3)})`;
    const done = (verdict: GateResult["verdict"], reason: string): GateResult => ({
      verdict,
      metric: "accuracy_diff",
      value: diff,
      threshold: -config.maxAccuracyDrop,
      interval,
      n: pairedN(n),
      reason,
      metrics,
    });
    if (interval[1] < -config.maxAccuracyDrop)
      return done("fail", `${values}: worse by more than ${pct(config.maxAccuracyDrop)}`);
    if (n < config.minLabelled)
      return done("inconclusive", `${n} labelled pairs, needs ${config.minLabelled}`);
    if (interval[0] >= -config.maxAccuracyDrop)
      return done("pass", `${values}: within ${pct(config.maxAccuracyDrop)}`);
    return done(
      "inconclusive",
      `${values}: the interval still reaches below −${pct(config.maxAccuracyDrop)}`,
    );
  },
};
