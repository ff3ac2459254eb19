import type { AucWithVariance } from "./delong.js";
import { normalQuantile, normalSf } from "./normal.js";

/**
 * Wald z-test and confidence interval for the AUC difference candidate − baseline.
 *
 *   d = AUC_c − AUC_b,  se = √(Var_b + Var_c − 2·Cov),  z = d/se,
 *   p = 2·(1 − Φ(|z|)),  interval = d ± Φ⁻¹((1 + confidence)/2)·se
 *
 * Covariance is 0 for independent cohorts (canary: different requests) and the paired DeLong
 * covariance when both models scored the same cases (shadow). Two-sided, like pROC's
 * roc.test(method="delong"). When se is 0 (both AUCs estimated without spread) a zero
 * difference gives z = 0, p = 1, and a non-zero one gives z = ±Number.MAX_VALUE, p = 0, so
 * no Infinity reaches JSON.
 * Reference: DeLong, DeLong & Clarke-Pearson (1988), eq. for the contrast L·θ.
 * Complexity: O(1).
 */
export interface AucDifference {
  difference: number;
  se: number;
  z: number;
  pValue: number;
  interval: [number, number];
}

export function aucDifference(
  baseline: AucWithVariance,
  candidate: AucWithVariance,
  confidence = 0.95,
  covariance = 0,
): AucDifference {
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError("aucDifference: confidence must be in (0, 1)");
  checkAuc(baseline, "baseline");
  checkAuc(candidate, "candidate");
  if (!Number.isFinite(covariance)) throw new RangeError("aucDifference: covariance must be finite");
  const difference = candidate.auc - baseline.auc;
  // Round-off (or an inconsistent covariance) must not produce the square root of a negative.
  const se = Math.sqrt(Math.max(0, baseline.variance + candidate.variance - 2 * covariance));
  const half = normalQuantile((1 + confidence) / 2) * se;
  const interval: [number, number] = [difference - half, difference + half];
  if (se === 0) {
    if (difference === 0) return { difference, se, z: 0, pValue: 1, interval };
    return { difference, se, z: Math.sign(difference) * Number.MAX_VALUE, pValue: 0, interval };
  }
  const z = difference / se;
  return { difference, se, z, pValue: Math.min(1, 2 * normalSf(Math.abs(z))), interval };
}

function checkAuc(value: AucWithVariance, name: string): void {
  if (!(value.auc >= 0 && value.auc <= 1))
    throw new RangeError(`aucDifference: ${name}.auc must be in [0, 1]`);
  if (!(Number.isFinite(value.variance) && value.variance >= 0)) {
    throw new RangeError(`aucDifference: ${name}.variance must be finite and ≥ 0`);
  }
}
