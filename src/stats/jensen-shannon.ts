/**
 * Jensen–Shannon distance between two discrete distributions, base 2 (so it lies in [0, 1]), like
 * scipy.spatial.distance.jensenshannon(p, q, base=2).
 *
 * p and q are normalised to sum 1 (counts or probabilities are both fine), m = (p + q)/2, and
 *   JS = √( (KL(p‖m) + KL(q‖m)) / (2 ln 2) ),   KL(a‖b) = Σ a_i ln(a_i/b_i) with 0·ln 0 = 0.
 * It is the square root of the JS divergence, hence a metric; 0 iff p = q.
 * Rounding can make the divergence a hair below 0 for identical inputs; it is clamped so √ is defined.
 *
 * Reference: scipy 1.10 `scipy/spatial/distance.py::jensenshannon`; Endres & Schindelin (2003).
 * Complexity: O(bins).
 */

function normalised(values: ArrayLike<number>, name: string): Float64Array {
  if (values.length === 0) throw new RangeError(`jensenShannon: ${name} must not be empty`);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || v < 0)
      throw new RangeError(`jensenShannon: ${name} must be finite and >= 0 (no NaN)`);
    total += v;
  }
  if (!(total > 0)) throw new RangeError(`jensenShannon: ${name} must have a positive total`);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] / total;
  return out;
}

/** x·ln(x/y) with scipy.special.rel_entr's conventions (x = 0 → 0). */
function relEntr(x: number, y: number): number {
  return x > 0 ? x * Math.log(x / y) : 0;
}

export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length)
    throw new RangeError(`jensenShannon: p has ${p.length} entries, q has ${q.length}`);
  const pn = normalised(p, "p");
  const qn = normalised(q, "q");
  let left = 0;
  let right = 0;
  for (let i = 0; i < pn.length; i++) {
    const m = (pn[i] + qn[i]) / 2;
    left += relEntr(pn[i], m);
    right += relEntr(qn[i], m);
  }
  const js = (left + right) / Math.LN2;
  return Math.sqrt(Math.max(0, js / 2));
}
