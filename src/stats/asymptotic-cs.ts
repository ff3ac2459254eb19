/**
 * Asymptotic confidence sequences (a time-uniform central limit theorem): Waudby-Smith, Arbour, Sinha,
 * Kennedy & Ramdas (2023), "Time-uniform central limit theory and asymptotic confidence sequences",
 * arXiv 2103.06476 (eq. 155 of v7), in the two-sample form GrowthBook ships (`gbstats` sequential t-test).
 *
 * For i.i.d. data with finite variance σ², after n observations, with tuning ρ chosen so the sequence is
 * tightest at n = N*:
 *
 *   ρ = sqrt((−2 ln α + ln(1 − 2 ln α)) / N*)
 *   half-width_n = σ · sqrt( 2(nρ²+1)/(n²ρ²) · ln( sqrt(nρ²+1)/α ) )
 *
 * For a difference of means (candidate − baseline), n = n_b + n_c, SE² = s_b²/n_b + s_c²/n_c and σ̂² = n·SE².
 * The matching e-value is e_n = exp(ρ²·(nΔ̂²/SE²)/(2(nρ²+1))) / sqrt(nρ²+1) and p_n = min(1, 1/e_n), which
 * crosses α exactly when the interval excludes 0. Coverage is asymptotic (valid as n grows, uniformly over
 * time); exact for Gaussian data. O(1).
 */

/** Estimate, anytime-valid interval and anytime-valid p-value (of "difference = 0"). */
export interface ConfidenceSequence {
  estimate: number;
  lower: number;
  upper: number;
  pValue: number;
}

/** Summary of one arm: sample mean, sample variance (s²) and count. */
export interface ArmMoments {
  mean: number;
  variance: number;
  n: number;
}

export const DEFAULT_N_STAR = 5000;

function requireAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
}

/** ρ = sqrt((−2 ln α + ln(1 − 2 ln α)) / N*); 0.039840 for (.05, 5000). */
export function asymptoticCsRho(alpha: number, nStar: number = DEFAULT_N_STAR): number {
  requireAlpha(alpha);
  if (!(nStar > 0 && Number.isFinite(nStar))) throw new RangeError(`nStar must be positive, got ${nStar}`);
  const l = -2 * Math.log(alpha);
  return Math.sqrt((l + Math.log1p(l)) / nStar);
}

function requireN(n: number): void {
  if (!(n > 0 && Number.isFinite(n))) throw new RangeError(`n must be a positive finite number, got ${n}`);
}

function requireSigma2(sigma2: number): void {
  if (!(sigma2 >= 0 && Number.isFinite(sigma2)))
    throw new RangeError(`sigma2 must be finite and >= 0, got ${sigma2}`);
}

/** Two-sided half-width σ·sqrt(2(nρ²+1)/(n²ρ²)·ln(sqrt(nρ²+1)/α)); 0.042924 at n = 5000, σ² = 1, α = .05. */
export function asymptoticCsHalfWidth(
  n: number,
  sigma2: number,
  alpha: number,
  nStar: number = DEFAULT_N_STAR,
): number {
  requireN(n);
  requireSigma2(sigma2);
  const rho2 = asymptoticCsRho(alpha, nStar) ** 2;
  const a = n * rho2 + 1;
  return Math.sqrt(sigma2 * ((2 * a) / (n * n * rho2)) * Math.log(Math.sqrt(a) / alpha));
}

/**
 * One-sided half-width (a bound valid on one side only, at level α):
 * σ·sqrt(2(nρ²+1)/(n²ρ²)·ln(1 + sqrt(nρ²+1)/(2α))) with ρ tuned at 2α, as GrowthBook does.
 */
export function asymptoticCsOneSidedHalfWidth(
  n: number,
  sigma2: number,
  alpha: number,
  nStar: number = DEFAULT_N_STAR,
): number {
  requireN(n);
  requireSigma2(sigma2);
  if (!(alpha > 0 && alpha < 0.5)) throw new RangeError(`one-sided alpha must be in (0, 0.5), got ${alpha}`);
  const rho2 = asymptoticCsRho(2 * alpha, nStar) ** 2;
  const a = n * rho2 + 1;
  return Math.sqrt(sigma2 * ((2 * a) / (n * n * rho2)) * Math.log1p(Math.sqrt(a) / (2 * alpha)));
}

function requireArm(name: string, arm: ArmMoments): void {
  if (!Number.isFinite(arm.mean)) throw new RangeError(`${name}.mean must be finite, got ${arm.mean}`);
  if (!(arm.variance >= 0 && Number.isFinite(arm.variance))) {
    throw new RangeError(`${name}.variance must be finite and >= 0, got ${arm.variance}`);
  }
  if (!(arm.n >= 1 && Number.isFinite(arm.n))) throw new RangeError(`${name}.n must be >= 1, got ${arm.n}`);
}

/** Anytime-valid interval and p-value for candidate.mean − baseline.mean (GrowthBook's two-sample form). */
export function asymptoticCsDifference(
  baseline: ArmMoments,
  candidate: ArmMoments,
  alpha: number,
  nStar: number = DEFAULT_N_STAR,
): ConfidenceSequence {
  requireArm("baseline", baseline);
  requireArm("candidate", candidate);
  const estimate = candidate.mean - baseline.mean;
  const se2 = baseline.variance / baseline.n + candidate.variance / candidate.n;
  const n = baseline.n + candidate.n;
  const halfWidth = asymptoticCsHalfWidth(n, n * se2, alpha, nStar);
  const rho2 = asymptoticCsRho(alpha, nStar) ** 2;
  const a = n * rho2 + 1;
  let pValue: number;
  if (se2 === 0) {
    // No spread in either arm: the data are deterministic, so any difference is certain.
    pValue = estimate === 0 ? 1 : 0;
  } else {
    const logE = (rho2 * ((n * estimate * estimate) / se2)) / (2 * a) - 0.5 * Math.log(a);
    pValue = logE <= 0 ? 1 : Math.exp(-logE);
  }
  return { estimate, lower: estimate - halfWidth, upper: estimate + halfWidth, pValue };
}
