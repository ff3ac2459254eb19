/**
 * Hodges–Lehmann two-sample shift estimate: the median of all n₁·n₂ pairwise differences x_i − y_j.
 *
 * Even count → mean of the two middle differences (numpy.median convention). It is the location shift
 * that the Mann–Whitney test inverts, and the point estimate Kayenta reports next to its Wilcoxon
 * interval (REFERENCES §1.3). Positive means x tends to be larger than y.
 *
 * Reference: Hodges & Lehmann (1963); equals numpy.median(numpy.subtract.outer(x, y)).
 * Complexity: O(n₁n₂) memory and expected time (quickselect via simple-statistics' median).
 */
import { median } from "simple-statistics";

export function hodgesLehmann(x: number[], y: number[]): number {
  if (x.length === 0) throw new RangeError("hodgesLehmann: x must not be empty");
  if (y.length === 0) throw new RangeError("hodgesLehmann: y must not be empty");
  for (const v of x)
    if (!Number.isFinite(v)) throw new RangeError("hodgesLehmann: x must be finite (no NaN)");
  for (const v of y)
    if (!Number.isFinite(v)) throw new RangeError("hodgesLehmann: y must be finite (no NaN)");
  const diffs = new Array<number>(x.length * y.length);
  let k = 0;
  for (const xi of x) for (const yj of y) diffs[k++] = xi - yj;
  return median(diffs);
}
