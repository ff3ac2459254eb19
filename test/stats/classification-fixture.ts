import { readFileSync } from "node:fs";
import fc from "fast-check";
import type { GroupCounts } from "../../src/sketch/group-counts.js";
import type { AucWithVariance } from "../../src/stats/delong.js";
import type { GroupRates } from "../../src/stats/fairness.js";

/**
 * Reference values written by test/fixtures/reference/gen_classification.py (sklearn 1.2,
 * scipy 1.10, numpy; fairlearn's definitions reimplemented there because it is not packaged).
 */
export interface ClassificationFixture {
  rocAuc: Array<{ name: string; scores: number[]; labels: number[]; auc: number }>;
  delong: Array<{ name: string; scores: number[]; labels: number[]; auc: number; variance: number }>;
  binned: Array<{
    name: string;
    positives: number[];
    negatives: number[];
    auc: number;
    maxError: number;
    variance: number;
  }>;
  delongPaired: Array<{
    name: string;
    baselineScores: number[];
    candidateScores: number[];
    labels: number[];
    baseline: { auc: number; variance: number };
    candidate: { auc: number; variance: number };
    covariance: number;
    difference: number;
    differenceVariance: number;
  }>;
  aucDifference: Array<{
    name: string;
    baseline: AucWithVariance;
    candidate: AucWithVariance;
    confidence: number;
    covariance: number;
    difference: number;
    se: number;
    z: number;
    pValue: number;
    interval: [number, number];
  }>;
  wilson: Array<{ successes: number; n: number; confidence: number; lower: number; upper: number }>;
  twoProportion: Array<{
    x1: number;
    n1: number;
    x2: number;
    n2: number;
    difference: number;
    z: number;
    pValue: number;
  }>;
  fairness: Array<{
    name: string;
    groups: Record<string, GroupCounts>;
    minCount: number;
    byGroup: Record<string, GroupRates>;
    excluded: string[];
    demographicParityDifference: number | null;
    demographicParityRatio: number | null;
    equalizedOddsDifference: number | null;
    equalizedOddsRatio: number | null;
    equalOpportunityDifference: number | null;
  }>;
  mcnemar: Array<{
    onlyBaselineCorrect: number;
    onlyCandidateCorrect: number;
    continuity: boolean;
    statistic: number;
    pValue: number;
  }>;
}

export function loadClassificationFixture(): ClassificationFixture {
  const url = new URL("../fixtures/reference/classification.json", import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as ClassificationFixture;
}

/** Relative error, with an absolute floor for values that should be (near) zero. */
export function relativeError(actual: number, expected: number, absoluteFloor = 1e-15): number {
  const gap = Math.abs(actual - expected);
  if (gap <= absoluteFloor) return 0;
  return gap / Math.max(Math.abs(expected), Number.MIN_VALUE);
}

/** Scores with 0/1 labels holding at least `minimum` of each class. */
export const labelledScores = (minimum = 1, integerScores = false) =>
  fc
    .array(
      fc.tuple(
        integerScores ? fc.integer({ min: 0, max: 6 }) : fc.double({ min: -5, max: 5, noNaN: true }),
        fc.integer({ min: 0, max: 1 }),
      ),
      { minLength: 2 * minimum, maxLength: 120 },
    )
    .filter((cases) => {
      const positives = cases.filter(([, label]) => label === 1).length;
      return positives >= minimum && cases.length - positives >= minimum;
    })
    .map((cases) => ({ scores: cases.map(([score]) => score), labels: cases.map(([, label]) => label) }));
