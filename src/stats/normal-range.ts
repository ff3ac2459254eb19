/**
 * The range R = max − min of g independent standard normal draws (Tippett 1925; the d₂ constant of
 * control charts is its mean):
 *
 *   P(R ≤ w) = g·∫ φ(x)·(Φ(x + w) − Φ(x))^{g−1} dx,   E[R] = ∫ (1 − Φ(x)^g − (1 − Φ(x))^g) dx
 *
 * by Simpson quadrature on [−10, 10]; the quantile by bisection on [0, 20]. d₂ = 1.128 (g = 2),
 * 1.693 (3), 2.059 (4), 2.326 (5). For g = 2, R = |N(0, 2)|. O(quadrature points) per evaluation.
 */
import { normalCdf, normalQuantile } from "./normal.js";

const phi = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

function simpson(f: (x: number) => number, lo = -10, hi = 10, steps = 2000): number {
  const h = (hi - lo) / steps;
  let total = 0;
  for (let i = 0; i <= steps; i++) {
    const w = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    total += w * f(lo + i * h);
  }
  return (total * h) / 3;
}

function requireGroups(g: number): void {
  if (!(Number.isInteger(g) && g >= 2)) throw new RangeError(`groups must be an integer >= 2, got ${g}`);
}

/** P(R ≤ w) for the range of g standard normals. */
export function normalRangeCdf(g: number, w: number): number {
  requireGroups(g);
  if (!(w > 0)) return 0;
  return Math.min(1, g * simpson((x) => phi(x) * (normalCdf(x + w) - normalCdf(x)) ** (g - 1)));
}

/** The p-quantile of the range of g standard normals (for g = 2, √2·Φ⁻¹((1 + p)/2)). */
export function normalRangeQuantile(g: number, p: number): number {
  requireGroups(g);
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  if (g === 2) return Math.SQRT2 * normalQuantile((1 + p) / 2);
  let lo = 0;
  let hi = 20;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (normalRangeCdf(g, mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** E[R], the d₂ constant. */
export function normalRangeMean(g: number): number {
  requireGroups(g);
  return simpson((x) => 1 - normalCdf(x) ** g - (1 - normalCdf(x)) ** g);
}
