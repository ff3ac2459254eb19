/**
 * Lan–DeMets alpha-spending functions: how much of a one-sided level α a group-sequential test may have
 * spent by information fraction t (Lan & DeMets 1983, "Discrete sequential boundaries for clinical
 * trials", Biometrika 70(3); Jennison & Turnbull 2000, "Group Sequential Methods with Applications to
 * Clinical Trials", §7.2).
 *
 *   O'Brien–Fleming type: α(t) = 2 − 2Φ(z_{1−α/2}/√t)     (spends almost nothing early)
 *   Pocock type:          α(t) = α·ln(1 + (e − 1)·t)       (spends roughly evenly)
 *
 * Both are increasing, α(0⁺) = 0 and α(1) = α. A fraction t > 1 (more information than planned) spends
 * the whole α, as in Lan & DeMets. The O'Brien–Fleming form is evaluated as 2·(1 − Φ(·)) with the
 * upper tail taken directly, so tiny early spends keep their relative accuracy instead of cancelling.
 * Complexity: O(1).
 */
import { normalQuantile, normalSf } from "./normal.js";

export type SpendingFunction = "obrien-fleming" | "pocock";

export const SPENDING_FUNCTIONS: readonly SpendingFunction[] = ["obrien-fleming", "pocock"];

export function requireSpendingAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
}

export function requireSpendingFunction(spending: string): asserts spending is SpendingFunction {
  if (!(SPENDING_FUNCTIONS as readonly string[]).includes(spending))
    throw new RangeError(`spending must be one of ${SPENDING_FUNCTIONS.join(", ")}, got ${String(spending)}`);
}

/**
 * Cumulative alpha spent by information fraction t ∈ (0, ∞) (t ≥ 1 spends all of α). Returns 0 at t = 0.
 * Examples: obrien-fleming, α = 0.025, t = 0.5 → 0.001525; pocock, α = 0.025, t = 0.5 → 0.015512.
 */
export function spentAlpha(spending: SpendingFunction, alpha: number, fraction: number): number {
  requireSpendingFunction(spending);
  requireSpendingAlpha(alpha);
  if (!(fraction >= 0)) throw new RangeError(`fraction must be a number >= 0, got ${fraction}`);
  if (fraction >= 1) return alpha;
  if (fraction === 0) return 0;
  if (spending === "pocock") return alpha * Math.log1p((Math.E - 1) * fraction);
  return Math.min(alpha, 2 * normalSf(normalQuantile(1 - alpha / 2) / Math.sqrt(fraction)));
}
