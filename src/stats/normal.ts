/**
 * Standard normal distribution: Φ(z), 1 − Φ(z) and Φ⁻¹(p).
 *
 * Φ(z) = ½·erfc(−z/√2). erfc is computed from two expansions that never subtract nearly equal
 * numbers where it matters: for |x| < 0.5 the all-positive series
 *   erf(x) = (2/√π)·e^{−x²}·Σ_{k≥0} 2^k x^{2k+1} / (1·3·…·(2k+1)),
 * and for x ≥ 0.5 the continued fraction (modified Lentz)
 *   erfc(x) = (e^{−x²}/√π) · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))).
 * e^{−x²} is evaluated as e^{−h²}·e^{−(x−h)(x+h)} with h = x rounded to 1/65536, so the rounding of x²
 * does not cost relative accuracy in the far tail (the trick of cephes `expx2`, which scipy's `ndtr` uses).
 * normalSf keeps full relative accuracy for large z, where 1 − Φ(z) would cancel.
 *
 * Φ⁻¹ starts from Acklam's rational approximation (relative error 1.15e-9) and applies two Halley
 * steps against the accurate Φ, giving ≈ 1e-15 relative error; the lower half is refined on Φ and the
 * upper half by symmetry on 1 − p (exact for p ≥ ½), like scipy.special.ndtri.
 *
 * Reference: scipy.stats.norm.cdf / sf / ppf (scipy 1.10); Acklam (2003), "An algorithm for computing
 * the inverse normal cumulative distribution function". Complexity: O(1) (at most a few hundred
 * continued-fraction terms near |x| = 0.5).
 */

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** e^{−s·x²} without the relative error that rounding x² would introduce for large |x|. */
function expMinusSquare(x: number, s = 1): number {
  const ax = Math.abs(x);
  const hi = Math.round(ax * 65536) / 65536;
  const lo = ax - hi;
  return Math.exp(-s * hi * hi) * Math.exp(-s * lo * (ax + hi));
}

function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let k = 1; k < 200; k++) {
    term *= (2 * x2) / (2 * k + 1);
    sum += term;
    if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * Math.exp(-x2) * sum;
}

/** e^{x²}·erfc(x) for x ≥ 0.5 by Lentz's method on the continued fraction above. */
function erfcxFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return 1 / (SQRT_PI * f);
}

/** Complementary error function, accurate in relative terms for all finite x. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) throw new RangeError("erfc: x must not be NaN");
  if (x < 0.5) {
    if (x > -0.5) return 1 - erfSeries(x);
    return 2 - erfc(-x);
  }
  if (x > 27.3) return 0; // erfc underflows below the smallest double
  return erfcxFraction(x) * expMinusSquare(x);
}

/** Φ(z), the standard normal CDF. */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) throw new RangeError("normalCdf: z must not be NaN");
  return z < 0 ? normalSf(-z) : 1 - normalSf(z);
}

/** 1 − Φ(z) without cancellation. */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) throw new RangeError("normalSf: z must not be NaN");
  const x = z / Math.SQRT2;
  if (x < 0.5) return 0.5 * erfc(x);
  if (z > 38.5) return 0; // below the smallest subnormal double
  // The Gaussian factor is taken from z itself: rounding z/√2 would cost ~z²·ε relative accuracy.
  return 0.5 * erfcxFraction(x) * expMinusSquare(z, 0.5);
}

const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

function acklam(p: number): number {
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

/** Φ⁻¹(p) for p in (0, ½], refined with Halley steps on the accurate Φ. */
function lowerQuantile(p: number): number {
  let x = acklam(p);
  for (let i = 0; i < 2; i++) {
    // Near the median Φ(x) − p cancels; (Φ(x) − ½) − (p − ½) keeps relative accuracy (p − ½ is exact).
    const e = p > 0.25 ? 0.5 * erfSeries(x / Math.SQRT2) - (p - 0.5) : normalCdf(x) - p;
    const u = e * SQRT_2PI * Math.exp((x * x) / 2);
    x -= u / (1 + (x * u) / 2);
  }
  return x;
}

/** Φ⁻¹(p), p in (0, 1). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile: p must be in (0, 1), got ${p}`);
  return p <= 0.5 ? lowerQuantile(p) : -lowerQuantile(1 - p);
}
