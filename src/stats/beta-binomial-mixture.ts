import { logGamma } from "./gamma.js";
import { normalMixtureRho } from "./normal-mixture.js";

/**
 * Two-sided beta-binomial mixture test martingale for one quantile (Howard & Ramdas 2022, "Sequential
 * estimation of quantiles…", Thm 5; Howard et al. 2021 Prop. 7; `confseq` `BetaBinomialMixture` with
 * is_one_sided = false, as used by `QuantileABTest`).
 *
 * For increments bounded in [−g, h] (here the indicator 1{X ≤ x} − p, so g = p, h = 1 − p), with S the
 * centred sum and V the intrinsic time,
 *
 *   ln M(S, V) = (V/(gh))·ln(g+h) − ((V+hS)/(h(g+h)))·ln g − ((V−gS)/(g(g+h)))·ln h
 *              + ln B((r+V−gS)/(g(g+h)), (r+V+hS)/(h(g+h))) − ln B(r/(g(g+h)), r/(h(g+h)))
 *
 * with r = max(ρ − gh, 10⁻³·gh) and ρ the normal-mixture precision tuned at v_opt. For the p-quantile of an
 * arm with n observations of which a fraction F̂(x) is ≤ x: S = (F̂(x) − p)·n, V = p(1−p)·n. It is a
 * nonnegative supermartingale under "x is the p-quantile", so exp(−ln M) is an anytime-valid p-value. O(1).
 */

function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** ln M(S, V) of the two-sided beta-binomial mixture with range [−g, h] and prior parameter r. */
export function betaBinomialLogE(s: number, v: number, g: number, h: number, r: number): number {
  if (!(g > 0 && h > 0 && Number.isFinite(g) && Number.isFinite(h))) {
    throw new RangeError(`g and h must be positive and finite, got ${g}, ${h}`);
  }
  if (!(r > 0 && Number.isFinite(r))) throw new RangeError(`r must be positive and finite, got ${r}`);
  if (!(v >= 0 && Number.isFinite(v))) throw new RangeError(`v must be finite and >= 0, got ${v}`);
  const slack = 1e-9 * (1 + v / g + v / h);
  if (!(s >= -v / h - slack && s <= v / g + slack))
    throw new RangeError(`s must lie in [−v/h, v/g] = [${-v / h}, ${v / g}], got ${s}`);
  // Clamp the rounding slack away so the beta arguments stay positive.
  s = Math.min(v / g, Math.max(-v / h, s));
  const gh = g + h;
  return (
    (v / (g * h)) * Math.log(gh) -
    ((v + h * s) / (h * gh)) * Math.log(g) -
    ((v - g * s) / (g * gh)) * Math.log(h) +
    logBeta((r + v - g * s) / (g * gh), (r + v + h * s) / (h * gh)) -
    logBeta(r / (g * gh), r / (h * gh))
  );
}

/**
 * ln M for "x is the p-quantile" after n observations with a fraction propBelow at or below x, tuned for
 * t_opt observations at α_opt (confseq `QuantileABTest::arm_log_superMG`). 1.20235 for
 * (propBelow .93, n 1000, p .95, tOpt 100, αopt .05).
 */
export function quantileMixtureLogE(
  propBelow: number,
  n: number,
  p: number,
  tOpt: number,
  alphaOpt = 0.05,
): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  if (!(propBelow >= 0 && propBelow <= 1))
    throw new RangeError(`propBelow must be in [0, 1], got ${propBelow}`);
  if (!(n >= 0 && Number.isFinite(n))) throw new RangeError(`n must be finite and >= 0, got ${n}`);
  if (!(tOpt > 0 && Number.isFinite(tOpt))) throw new RangeError(`tOpt must be positive, got ${tOpt}`);
  const g = p;
  const h = 1 - p;
  const rho = normalMixtureRho(tOpt * g * h, alphaOpt);
  const r = Math.max(rho - g * h, 1e-3 * g * h);
  return betaBinomialLogE((propBelow - p) * n, g * h * n, g, h, r);
}
