import { sortedCases } from "./auc.js";
import { checkBins } from "./auc-binned.js";

/**
 * DeLong variance of the ROC AUC, unpaired (one model) and paired (two models, same cases).
 *
 * Placement values: V10_i = (negatives below positive i + ½·tied)/N for each positive,
 * V01_j = (positives above negative j + ½·tied)/P for each negative; AUC = mean(V10) = mean(V01).
 *   Var(AUC) = S10/P + S01/N,  S10 = sample variance of V10 (ddof 1), S01 likewise;
 *   Cov(AUC_a, AUC_b) = cov(V10_a, V10_b)/P + cov(V01_a, V01_b)/N.
 * Fast algorithm (Sun & Xu 2014): the placements come from midranks, V10_i = (Tz_i − Tx_i)/N
 * and V01_j = 1 − (Tz_j − Ty_j)/P, where Tz are midranks in the pooled sample and Tx, Ty within
 * each class — one sort instead of the O(P·N) pair comparisons of DeLong et al. (1988).
 * delongFromBins treats each bin as one tied value, so its placements are per bin.
 * Needs at least 2 positives and 2 negatives (ddof 1). Labels are 0/1, like sklearn.
 * Reference: DeLong, DeLong & Clarke-Pearson (1988); Sun & Xu, IEEE SPL 21(11) 2014.
 * Complexity: O(n log n) from scores, O(bins) from bins; O(n) memory.
 */
export interface AucWithVariance {
  auc: number;
  variance: number;
  nPositive: number;
  nNegative: number;
}

export interface PairedDelong {
  baseline: AucWithVariance;
  candidate: AucWithVariance;
  covariance: number;
  difference: number;
  differenceVariance: number;
}

interface Placements {
  auc: number;
  positive: Float64Array;
  negative: Float64Array;
}

export function delong(scores: number[], labels: ArrayLike<number>): AucWithVariance {
  const placed = placements(scores, labels, "delong", "scores");
  return withVariance(placed);
}

export function delongPaired(
  baselineScores: number[],
  candidateScores: number[],
  labels: ArrayLike<number>,
): PairedDelong {
  const base = placements(baselineScores, labels, "delongPaired", "baselineScores");
  const cand = placements(candidateScores, labels, "delongPaired", "candidateScores");
  const baseline = withVariance(base);
  const candidate = withVariance(cand);
  const covariance =
    sampleCovariance(base.positive, cand.positive) / base.positive.length +
    sampleCovariance(base.negative, cand.negative) / base.negative.length;
  return pairedDelongResult(baseline, candidate, covariance);
}

/**
 * The paired answer from both models' AUC and variance and their DeLong covariance:
 * difference = candidate − baseline, Var(difference) = Var_b + Var_c − 2·Cov.
 * Shared with pairedDelongFromJoint (src/shadow/joint-histogram.ts), which gets Cov from a grid.
 */
export function pairedDelongResult(
  baseline: AucWithVariance,
  candidate: AucWithVariance,
  covariance: number,
): PairedDelong {
  // Identical models give 0 up to round-off; a variance must not go negative.
  const differenceVariance = Math.max(0, baseline.variance + candidate.variance - 2 * covariance);
  return { baseline, candidate, covariance, difference: candidate.auc - baseline.auc, differenceVariance };
}

export function delongFromBins(positives: ArrayLike<number>, negatives: ArrayLike<number>): AucWithVariance {
  const { nPositive, nNegative } = checkBins(positives, negatives, "delongFromBins");
  checkClassSizes(nPositive, nNegative, "delongFromBins");
  return delongBinPlacements(positives, negatives, nPositive, nNegative).arm;
}

/** Per-bin placements of one model and its AUC and DeLong variance (`arm`). */
export interface BinPlacements {
  arm: AucWithVariance;
  /** V10 of a positive in bin b */
  v10: Float64Array;
  /** V01 of a negative in bin b */
  v01: Float64Array;
}

/**
 * Placements per bin, each bin one tied value: V10(b) = (N[<b] + N[b]/2)/N, V01(b) = (P[>b] + P[b]/2)/P,
 * AUC = Σ P[b]·V10(b)/P, Var = Σ P[b]·(V10(b) − AUC)²/((P−1)P) + Σ N[b]·(V01(b) − AUC)²/((N−1)N).
 * The caller has checked the counts and passes their totals (at least 2 of each class).
 * Shared with pairedDelongFromJoint, which also needs the placements for the covariance.
 */
export function delongBinPlacements(
  positives: ArrayLike<number>,
  negatives: ArrayLike<number>,
  nPositive: number,
  nNegative: number,
): BinPlacements {
  const v10 = new Float64Array(positives.length);
  const v01 = new Float64Array(positives.length);
  let below = 0;
  let sum = 0;
  for (let b = 0; b < positives.length; b++) {
    v10[b] = (below + negatives[b] / 2) / nNegative;
    sum += positives[b] * (below + negatives[b] / 2);
    below += negatives[b];
  }
  let above = 0;
  for (let b = positives.length - 1; b >= 0; b--) {
    v01[b] = (above + positives[b] / 2) / nPositive;
    above += positives[b];
  }
  // totals that disagree with the bins would give an AUC outside [0, 1] or a wrong variance, silently
  if (!sameTotal(above, nPositive) || !sameTotal(below, nNegative)) {
    throw new RangeError(
      `delongBinPlacements: nPositive ${nPositive} and nNegative ${nNegative} must be the bins' totals (${above} and ${below})`,
    );
  }
  checkClassSizes(nPositive, nNegative, "delongBinPlacements");
  const auc = sum / (nPositive * nNegative);
  let s10 = 0;
  let s01 = 0;
  for (let b = 0; b < positives.length; b++) {
    s10 += positives[b] * (v10[b] - auc) ** 2;
    s01 += negatives[b] * (v01[b] - auc) ** 2;
  }
  // A sum of non-negative terms; the clamp only guards the contract that a variance is never negative.
  const variance = Math.max(0, s10 / (nPositive - 1) / nPositive + s01 / (nNegative - 1) / nNegative);
  return { arm: { auc, variance, nPositive, nNegative }, v10, v01 };
}

function placements(scores: number[], labels: ArrayLike<number>, caller: string, name: string): Placements {
  const { order, nPositive, nNegative } = sortedCases(scores, labels, caller, name);
  checkClassSizes(nPositive, nNegative, caller);
  const pooled = midranks(order, scores, () => true);
  const withinPositive = midranks(order, scores, (i) => labels[i] === 1);
  const withinNegative = midranks(order, scores, (i) => labels[i] === 0);
  const positive = new Float64Array(nPositive);
  const negative = new Float64Array(nNegative);
  let rankSum = 0;
  // Cases in input order so that two models' placements line up case by case.
  for (let i = 0, p = 0, q = 0; i < scores.length; i++) {
    if (labels[i] === 1) {
      positive[p++] = (pooled[i] - withinPositive[i]) / nNegative;
      rankSum += pooled[i];
    } else {
      negative[q++] = 1 - (pooled[i] - withinNegative[i]) / nPositive;
    }
  }
  const auc = (rankSum - (nPositive * (nPositive + 1)) / 2) / (nPositive * nNegative);
  return { auc, positive, negative };
}

/** 1-based midranks of the kept cases among themselves, indexed by case; order is sorted by score. */
function midranks(order: number[], scores: number[], keep: (i: number) => boolean): Float64Array {
  const kept = order.filter(keep);
  const ranks = new Float64Array(scores.length);
  for (let start = 0; start < kept.length; ) {
    let end = start;
    while (end < kept.length && scores[kept[end]] === scores[kept[start]]) end++;
    const midrank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[kept[k]] = midrank;
    start = end;
  }
  return ranks;
}

function withVariance({ auc, positive, negative }: Placements): AucWithVariance {
  const variance =
    sampleCovariance(positive, positive) / positive.length +
    sampleCovariance(negative, negative) / negative.length;
  return { auc, variance: Math.max(0, variance), nPositive: positive.length, nNegative: negative.length };
}

function sampleCovariance(x: Float64Array, y: Float64Array): number {
  let meanX = 0;
  let meanY = 0;
  for (let i = 0; i < x.length; i++) {
    meanX += x[i];
    meanY += y[i];
  }
  meanX /= x.length;
  meanY /= y.length;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (x[i] - meanX) * (y[i] - meanY);
  return sum / (x.length - 1);
}

/** Throws naming `caller` below 2 positives or 2 negatives (a sample variance needs 2). */
export function checkClassSizes(nPositive: number, nNegative: number, caller: string): void {
  if (nPositive < 2 || nNegative < 2) {
    throw new RangeError(
      `${caller}: labels need at least 2 positives and 2 negatives for a variance (got ${nPositive} and ${nNegative})`,
    );
  }
}

/** Equal up to summation round-off (counts may be weighted). */
function sameTotal(sum: number, total: number): boolean {
  return Math.abs(sum - total) <= 1e-9 * Math.max(1, Math.abs(total));
}
