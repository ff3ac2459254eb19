/**
 * Variance models: sd·√n of the contrast each gate decides on, under stated laws of the data. They are
 * what a plan (src/plan/) and the efficiency benchmark's fixed-sample oracle (bench/efficiency/) both
 * need, so they live once, here. Each is the asymptotic standard error of the estimate the gate
 * computes, evaluated at the truth instead of at the data (REFERENCES §7).
 */
import { normalCdf, normalQuantile } from "../stats/normal.js";

const phi = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

/** sd·√n of ln Q̂(q) for a log-normal with log-sd σ: σ·sqrt(q(1−q))/φ(Φ⁻¹(q)). */
export function logQuantileSd1(sigma: number, q: number): number {
  return (sigma * Math.sqrt(q * (1 - q))) / phi(normalQuantile(q));
}

/** Hanley & McNeil (1982) variance of an AUC estimate with P positives and N negatives. */
export function hanleyMcNeilVariance(auc: number, positives: number, negatives: number): number {
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const a2 = auc * auc;
  return (
    (auc * (1 - auc) + (positives - 1) * (q1 - a2) + (negatives - 1) * (q2 - a2)) / (positives * negatives)
  );
}

/** A law on the real line given by its density and CDF. */
export interface ScoreLaw {
  pdf: (x: number) => number;
  cdf: (x: number) => number;
}

/**
 * Asymptotic variance·n of the AUC estimate of a model whose positive and negative scores have
 * laws `pos` and `neg` on the real line, with a share `prevalence` of positives among n labelled
 * outcomes: Var ≈ Var(F_neg(X₊))/P + Var(1 − F_pos(X₋))/N (the DeLong placement variances), by
 * Simpson quadrature on [−12, 12]. Also returns the AUC itself, P(X₊ > X₋).
 */
export function aucVariance1(
  pos: ScoreLaw,
  neg: ScoreLaw,
  prevalence: number,
): { auc: number; variance1: number } {
  const steps = 4000;
  const lo = -12;
  const hi = 12;
  const h = (hi - lo) / steps;
  let m1 = 0;
  let s1 = 0;
  let m0 = 0;
  let s0 = 0;
  for (let i = 0; i <= steps; i++) {
    const x = lo + i * h;
    const w = (i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2) * (h / 3);
    const v10 = neg.cdf(x);
    const v01 = 1 - pos.cdf(x);
    m1 += w * pos.pdf(x) * v10;
    s1 += w * pos.pdf(x) * v10 * v10;
    m0 += w * neg.pdf(x) * v01;
    s0 += w * neg.pdf(x) * v01 * v01;
  }
  const var10 = s1 - m1 * m1;
  const var01 = s0 - m0 * m0;
  return { auc: m1, variance1: var10 / prevalence + var01 / (1 - prevalence) };
}

/** The normal law N(mean, 1). */
export const normalLaw = (mean: number): ScoreLaw => ({
  pdf: (x: number) => phi(x - mean),
  cdf: (x: number) => normalCdf(x - mean),
});

/** The mixture w·a + (1 − w)·b of two laws. */
export function mixtureLaw(w: number, a: ScoreLaw, b: ScoreLaw): ScoreLaw {
  return {
    pdf: (x: number) => w * a.pdf(x) + (1 - w) * b.pdf(x),
    cdf: (x: number) => w * a.cdf(x) + (1 - w) * b.cdf(x),
  };
}

/**
 * Delta-method variance of a ratio s_b/s_a of two selection rates with group sizes n_a, n_b (or,
 * with sizes given as shares of n, the variance·n): r²·((1−s_a)/(s_a·n_a) + (1−s_b)/(s_b·n_b)).
 */
export function parityRatioVariance(sa: number, sb: number, na: number, nb: number): number {
  const r = sb / sa;
  return r * r * ((1 - sa) / (sa * na) + (1 - sb) / (sb * nb));
}

/**
 * sd·√n of the PSI estimate for a candidate of n and a baseline of k·n draws on fixed bins with true
 * shares r (baseline) and c (candidate): the delta method of src/stats/psi-variance.ts at the truth.
 */
export function psiSd1(r: readonly number[], c: readonly number[], k: number): number {
  let sa = 0;
  let sa2 = 0;
  let sb = 0;
  let sb2 = 0;
  for (let i = 0; i < r.length; i++) {
    const l = Math.log(c[i] / r[i]);
    const a = l + 1 - r[i] / c[i];
    const b = -l + 1 - c[i] / r[i];
    sa += a * c[i];
    sa2 += a * a * c[i];
    sb += b * r[i];
    sb2 += b * b * r[i];
  }
  return Math.sqrt(sa2 - sa * sa + (sb2 - sb * sb) / k);
}

/** sd·√n of a difference of two rates p_c − p_b, the baseline k times the candidate's size. */
export function rateDifferenceSd1(pCandidate: number, pBaseline: number, k: number): number {
  return Math.sqrt(pCandidate * (1 - pCandidate) + (pBaseline * (1 - pBaseline)) / k);
}
