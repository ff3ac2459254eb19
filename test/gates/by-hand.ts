import { normalQuantile } from "../../src/stats/normal.js";
import { oneSidedMixtureBoundary } from "../../src/stats/one-sided-normal-mixture.js";

/**
 * The decision engine's anytime-valid one-sided bound written out from its documentation
 * (src/gates/sequential.ts), for gate tests that recompute a gate's bounds from its counts:
 * θ̂ ∓ b(V)/V with V = 1/se², b the one-sided normal-mixture boundary, ρ = v⋆/(l + ln(1 + l)),
 * l = 2 ln(1/(2α)), tuned at v⋆ = 2·((z_{1−α} + z_{0.8})/scale)².
 */
export function anytimeHalf(se: number, alpha: number, scale: number): number {
  const vStar = 2 * ((normalQuantile(1 - alpha) + normalQuantile(0.8)) / scale) ** 2;
  const l = 2 * Math.log(1 / (2 * alpha));
  const rho = vStar / (l + Math.log(1 + l));
  const v = 1 / (se * se);
  return oneSidedMixtureBoundary(v, rho, alpha) / v;
}

export const lowerByHand = (estimate: number, se: number, alpha: number, scale: number) =>
  estimate - anytimeHalf(se, alpha, scale);

export const upperByHand = (estimate: number, se: number, alpha: number, scale: number) =>
  estimate + anytimeHalf(se, alpha, scale);

/**
 * Binned AUC, its DeLong variance and the binning bound, from label-split bin counts (each bin one
 * tied value): placements V10 of a positive in bin b = (negatives below b + ½ negatives in b)/N,
 * V01 of a negative = (positives above b + ½ positives in b)/P; Var = S10/P + S01/N with sample
 * variances (ddof 1); maxError = ½·Σ p_b q_b/(P·N).
 */
export function binnedDelong(positives: ArrayLike<number>, negatives: ArrayLike<number>) {
  const bins = positives.length;
  let P = 0;
  let N = 0;
  for (let b = 0; b < bins; b++) {
    P += positives[b];
    N += negatives[b];
  }
  const v10: number[] = [];
  const v01: number[] = [];
  let negativesBelow = 0;
  let positivesAbove = P;
  for (let b = 0; b < bins; b++) {
    positivesAbove -= positives[b];
    v10.push((negativesBelow + negatives[b] / 2) / N);
    v01.push((positivesAbove + positives[b] / 2) / P);
    negativesBelow += negatives[b];
  }
  let auc = 0;
  let ties = 0;
  for (let b = 0; b < bins; b++) {
    auc += (positives[b] * v10[b]) / P;
    ties += positives[b] * negatives[b];
  }
  let s10 = 0;
  let s01 = 0;
  for (let b = 0; b < bins; b++) {
    s10 += positives[b] * (v10[b] - auc) ** 2;
    s01 += negatives[b] * (v01[b] - auc) ** 2;
  }
  const variance = s10 / (P - 1) / P + s01 / (N - 1) / N;
  return { auc, variance, maxError: ties / (2 * P * N), positives: P, negatives: N };
}
