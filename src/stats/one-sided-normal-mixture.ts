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
import { normalUpperTail } from "./normal-cody.js";

function requireAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 0.5)) throw new RangeError(`alpha must be in (0, 0.5), got ${alpha}`);
}

function requirePositive(name: string, x: number): void {
  if (!(x > 0 && Number.isFinite(x)))
    throw new RangeError(`${name} must be a positive finite number, got ${x}`);
}

/** ln Φ(x) without underflow for very negative x (Mills-ratio asymptote below −30). */
function logNormalCdf(x: number): number {
  if (x > -30) return Math.log(normalUpperTail(-x));
  return -0.5 * x * x - Math.log(-x) - 0.5 * Math.log(2 * Math.PI);
}

/** φ(x)/Φ(x), the derivative of ln Φ (its Mills-ratio limit −x below −30). */
function normalHazard(x: number): number {
  if (x < -30) return -x;
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI) / normalUpperTail(-x);
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
 * The boundary b(V): the S ≥ 0 with ln M⁺(S, V) = ln(1/α) (M⁺(0, V) < 1, and ln M⁺ increases in S).
 * Newton's method from the point where the quadratic term alone reaches the target (ln M⁺ is convex
 * in S there, so the steps approach from above without overshooting), safeguarded by bisection.
 * A judgement bounds dozens of contrasts, so this runs in a few evaluations rather than ~80.
 */
export function oneSidedMixtureBoundary(v: number, rho: number, alpha: number): number {
  requireAlpha(alpha);
  requirePositive("rho", rho);
  const target = Math.log(1 / alpha);
  const w = v + rho;
  const f = (s: number) => oneSidedMixtureLogE(s, v, rho) - target;
  let lo = 0;
  // ln M⁺(S) ≥ ln 2 + ½ln(ρ/w) + S²/(2w) + ln Φ(0) for S ≥ 0, so this S already reaches the target
  let hi = Math.sqrt(w * (2 * target + Math.log(w / rho)));
  while (f(hi) < 0) hi *= 2;
  let s = hi;
  for (let i = 0; i < 100; i++) {
    const value = f(s);
    if (Math.abs(value) < 1e-12) return s;
    if (value > 0) hi = s;
    else lo = s;
    const slope = s / w + normalHazard(s / Math.sqrt(w)) / Math.sqrt(w);
    let next = s - value / slope;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - s) <= 1e-13 * Math.max(1, s)) return next;
    s = next;
  }
  return s;
}
