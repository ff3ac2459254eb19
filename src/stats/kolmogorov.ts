/**
 * The Kolmogorov distribution, the limit law of √n·D for the one-sample KS distance D (and of
 * √n_eff·D for two samples, n_eff = n·m/(n + m)) when the laws agree:
 *
 *   K(x) = P(sup|B| ≤ x) = 1 − 2 Σ_{j≥1} (−1)^{j−1} e^{−2j²x²}   (B a Brownian bridge)
 *
 * like scipy.stats.kstwobign. The series is summed to 100 terms (it converges geometrically for x
 * above ~0.1); the quantile is an 80-step bisection on [0.1, 5]. O(1).
 */
export function kolmogorovCdf(x: number): number {
  if (x <= 0) return 0;
  let s = 0;
  for (let j = 1; j < 100; j++) s += (j % 2 ? 1 : -1) * Math.exp(-2 * j * j * x * x);
  return 1 - 2 * s;
}

/** K⁻¹(p) for p in (0, 1): K⁻¹(0.95) = 1.3581, K⁻¹(0.8) = 1.0727. */
export function kolmogorovQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  let lo = 0.1;
  let hi = 5;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (kolmogorovCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
