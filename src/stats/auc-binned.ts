/**
 * ROC AUC from score histograms split by label, with a bound on the binning error.
 *
 *   AUC     = Σ_b p_b·(Σ_{c<b} q_c + ½·q_b) / (P·N)
 *   maxError = ½·Σ_b p_b·q_b / (P·N)
 *
 * p_b and q_b are the positive and negative counts of bin b, bins in increasing score order,
 * P = Σp, N = Σq. Within a bin the raw order is unknown, so each positive–negative pair in
 * the same bin counts one half; the raw-score AUC can differ from this by at most half of
 * those pairs, which is maxError. When every bin holds a single tied value the result equals
 * rocAuc on the raw scores exactly. Counts may be weighted (non-integer).
 * Reference: DESIGN.md (AUC from binned scores); Hand & Till (2001) for the tie convention.
 * Complexity: O(bins).
 */
export interface BinnedAuc {
  auc: number;
  maxError: number;
}

export function aucFromBins(positives: ArrayLike<number>, negatives: ArrayLike<number>): BinnedAuc {
  const { nPositive, nNegative } = checkBins(positives, negatives, "aucFromBins");
  let negativesBelow = 0;
  let sum = 0;
  let tiedPairs = 0;
  for (let b = 0; b < positives.length; b++) {
    sum += positives[b] * (negativesBelow + negatives[b] / 2);
    tiedPairs += positives[b] * negatives[b];
    negativesBelow += negatives[b];
  }
  const pairs = nPositive * nNegative;
  return { auc: sum / pairs, maxError: tiedPairs / 2 / pairs };
}

/** Validate aligned per-label bin counts and return the class totals. */
export function checkBins(
  positives: ArrayLike<number>,
  negatives: ArrayLike<number>,
  caller: string,
): { nPositive: number; nNegative: number } {
  if (positives.length !== negatives.length) {
    throw new RangeError(
      `${caller}: positives and negatives must have the same number of bins (${positives.length} vs ${negatives.length})`,
    );
  }
  let nPositive = 0;
  let nNegative = 0;
  for (let b = 0; b < positives.length; b++) {
    if (!(Number.isFinite(positives[b]) && positives[b] >= 0)) {
      throw new RangeError(`${caller}: positives[${b}] must be a finite count ≥ 0`);
    }
    if (!(Number.isFinite(negatives[b]) && negatives[b] >= 0)) {
      throw new RangeError(`${caller}: negatives[${b}] must be a finite count ≥ 0`);
    }
    nPositive += positives[b];
    nNegative += negatives[b];
  }
  if (nPositive === 0) throw new RangeError(`${caller}: positives are all zero; AUC is undefined`);
  if (nNegative === 0) throw new RangeError(`${caller}: negatives are all zero; AUC is undefined`);
  return { nPositive, nNegative };
}
