/**
 * The information limit every gate is measured against (REFERENCES §7): a fixed-sample, one-sided
 * z-test that knows the true variance, at the gate's share of alpha, with 80% power against the gate's
 * own tolerance boundary. Its sample size is the smallest candidate n with effect/se(n) ≥ z(1−α_g) +
 * z(power), where effect is the distance from the truth to the boundary (a fail) or from the truth to
 * the boundary on the other side (a pass). Here se(n) = se1/√n, with the baseline's size a fixed
 * multiple of the candidate's folded into se1.
 */
import { kolmogorovQuantile } from "../../src/stats/kolmogorov.js";
import { normalCdf, normalQuantile } from "../../src/stats/normal.js";

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
 * The oracle's power with n events, from its n80 (oracleN at 80%): the fixed-sample one-sided z-test
 * at alpha detects the effect with probability Φ((z_{1−α} + z_{0.8})·√(n/n80) − z_{1−α}).
 */
export function oraclePower(n80: number, n: number, alpha: number): number {
  const za = normalQuantile(1 - alpha);
  return normalCdf((za + normalQuantile(0.8)) * Math.sqrt(n / n80) - za);
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

/**
 * A pass on a rate difference ("the increase p_c − p_b is below δ") when the rates are equal: the
 * oracle's z-test uses the variance at the truth, σ_t, but at the boundary it must hold against (p_c =
 * p_b + δ) the variance is larger, σ_0, so that test's size there is Φ(−z(1−α)·σ_t/σ_0) > α. A valid
 * fixed-sample test needs effect·√n ≥ z(1−α)·σ_0 + z(power)·σ_t: the information limit a valid pass
 * can reach. Candidate n for a baseline of k·n, both rates p.
 */
/**
 * The smallest fixed-sample n at which a *valid* one-sided z-test detects the effect with the given
 * power when the variance depends on the rate: its critical value comes from the variance at the
 * boundary it must hold against (sd·√n = sdBoundary), its power from the variance at the truth
 * (sdTruth), so effect·√n ≥ z(1−α)·sdBoundary + z(power)·sdTruth (the Neyman–Pearson limit of a
 * normal approximation). With sdBoundary = sdTruth it is oracleN.
 */
export function validRateN(
  effect: number,
  sdTruth: number,
  sdBoundary: number,
  alpha: number,
  power = 0.8,
): number {
  const za = normalQuantile(1 - alpha);
  const zb = normalQuantile(power);
  return Math.ceil(((za * sdBoundary + zb * sdTruth) / effect) ** 2);
}

export function rateDifferencePassLimit(
  p: number,
  delta: number,
  k: number,
  alpha: number,
  power = 0.8,
): { oracleN: number; validN: number; oracleSize: number } {
  const sdTruth = Math.sqrt(p * (1 - p) * (1 + 1 / k));
  const q = p + delta;
  const sdBoundary = Math.sqrt(q * (1 - q) + (p * (1 - p)) / k);
  const za = normalQuantile(1 - alpha);
  return {
    oracleN: oracleN(delta, sdTruth, alpha, power),
    validN: validRateN(delta, sdTruth, sdBoundary, alpha, power),
    oracleSize: normalCdf((-za * sdTruth) / sdBoundary),
  };
}
