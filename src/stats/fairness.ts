import type { GroupCounts } from "../sketch/group-counts.js";

/**
 * Group fairness metrics from per-group confusion counts, between groups like fairlearn.
 *
 *   selection rate = selected/n,  TPR = tp/(tp + fn),  FPR = fp/(fp + tn)
 *   demographic parity difference = max_g SR − min_g SR,  ratio = min_g SR / max_g SR
 *   equalized odds difference = max(TPR difference, FPR difference),
 *   equalized odds ratio = min(TPR ratio, FPR ratio)
 *   equal opportunity difference = TPR difference
 *
 * Convention: fairlearn MetricFrame.difference(method="between_groups") and
 * .ratio(method="between_groups"), equalized_odds_*(agg="worst_case"), with two departures:
 * - A rate whose denominator is 0 — the TPR of a group with no labelled positives, the FPR of one
 *   with no labelled negatives — is null here, and that group is left out of that metric; a
 *   metric with no group left is null. fairlearn reports 0 for such a rate (its true_positive_rate
 *   and false_positive_rate read sklearn's confusion_matrix(normalize="true"), which turns 0/0
 *   into 0; its TestSingleValueArrays asserts it) and so counts the group in the TPR or FPR gap as
 *   if the model had missed every positive it was never shown. A rate nobody observed is not
 *   evidence of unfairness, so modelgate does not count it.
 * - Where every rate is 0, fairlearn's ratio is 0/0 (NaN); here it is 1: the groups are equal.
 * One group gives difference 0, ratio 1.
 * Groups with fewer than minCount decisions are reported in byGroup and listed in excluded,
 * but not judged: their rates are too noisy to compare.
 * Reference: fairlearn.metrics (demographic_parity_*, equalized_odds_*); Hardt et al. (2016).
 * Complexity: O(groups).
 */
export interface GroupRates {
  selectionRate: number | null;
  tpr: number | null;
  fpr: number | null;
  n: number;
}

export interface FairnessSummary {
  byGroup: Record<string, GroupRates>;
  demographicParityDifference: number | null;
  demographicParityRatio: number | null;
  equalizedOddsDifference: number | null;
  equalizedOddsRatio: number | null;
  equalOpportunityDifference: number | null;
  /** groups with fewer than minCount decisions, left out of every difference and ratio */
  excluded: string[];
}

export function groupRates(c: GroupCounts): GroupRates {
  for (const key of ["n", "selected", "tp", "fp", "fn", "tn"] as const) {
    if (!(Number.isFinite(c[key]) && c[key] >= 0))
      throw new RangeError(`groupRates: ${key} must be a finite count ≥ 0`);
  }
  // tp…tn count labelled outcomes, which may come without their decision (self-contained outcomes),
  // so only selected has a bound: a rate above 1 would be no rate at all
  if (c.selected > c.n)
    throw new RangeError(`groupRates: selected (${c.selected}) must not exceed n (${c.n})`);
  return {
    selectionRate: ratioOrNull(c.selected, c.n),
    tpr: ratioOrNull(c.tp, c.tp + c.fn),
    fpr: ratioOrNull(c.fp, c.fp + c.tn),
    n: c.n,
  };
}

export function fairnessBetweenGroups(groups: Record<string, GroupCounts>, minCount = 1): FairnessSummary {
  if (!(Number.isFinite(minCount) && minCount >= 0)) {
    throw new RangeError("fairnessBetweenGroups: minCount must be a finite count ≥ 0");
  }
  const byGroup: Record<string, GroupRates> = {};
  const excluded: string[] = [];
  const judged: GroupRates[] = [];
  for (const [name, counts] of Object.entries(groups)) {
    const rates = groupRates(counts);
    byGroup[name] = rates;
    if (counts.n < minCount) excluded.push(name);
    else judged.push(rates);
  }
  const selection = spread(judged.map((r) => r.selectionRate));
  const tpr = spread(judged.map((r) => r.tpr));
  const fpr = spread(judged.map((r) => r.fpr));
  const bothOdds = tpr !== null && fpr !== null;
  return {
    byGroup,
    demographicParityDifference: selection?.difference ?? null,
    demographicParityRatio: selection?.ratio ?? null,
    equalizedOddsDifference: bothOdds ? Math.max(tpr.difference, fpr.difference) : null,
    equalizedOddsRatio: bothOdds ? Math.min(tpr.ratio, fpr.ratio) : null,
    equalOpportunityDifference: tpr?.difference ?? null,
    excluded,
  };
}

function ratioOrNull(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

/** max − min and min/max over the non-null rates; null when there are none. */
function spread(rates: Array<number | null>): { difference: number; ratio: number } | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const rate of rates) {
    if (rate === null) continue;
    min = Math.min(min, rate);
    max = Math.max(max, rate);
  }
  if (max === Number.NEGATIVE_INFINITY) return null;
  return { difference: max - min, ratio: max === 0 ? 1 : min / max };
}
