/**
 * First Wasserstein (earth mover's) distance between two 1-D empirical distributions, optionally
 * weighted, like scipy.stats.wasserstein_distance(u, v, u_weights, v_weights).
 *
 *   W₁ = ∫ |F_u(t) − F_v(t)| dt = Σ_k |F_u(x_k) − F_v(x_k)|·(x_{k+1} − x_k)
 * over the sorted pooled values x_k, with F the (weighted) right-continuous ECDFs. Same units as the
 * data; callers divide by the baseline's standard deviation where a unit-free drift score is wanted.
 *
 * Reference: scipy 1.10 `scipy/stats/_stats_py.py::_cdf_distance(p=1)`. Complexity: O(N log N).
 */

function checkSide(
  values: number[],
  weights: number[] | undefined,
  name: string,
): { values: Float64Array; cum: Float64Array; total: number } {
  if (values.length === 0) throw new RangeError(`wasserstein1: ${name} must not be empty`);
  for (const v of values)
    if (!Number.isFinite(v)) throw new RangeError(`wasserstein1: ${name} must be finite (no NaN)`);
  const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
  const sorted = Float64Array.from(order, (i) => values[i]);
  const cum = new Float64Array(values.length + 1);
  if (weights !== undefined) {
    if (weights.length !== values.length)
      throw new RangeError(
        `wasserstein1: ${name}Weights has ${weights.length} entries, ${name} has ${values.length}`,
      );
    for (const w of weights)
      if (!Number.isFinite(w) || w < 0)
        throw new RangeError(`wasserstein1: ${name}Weights must be finite and >= 0 (no NaN)`);
  }
  for (let k = 0; k < order.length; k++)
    cum[k + 1] = cum[k] + (weights === undefined ? 1 : weights[order[k]]);
  const total = cum[order.length];
  if (!(total > 0)) throw new RangeError(`wasserstein1: ${name}Weights must have a positive sum`);
  return { values: sorted, cum, total };
}

/** Number of sorted values ≤ x (searchsorted side="right"), advancing a cursor over increasing x. */
function advance(sorted: Float64Array, from: number, x: number): number {
  let i = from;
  while (i < sorted.length && sorted[i] <= x) i++;
  return i;
}

export function wasserstein1(u: number[], v: number[], uWeights?: number[], vWeights?: number[]): number {
  const a = checkSide(u, uWeights, "u");
  const b = checkSide(v, vWeights, "v");
  const all = Float64Array.from([...a.values, ...b.values]).sort();
  let i = 0;
  let j = 0;
  let distance = 0;
  for (let k = 0; k + 1 < all.length; k++) {
    i = advance(a.values, i, all[k]);
    j = advance(b.values, j, all[k]);
    const delta = all[k + 1] - all[k];
    if (delta > 0) distance += Math.abs(a.cum[i] / a.total - b.cum[j] / b.total) * delta;
  }
  return distance;
}

/**
 * Wasserstein-1 of two weighted samples on one shared, strictly increasing support (two histograms
 * with the same bins): Σ_k |F_u(x_k) − F_v(x_k)|·(x_{k+1} − x_k), what wasserstein1 computes for such
 * input, in O(k) without sorting. Weights finite, ≥ 0, each side's sum > 0.
 */
export function wasserstein1Aligned(
  support: ArrayLike<number>,
  uWeights: ArrayLike<number>,
  vWeights: ArrayLike<number>,
): number {
  const n = support.length;
  if (n === 0 || uWeights.length !== n || vWeights.length !== n) {
    throw new RangeError(
      "wasserstein1Aligned: support and both weight vectors must be non-empty and of one length",
    );
  }
  let su = 0;
  let sv = 0;
  for (let k = 0; k < n; k++) {
    const a = uWeights[k];
    const b = vWeights[k];
    if (!(a >= 0 && b >= 0 && Number.isFinite(a + b))) {
      throw new RangeError("wasserstein1Aligned: weights must be finite and >= 0 (no NaN)");
    }
    if (k > 0 && !(support[k] > support[k - 1])) {
      throw new RangeError("wasserstein1Aligned: support must be strictly increasing");
    }
    su += a;
    sv += b;
  }
  if (!(su > 0 && sv > 0)) throw new RangeError("wasserstein1Aligned: weights must have a positive sum");
  let cu = 0;
  let cv = 0;
  let distance = 0;
  for (let k = 0; k + 1 < n; k++) {
    cu += uWeights[k];
    cv += vWeights[k];
    distance += Math.abs(cu / su - cv / sv) * (support[k + 1] - support[k]);
  }
  return distance;
}
