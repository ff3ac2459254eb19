/**
 * Sample quantile, Hyndman–Fan type 7 (linear interpolation between order statistics), numpy's default.
 *
 * With sorted x₀ ≤ … ≤ x_{n−1} and h = (n − 1)·q, i = ⌊h⌋, t = h − i:
 *   Q(q) = x_i + t·(x_{i+1} − x_i)   (t < ½),   x_{i+1} − (1 − t)·(x_{i+1} − x_i)   (t ≥ ½),
 * the same two-sided lerp numpy 1.24 uses, so results (and histogram edges built from them) agree with
 * np.quantile bit for bit in the common case.
 *
 * Reference: numpy.quantile(method="linear"); Hyndman & Fan (1996) definition 7.
 * Complexity: O(1) on sorted input; quantile() sorts a copy, O(n log n).
 */

/** Type-7 quantile of already sorted values (ascending), q in [0, 1]. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError("quantileSorted: sorted must not be empty");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantileSorted: q must be in [0, 1], got ${q}`);
  const h = (n - 1) * q;
  const i = Math.floor(h);
  if (i >= n - 1) return sorted[n - 1];
  const t = h - i;
  const lo = sorted[i];
  const hi = sorted[i + 1];
  const diff = hi - lo;
  return t >= 0.5 ? hi - diff * (1 - t) : lo + diff * t;
}

/** Type-7 quantile of unsorted values; throws on empty input or NaN. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) throw new RangeError("quantile: values must not be empty");
  for (const v of values)
    if (!Number.isFinite(v)) throw new RangeError("quantile: values must be finite (no NaN)");
  return quantileSorted(Float64Array.from(values).sort(), q);
}
