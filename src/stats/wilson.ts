import { normalQuantile } from "./normal.js";

/**
 * Wilson score interval for a binomial proportion.
 *
 *   p̂ = x/n,  z = Φ⁻¹(1 − (1 − confidence)/2)
 *   centre = (p̂ + z²/(2n)) / (1 + z²/n)
 *   half   = z·√(p̂(1 − p̂)/n + z²/(4n²)) / (1 + z²/n)
 *
 * Two-sided, like statsmodels proportion_confint(method="wilson"). Unlike the Wald interval
 * it stays inside [0, 1] and is not degenerate at x = 0 or x = n; the ends are pinned to
 * exactly 0 and 1 there so that round-off cannot exclude p̂. Counts may be weighted.
 * Reference: Wilson (1927); Brown, Cai & DasGupta (2001).
 * Complexity: O(1).
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): [number, number] {
  if (!(Number.isFinite(n) && n > 0)) throw new RangeError("wilsonInterval: n must be a finite count > 0");
  if (!(Number.isFinite(successes) && successes >= 0 && successes <= n)) {
    throw new RangeError("wilsonInterval: successes must be a finite count in [0, n]");
  }
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError("wilsonInterval: confidence must be in (0, 1)");
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const z2 = z * z;
  const p = successes / n;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  const lower = successes === 0 ? 0 : Math.min(p, Math.max(0, centre - half));
  const upper = successes === n ? 1 : Math.max(p, Math.min(1, centre + half));
  return [lower, upper];
}
