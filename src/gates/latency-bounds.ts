import { LatencySketch } from "../sketch/latency-sketch.js";
import { cdfBandEpsilon, quantileBounds } from "../stats/cdf-band.js";

/**
 * Per-arm bounds on a latency quantile for the nonasymptotic methods of the latency gate (`quantile`:
 * single-quantile betting sequences; `band`: the Howard–Ramdas uniform CDF band). Each bound is about
 * the raw latencies: bucket edges, not representatives. See docs/gates/latency.md.
 */

/** Lower edge of the bucket whose representative is v (every member is ≥ it). */
export function lowerEdge(sketch: LatencySketch, v: number): number {
  if (v > 0) return v / (1 + sketch.alpha);
  if (v < 0) return v / (1 - sketch.alpha);
  return 0;
}

/** Upper edge of the bucket whose representative is v: every member is ≤ it. */
export function upperEdge(sketch: LatencySketch, v: number): number {
  if (v > 0) return v / (1 - sketch.alpha);
  if (v < 0) return v / (1 + sketch.alpha);
  return LatencySketch.MIN_INDEXABLE;
}

/**
 * Band method: anytime-valid bounds on one arm's q-quantile from the uniform CDF band (width ε_t,
 * valid for every t ≥ tMin at once), widened to the buckets' edges. Both sides hold together with
 * probability ≥ 1 − alpha.
 */
export function bandBounds(sketch: LatencySketch, q: number, alpha: number, tMin: number): [number, number] {
  const eps = cdfBandEpsilon(sketch.count, alpha, tMin);
  const [lo, hi] = quantileBounds(sketch.buckets(), q, eps);
  const a = sketch.alpha;
  return [lo / (1 + a), hi / (1 - a)];
}

/** Betting fractions of the mixture, as shares of the largest admissible one (0.9 … 0.0004). */
const GRID = Array.from({ length: 24 }, (_, j) => 0.9 * 2 ** (-j / 2));

/**
 * ln of the mixture test supermartingale for "mean of Y ≤ p" (direction +1) or "mean of Y ≥ p"
 * (direction −1), Y = 1{X ≤ x}, after t draws of which k had Y = 1:
 *   M = (1/J) Σ_j (1 + d·λ_j(1 − p))^k (1 − d·λ_j p)^(t − k),
 * λ_j ∈ (0, λmax) with λmax = 1/p (d = +1) or 1/(1 − p) (d = −1) so every factor stays positive.
 * Each product is a nonnegative supermartingale under its null, so is the average (Ville). O(J).
 */
function logMixture(k: number, t: number, p: number, direction: 1 | -1): number {
  const lambdaMax = direction === 1 ? 1 / p : 1 / (1 - p);
  let max = Number.NEGATIVE_INFINITY;
  const terms = GRID.map((c) => {
    const l = c * lambdaMax * direction;
    const term = k * Math.log1p(l * (1 - p)) + (t - k) * Math.log1p(-l * p);
    if (term > max) max = term;
    return term;
  });
  let sum = 0;
  for (const term of terms) sum += Math.exp(term - max);
  return max + Math.log(sum / GRID.length);
}

/**
 * Quantile method: a confidence sequence for one quantile from one-sided betting tests on the counts
 * below each bucket edge x (Howard & Ramdas 2022, §4, with a discrete mixture of betting fractions).
 * Claim "Q(q) > x" when the test of "F(x) ≥ q" rejects at level alphaSide, and "Q(q) ≤ x" when the
 * test of "F(x) ≤ q" does. A false claim of either kind implies a rejection by the test at the single
 * edge where F crosses q (the tests are monotone in the count), so each side errs with probability
 * ≤ alphaSide over all looks, ties and buckets included. O(buckets · J).
 */
export function quantileSequenceBounds(
  sketch: LatencySketch,
  q: number,
  alphaSide: number,
): [number, number] {
  const t = sketch.count;
  const threshold = Math.log(1 / alphaSide);
  let lower = Number.NEGATIVE_INFINITY;
  let upper = Number.POSITIVE_INFINITY;
  let k = 0;
  for (const [v, c] of sketch.buckets()) {
    k += c;
    const edge = upperEdge(sketch, v);
    // few draws at or below x: F(x) < q, so Q(q) lies above this edge
    if (logMixture(k, t, q, -1) >= threshold) lower = edge;
    // many draws at or below x: F(x) > q, so Q(q) ≤ this edge; the first such edge is the bound
    if (upper === Number.POSITIVE_INFINITY && logMixture(k, t, q, 1) >= threshold) upper = edge;
  }
  return [lower, upper];
}
