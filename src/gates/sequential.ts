import { normalQuantile } from "../stats/normal.js";
import { oneSidedMixtureBoundary, oneSidedMixtureRho } from "../stats/one-sided-normal-mixture.js";

/**
 * The decision engine every gate shares: a gate reduces each of its claims to a contrast — an
 * asymptotically normal estimate θ̂ with standard error se (a log quantile ratio, an AUC difference,
 * a parity ratio, a rate difference) — and asks here for a one-sided confidence bound on θ at this
 * look. A claim "θ > θ₀" is proven when the lower bound exceeds θ₀; "θ < θ₀" when the upper bound is
 * below it. Keeping the bound in one place is what makes every gate's guarantee the same statement.
 *
 * Anytime-valid bounds come from the one-sided normal mixture (Howard et al. 2021) on the contrast
 * itself, in intrinsic time V = 1/se² — the asymptotic confidence sequence of Waudby-Smith et al.
 * (2023) for an asymptotically linear estimate — so the two arms' variances add (one sequence for the
 * difference) rather than each arm being bounded separately and combined at its worst ends.
 *
 * The mixture is tuned where the gate's decisions fall: at the information a fixed-sample test would
 * need to resolve an effect the size of the gate's tolerance (`scale`) with 80% power, times
 * TUNING_FACTOR (a time-uniform boundary needs about that much more). The tuning depends on the
 * tolerance and alpha only, never on the data, so the bound stays valid whatever Argo's schedule.
 */
export const TUNING_FACTOR = 2;

export interface Contrast {
  /** θ̂ */
  estimate: number;
  /** standard error of θ̂ (> 0) */
  se: number;
}

/** Intrinsic time at which the mixture for a claim at `alpha` on an effect scale `scale` is tightest. */
export function tuningInformation(alpha: number, scale: number): number {
  const z = normalQuantile(1 - alpha) + normalQuantile(0.8);
  return TUNING_FACTOR * (z / scale) ** 2;
}

/** Half-width b(V)/V of the anytime-valid one-sided bound at information V = 1/se². */
export function anytimeHalfWidth(se: number, alpha: number, scale: number): number {
  if (!(se > 0 && Number.isFinite(se))) return Number.POSITIVE_INFINITY;
  const v = 1 / (se * se);
  const rho = oneSidedMixtureRho(tuningInformation(alpha, scale), alpha);
  return oneSidedMixtureBoundary(v, rho, alpha) / v;
}

/** Anytime-valid lower confidence bound for θ at level alpha (−∞ when se is not finite and positive). */
export function lowerBound(c: Contrast, alpha: number, scale: number): number {
  if (!Number.isFinite(c.estimate)) return Number.NEGATIVE_INFINITY;
  return c.estimate - anytimeHalfWidth(c.se, alpha, scale);
}

/** Anytime-valid upper confidence bound for θ at level alpha (+∞ when se is not finite and positive). */
export function upperBound(c: Contrast, alpha: number, scale: number): number {
  if (!Number.isFinite(c.estimate)) return Number.POSITIVE_INFINITY;
  return c.estimate + anytimeHalfWidth(c.se, alpha, scale);
}
