/**
 * Delta-method variance of the PSI estimate of two samples binned into the same B bins.
 *
 *   PSI = Σ_i (c_i − r_i)·ln(c_i/r_i),   c = candidate shares (n draws), r = baseline shares (m draws)
 *   ∂PSI/∂c_i = a_i = ln(c_i/r_i) + 1 − r_i/c_i,   ∂PSI/∂r_i = b_i = −ln(c_i/r_i) + 1 − c_i/r_i
 *   Var ≈ (Σ a_i² c_i − (Σ a_i c_i)²)/n + (Σ b_i² r_i − (Σ b_i r_i)²)/m
 *
 * (multinomial covariance diag(p) − ppᵀ for each sample). Shares are floored like psiFromCounts (an
 * empty bin at `floor`) so every term is finite. When the two distributions agree every gradient is
 * 0 and the variance is 0: the estimate is then second order (≈ χ²_{B−1}/n_eff, the noise floor), which
 * is why a gate claims "PSI > limit" with this variance only for limits well above the noise floor.
 * Reference: Yurdakul (2018), "Statistical properties of population stability index" (asymptotic
 * normality of PSI under alternatives). Checked against a numpy Monte Carlo of multinomial draws
 * (test/fixtures/reference/gen_psi_variance.py). Complexity: O(B).
 */
export function psiVariance(baseline: ArrayLike<number>, candidate: ArrayLike<number>, floor = 1e-4): number {
  if (baseline.length !== candidate.length || baseline.length === 0) {
    throw new RangeError(
      "psiVariance: baseline and candidate must be non-empty count vectors of equal length",
    );
  }
  let m = 0;
  let n = 0;
  for (let i = 0; i < baseline.length; i++) {
    if (!(baseline[i] >= 0 && candidate[i] >= 0 && Number.isFinite(baseline[i] + candidate[i]))) {
      throw new RangeError("psiVariance: counts must be finite and >= 0");
    }
    m += baseline[i];
    n += candidate[i];
  }
  if (!(m > 0 && n > 0)) throw new RangeError("psiVariance: both samples must have a positive total");
  let sa = 0;
  let sa2 = 0;
  let sb = 0;
  let sb2 = 0;
  for (let i = 0; i < baseline.length; i++) {
    const r = Math.max(baseline[i] / m, floor);
    const c = Math.max(candidate[i] / n, floor);
    const l = Math.log(c / r);
    const a = l + 1 - r / c;
    const b = -l + 1 - c / r;
    sa += a * c;
    sa2 += a * a * c;
    sb += b * r;
    sb2 += b * b * r;
  }
  return Math.max(0, sa2 - sa * sa) / n + Math.max(0, sb2 - sb * sb) / m;
}
