/**
 * "Did you mean …?" for names a user typed (gate settings, event fields, CSV columns): the known name
 * closest to the given one by optimal string alignment distance (edits, with a swap of two neighbours
 * as one edit, so `lable` is one edit from `label`), ignoring case, so `maxratio` and `maxPSI` find
 * `maxRatio` and `maxPsi`, and a name cut short to at least half (`maxFlip`) counts as one edit. A
 * name is only suggested when it is close: at most a third of the longer name's letters (at least
 * one) differ, and fewer than the shorter name has, so `x` suggests nothing.
 * O(|given| · Σ|known|).
 */
export function closestName(given: string, known: Iterable<string>): string | undefined {
  const a = given.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of known) {
    const b = name.toLowerCase();
    // a cut-off name (`maxFlip` for `maxFlipRate`) counts as one edit when it keeps half the name
    const truncated = b.startsWith(a) && 2 * a.length >= b.length;
    const d = truncated ? Math.min(1, alignmentDistance(a, b)) : alignmentDistance(a, b);
    const allowed = Math.max(1, Math.floor(Math.max(a.length, b.length) / 3));
    if (d <= allowed && d < Math.min(a.length, b.length) && d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean maxRatio?)`, or "" when no known name is close. */
export function didYouMean(given: string, known: Iterable<string>): string {
  const name = closestName(given, known);
  return name === undefined ? "" : ` (did you mean ${name}?)`;
}

/** Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps. */
function alignmentDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j] + 1, d[i * cols + j - 1] + 1, d[(i - 1) * cols + j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[(i - 2) * cols + j - 2] + 1);
      }
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1];
}
