/**
 * The model's scores as a plan assumes them: binormal. A negative's latent score is N(0, 1), a
 * positive's N(sep, 1) with sep = √2·Φ⁻¹(AUC) (the equal-variance binormal model, whose AUC is
 * Φ(sep/√2)), and the score the model reports is logistic(latent). The AUC gate's variance and
 * binning error, and the drift gate's PSI under a shift of the latent score, follow from it.
 */
import type { SummaryLayout } from "../sketch/cohort-summary.js";
import { normalCdf, normalQuantile } from "../stats/normal.js";
import { aucVariance1, normalLaw } from "./variance-models.js";

/** Separation of the binormal classes with this AUC. */
export function separationForAuc(auc: number): number {
  return Math.SQRT2 * normalQuantile(auc);
}

/** AUC and DeLong variance·n (n labelled outcomes) of a binormal model. */
export function binormalAuc(auc: number, prevalence: number): { auc: number; variance1: number } {
  return aucVariance1(normalLaw(separationForAuc(auc)), normalLaw(0), prevalence);
}

const logit = (p: number) =>
  p <= 0 ? Number.NEGATIVE_INFINITY : p >= 1 ? Number.POSITIVE_INFINITY : Math.log(p / (1 - p));

/**
 * Expected binning error bound of the AUC from a score histogram, ½·Σ_b p_b·q_b (p, q the shares of
 * positives and negatives in bin b: src/stats/auc-binned.ts), for a binormal model on the layout's
 * score bins. Scores outside [lo, hi] fall in the end bins, as the histogram clamps them. O(bins).
 */
export function aucBinningError(auc: number, layout: SummaryLayout): number {
  const sep = separationForAuc(auc);
  const width = (layout.scoreHi - layout.scoreLo) / layout.scoreBins;
  let total = 0;
  let previous = { pos: 0, neg: 0 };
  for (let b = 1; b <= layout.scoreBins; b++) {
    const edge = b === layout.scoreBins ? Number.POSITIVE_INFINITY : logit(layout.scoreLo + b * width);
    const next = { pos: normalCdf(edge - sep), neg: normalCdf(edge) };
    total += (next.pos - previous.pos) * (next.neg - previous.neg);
    previous = next;
  }
  return total / 2;
}

/** CDF of the latent score of a binormal model (prevalence π, separation sep) shifted by `shift`. */
function latentCdf(z: number, shift: number, sep: number, prevalence: number): number {
  return (1 - prevalence) * normalCdf(z - shift) + prevalence * normalCdf(z - shift - sep);
}

function bisect(f: (x: number) => number, lo: number, hi: number): number {
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > 0) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Shares of `bins` baseline-quantile bins (the PSI's bins) in the baseline and in a candidate whose
 * latent scores are shifted by `shift`, and their PSI.
 */
export function psiBinShares(
  shift: number,
  auc: number,
  prevalence: number,
  bins: number,
): { baseline: number[]; candidate: number[]; psi: number } {
  const sep = separationForAuc(auc);
  const cdf = (z: number, s: number) => latentCdf(z, s, sep, prevalence);
  const edges = [Number.NEGATIVE_INFINITY];
  for (let b = 1; b < bins; b++) edges.push(bisect((z) => cdf(z, 0) - b / bins, -20, 20 + sep));
  edges.push(Number.POSITIVE_INFINITY);
  const shares = (s: number) => edges.slice(1).map((e, b) => cdf(e, s) - cdf(edges[b], s));
  const baseline = shares(0);
  const candidate = shares(shift);
  let psi = 0;
  for (let b = 0; b < bins; b++) psi += (candidate[b] - baseline[b]) * Math.log(candidate[b] / baseline[b]);
  return { baseline, candidate, psi };
}

/** The latent shift whose PSI (on `bins` baseline-quantile bins) is `psi`. */
export function shiftForPsi(psi: number, auc: number, prevalence: number, bins: number): number {
  return bisect((s) => psiBinShares(s, auc, prevalence, bins).psi - psi, 0, 10);
}
