/**
 * The information limit every gate is measured against (REFERENCES §7): a fixed-sample, one-sided
 * z-test that knows the true variance, at the gate's share of alpha, with 80% power against the gate's
 * own tolerance boundary. Its sample size is the smallest candidate n with effect/se(n) ≥ z(1−α_g) +
 * z(power), where effect is the distance from the truth to the boundary (a fail) or from the truth to
 * the boundary on the other side (a pass). Here se(n) = se1/√n, with the baseline's size a fixed
 * multiple of the candidate's folded into se1.
 */
import { kolmogorovQuantile } from "../../src/stats/kolmogorov.js";
import { normalQuantile } from "../../src/stats/normal.js";

export {
  aucVariance1,
  hanleyMcNeilVariance,
  logQuantileSd1,
  mixtureLaw,
  normalLaw,
  parityRatioVariance,
  psiSd1,
} from "../../src/plan/variance-models.js";
// The variance models (sd·√n of each gate's contrast) live with the plan, which needs them too.
export { kolmogorovCdf } from "../../src/stats/kolmogorov.js";

/** Smallest n with effect·√n/se1 ≥ z(1−α) + z(power). */
export function oracleN(effect: number, se1: number, alpha: number, power = 0.8): number {
  if (!(effect > 0)) throw new RangeError(`effect must be positive, got ${effect}`);
  const z = normalQuantile(1 - alpha) + normalQuantile(power);
  return Math.ceil(((z * se1) / effect) ** 2);
}

/**
 * Oracle for "equal distributions pass a KS tolerance": the fixed-sample two-sample KS equivalence test
 * passes when D̂ + c_α/√n_eff ≤ tol (c_α the Kolmogorov 1 − α quantile); with equal laws √n_eff·D̂
 * follows the Kolmogorov law, so 80% of runs pass once √n_eff·tol ≥ c_α + K⁻¹(0.8). Returns the
 * candidate n for a baseline of k·n (n_eff = n·k/(k + 1)).
 */
export function ksEquivalenceN(tol: number, alpha: number, k: number, power = 0.8): number {
  const root = (kolmogorovQuantile(1 - alpha) + kolmogorovQuantile(power)) / tol;
  return Math.ceil(root * root * ((k + 1) / k));
}
