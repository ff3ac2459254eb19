/**
 * One-sided normal-mixture boundary (Howard, Ramdas, McAuliffe & Sekhon 2021, "Time-uniform,
 * nonparametric, nonasymptotic confidence sequences", Annals of Statistics, §3 and Prop. 6; `confseq`
 * `OneSidedNormalMixture`).
 *
 * Let S be a centred sum whose increments are (asymptotically) Gaussian and V its intrinsic time (the
 * accumulated variance, i.e. the Fisher information of the estimate: V = 1/se², S = (θ̂ − θ)·V).
 * Mixing exp(λS − λ²V/2) over λ ~ N(0, 1/ρ) restricted to λ ≥ 0 (the half-normal density 2φ) gives
 *
 *   M⁺(S, V) = 2·sqrt(ρ/(V+ρ)) · exp(S²/(2(V+ρ))) · Φ(S/sqrt(V+ρ)),
 *
 * a nonnegative supermartingale under "θ is the true value", so by Ville's inequality
 * P(∃t: M⁺_t ≥ 1/α) ≤ α. The boundary b(V) is the S where ln M⁺ = ln(1/α) (M⁺ increases in S), and
 * θ̂ − b(V)/V is a lower confidence sequence for θ: wrong at some look with probability ≤ α, however
 * many looks there are. Only the upper side is spent, so a one-sided claim costs about what a
 * two-sided mixture costs at 2α.
 *
 * Tuning: ρ = v/(2 ln(1/(2α)) + ln(1 + 2 ln(1/(2α)))) makes the boundary tightest near V = v (the
 * two-sided optimum of Howard et al. eq. (3.6) at level 2α, as `confseq` tunes its one-sided mixture).
 * Complexity: O(1) per evaluation; the boundary is a ~60-step bisection.
 */
import { normalCdf } from "./normal.js";

function requireAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 0.5)) throw new RangeError(`alpha must be in (0, 0.5), got ${alpha}`);
}

function requirePositive(name: string, x: number): void {
  if (!(x > 0 && Number.isFinite(x)))
    throw new RangeError(`${name} must be a positive finite number, got ${x}`);
}

/** ln Φ(x) without underflow for very negative x (Mills-ratio asymptote below −30). */
function logNormalCdf(x: number): number {
  if (x > -30) return Math.log(normalCdf(x));
  return -0.5 * x * x - Math.log(-x) - 0.5 * Math.log(2 * Math.PI);
}

/** ln M⁺(S, V) for mixture precision ρ. */
export function oneSidedMixtureLogE(s: number, v: number, rho: number): number {
  if (!Number.isFinite(s)) throw new RangeError(`s must be finite, got ${s}`);
  if (!(v >= 0 && Number.isFinite(v))) throw new RangeError(`v must be finite and >= 0, got ${v}`);
  requirePositive("rho", rho);
  const w = v + rho;
  return Math.LN2 + 0.5 * Math.log(rho / w) + (s * s) / (2 * w) + logNormalCdf(s / Math.sqrt(w));
}

/** Mixture precision that makes the one-sided boundary tightest near intrinsic time vOpt. */
export function oneSidedMixtureRho(vOpt: number, alpha: number): number {
  requirePositive("vOpt", vOpt);
  requireAlpha(alpha);
  const l = 2 * Math.log(1 / (2 * alpha));
  return vOpt / (l + Math.log(1 + l));
}

/**
 * The boundary b(V): the smallest S with ln M⁺(S, V) ≥ ln(1/α). Always positive (M⁺(0, V) < 1).
 * Bisection between 0 and the two-sided boundary at α (M⁺ ≥ M_two-sided·… bounds it above).
 */
export function oneSidedMixtureBoundary(v: number, rho: number, alpha: number): number {
  requireAlpha(alpha);
  const target = Math.log(1 / alpha);
  let lo = 0;
  // ln M⁺(S) ≥ ln 2 + ½ln(ρ/w) + S²/(2w) + ln Φ(0) for S ≥ 0, so this S already reaches the target
  let hi = Math.sqrt((v + rho) * (2 * target + Math.log((v + rho) / rho)));
  while (oneSidedMixtureLogE(hi, v, rho) < target) hi *= 2;
  for (let i = 0; i < 80 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (oneSidedMixtureLogE(mid, v, rho) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}
