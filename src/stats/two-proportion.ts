import { normalSf } from "./normal.js";

/**
 * Two-sample z-test for the difference of two proportions, pooled standard error.
 *
 *   p1 = x1/n1, p2 = x2/n2, p = (x1 + x2)/(n1 + n2)
 *   z = (p2 − p1) / √(p(1 − p)(1/n1 + 1/n2)),  p-value = 2·(1 − Φ(|z|))
 *
 * Two-sided; difference is p2 − p1 (candidate − baseline when called as (baseline, candidate)).
 * Matches statsmodels proportions_ztest([x2, x1], [n2, n1]) (value 0, pooled). When both
 * samples are all successes or all failures the pooled SE is 0 and so is the difference:
 * z = 0, p = 1.
 * Reference: Agresti, Categorical Data Analysis (2013) §3.1.
 * Complexity: O(1).
 */
export interface TwoProportionResult {
  difference: number;
  z: number;
  pValue: number;
}

export function twoProportionZ(x1: number, n1: number, x2: number, n2: number): TwoProportionResult {
  checkSample(x1, n1, "x1", "n1");
  checkSample(x2, n2, "x2", "n2");
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const difference = p2 - p1;
  if (se === 0) return { difference, z: 0, pValue: 1 };
  const z = difference / se;
  return { difference, z, pValue: Math.min(1, 2 * normalSf(Math.abs(z))) };
}

function checkSample(x: number, n: number, xName: string, nName: string): void {
  if (!(Number.isFinite(n) && n > 0))
    throw new RangeError(`twoProportionZ: ${nName} must be a finite count > 0`);
  if (!(Number.isFinite(x) && x >= 0 && x <= n)) {
    throw new RangeError(`twoProportionZ: ${xName} must be a finite count in [0, ${nName}]`);
  }
}
