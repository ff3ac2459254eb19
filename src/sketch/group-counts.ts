/**
 * Confusion counts of one subgroup (one value of one protected attribute): how many
 * decisions were seen, how many were positive (selected), and for labelled events the
 * 2×2 of label × decision. Everything fairness needs is a ratio of these counts.
 */
export interface GroupCounts {
  /** decisions observed (labelled or not) */
  n: number;
  /** decisions equal to 1 */
  selected: number;
  /** labelled events by (label, decision) */
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

export function emptyGroupCounts(): GroupCounts {
  return { n: 0, selected: 0, tp: 0, fp: 0, fn: 0, tn: 0 };
}

export function addGroupCounts(into: GroupCounts, from: GroupCounts): GroupCounts {
  into.n += from.n;
  into.selected += from.selected;
  into.tp += from.tp;
  into.fp += from.fp;
  into.fn += from.fn;
  into.tn += from.tn;
  return into;
}

/** Record a labelled outcome (label, decision) for an event whose decision is already counted. */
export function addLabel(into: GroupCounts, label: 0 | 1, decision: 0 | 1, weight = 1): void {
  if (label === 1) {
    if (decision === 1) into.tp += weight;
    else into.fn += weight;
  } else if (decision === 1) into.fp += weight;
  else into.tn += weight;
}
