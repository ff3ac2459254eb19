/**
 * Two-sided normal-mixture test martingale and its boundary (Howard, Ramdas, McAuliffe & Sekhon 2021,
 * "Time-uniform, nonparametric, nonasymptotic confidence sequences", Annals of Statistics; the same
 * construction as the mSPRT of Johari et al. 2017; `confseq` `TwoSidedNormalMixture`).
 *
 * Let S be a centred sum of increments and V its intrinsic time (accumulated variance). Mixing
 * exp(λS − λ²V/2) over λ ~ N(0, 1/ρ) gives
 *
 *   M(S, V) = sqrt(ρ/(V+ρ)) · exp(S²/(2(V+ρ)))
 *
 * a nonnegative (super)martingale with mean 1 under H₀ (sub-Gaussian increments with mean 0), so by Ville's
 * inequality P₀(∃t: M_t ≥ 1/α) ≤ α. Rejecting when M ≥ 1/α is equivalent to the two-sided boundary
 *
 *   |S| ≥ sqrt((V+ρ)·(ln(1 + V/ρ) + 2 ln(1/α)))
 *
 * The mixture precision ρ = v_opt / (2 ln(1/α) + ln(1 + 2 ln(1/α))) makes the boundary tightest at V = v_opt.
 * Everything is O(1).
 */

function requireAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
}

function requirePositive(name: string, x: number): void {
  if (!(x > 0 && Number.isFinite(x)))
    throw new RangeError(`${name} must be a positive finite number, got ${x}`);
}

function requireNonNegative(name: string, x: number): void {
  if (!(x >= 0 && Number.isFinite(x))) throw new RangeError(`${name} must be finite and >= 0, got ${x}`);
}

/** Mixture precision ρ that makes the two-sided boundary tightest at intrinsic time vOpt (12.6006 for (100, .05)). */
export function normalMixtureRho(vOpt: number, alpha: number): number {
  requirePositive("vOpt", vOpt);
  requireAlpha(alpha);
  const l = 2 * Math.log(1 / alpha);
  return vOpt / (l + Math.log(1 + l));
}

/** ln M(S, V) = ½ ln(ρ/(V+ρ)) + S²/(2(V+ρ)); 2.9014 for (30, 100, 12.6006). */
export function normalMixtureLogE(s: number, v: number, rho: number): number {
  if (!Number.isFinite(s)) throw new RangeError(`s must be finite, got ${s}`);
  requireNonNegative("v", v);
  requirePositive("rho", rho);
  return 0.5 * Math.log(rho / (v + rho)) + (s * s) / (2 * (v + rho));
}

/** Two-sided boundary on |S| at intrinsic time V: sqrt((V+ρ)(ln(1+V/ρ) + 2 ln(1/α))); 30.352 at V = 100. */
export function normalMixtureBoundary(v: number, rho: number, alpha: number): number {
  requireNonNegative("v", v);
  requirePositive("rho", rho);
  requireAlpha(alpha);
  return Math.sqrt((v + rho) * (Math.log1p(v / rho) + 2 * Math.log(1 / alpha)));
}

/** Anytime-valid p-value for a single look, min(1, 1/M); take the running minimum across looks. */
export function normalMixturePValue(s: number, v: number, rho: number): number {
  const logE = normalMixtureLogE(s, v, rho);
  return logE <= 0 ? 1 : Math.exp(-logE);
}
