/**
 * ROC AUC from raw scores: the probability that a random positive outscores a random
 * negative, ties counting one half — the Mann–Whitney U of the positives over P·N.
 *
 *   AUC = Σ_groups p_g·(negatives below g + ½·q_g) / (P·N)
 *
 * where each group is one distinct score holding p_g positives and q_g negatives.
 * Convention: labels are 0 (negative) or 1 (positive), like sklearn.metrics.roc_auc_score
 * with binary labels; the sums are integers (and halves), so the result is exact up to the
 * final division instead of accumulating trapezoid round-off.
 * Reference: Hanley & McNeil (1982); sklearn roc_auc_score.
 * Complexity: O(n log n) time (one sort), O(n) memory.
 */
export function rocAuc(scores: number[], labels: ArrayLike<number>): number {
  const { order, nPositive, nNegative } = sortedCases(scores, labels, "rocAuc");
  let negativesBelow = 0;
  let sum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    let positives = 0;
    let negatives = 0;
    while (end < order.length && scores[order[end]] === scores[order[start]]) {
      if (labels[order[end]] === 1) positives++;
      else negatives++;
      end++;
    }
    sum += positives * (negativesBelow + negatives / 2);
    negativesBelow += negatives;
    start = end;
  }
  return sum / (nPositive * nNegative);
}

/**
 * Validate (scores, labels) and return case indices sorted by increasing score. Shared by
 * rocAuc and DeLong so that both reject the same inputs with the same messages.
 */
export function sortedCases(
  scores: number[],
  labels: ArrayLike<number>,
  caller: string,
  scoresName = "scores",
): { order: number[]; nPositive: number; nNegative: number } {
  if (scores.length !== labels.length) {
    throw new RangeError(
      `${caller}: ${scoresName} and labels must have the same length (${scores.length} vs ${labels.length})`,
    );
  }
  let nPositive = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw new RangeError(`${caller}: ${scoresName}[${i}] is not finite`);
    const label = labels[i];
    if (label !== 0 && label !== 1) throw new RangeError(`${caller}: labels[${i}] must be 0 or 1`);
    nPositive += label;
  }
  const nNegative = scores.length - nPositive;
  if (nPositive === 0 || nNegative === 0) {
    throw new RangeError(`${caller}: labels must contain both classes (0 and 1); AUC is undefined`);
  }
  const order = Array.from(scores, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  return { order, nPositive, nNegative };
}
