import type { LatencySketch } from "../sketch/latency-sketch.js";
import type { ScoreHistogram } from "../sketch/score-histogram.js";
import { cdfBandEpsilon } from "../stats/cdf-band.js";
import { chiSquareContingency } from "../stats/chi-square.js";
import { jensenShannon } from "../stats/jensen-shannon.js";
import { ksFromCounts } from "../stats/ks.js";
import { psiFromCounts, psiFromHistograms, psiNoiseFloor } from "../stats/psi.js";
import { psiVariance } from "../stats/psi-variance.js";
import { wasserstein1Aligned } from "../stats/wasserstein.js";
import type { Verdict } from "./gate.js";
import { lowerBound, type Sequence } from "./sequential.js";

/** Smallest PSI scale the sequence is tuned to. */
export const MIN_PSI_SCALE = 0.01;

/**
 * Comparison of one baseline (or reference) distribution with the candidate's, both given as counts
 * over the same ordered bins: score histogram bins, the union of two numeric sketches' buckets, or the
 * categories of a categorical feature (sorted by name, an order fixed before seeing any data).
 */
export interface BinnedDistribution {
  kind: "numeric" | "categorical";
  /** representative value of each bin (numeric only; used by Wasserstein) */
  values: number[];
  labels?: string[];
  baseline: number[];
  candidate: number[];
}

export interface DriftRule {
  maxPsi: number;
  maxKs: number;
  minSamples: number;
  psiBins: number;
}

export interface DriftComparison {
  verdict: Verdict;
  reason: string;
  /** inconclusive on the KS interval: how many more candidate values it needs if the distance held */
  needs?: { more: number; unit: string };
  nBaseline: number;
  nCandidate: number;
  ks: number;
  ksPValue: number;
  /** anytime-valid bounds on sup_x |F_baseline(x) − F_candidate(x)| */
  ksLow: number;
  ksHigh: number;
  psi: number;
  psiNoiseFloor: number;
  /** anytime-valid lower bound on the PSI (bias-corrected estimate minus the sequence's half-width) */
  psiLow: number;
  jensenShannon: number;
  wasserstein: number | null;
  wassersteinNormalized: number | null;
  chiSquarePValue: number | null;
  bandEpsilonBaseline: number;
  bandEpsilonCandidate: number;
}

/**
 * Two score histograms on one bin grid: as they are, or — when one's bin count is a multiple of the
 * other's (a reference profile uploaded before the store's bins were refined) — at the coarser grid.
 */
export function alignHistograms(
  baseline: ScoreHistogram,
  candidate: ScoreHistogram,
): BinnedDistribution | string {
  if (!baseline.compatible(candidate)) {
    if (!baseline.alignable(candidate)) {
      return `bin layouts differ ([${baseline.lo}, ${baseline.hi}]×${baseline.bins} vs [${candidate.lo}, ${candidate.hi}]×${candidate.bins})`;
    }
    const bins = Math.min(baseline.bins, candidate.bins);
    return alignHistograms(
      baseline.bins === bins ? baseline : baseline.coarsened(bins),
      candidate.bins === bins ? candidate : candidate.coarsened(bins),
    );
  }
  return {
    kind: "numeric",
    values: Array.from({ length: baseline.bins }, (_, i) => baseline.mid(i)),
    baseline: Array.from(baseline.counts),
    candidate: Array.from(candidate.counts),
  };
}

/** Two sketches of the same accuracy share one bucket grid, so their buckets align by value. */
export function alignSketches(
  baseline: LatencySketch,
  candidate: LatencySketch,
): BinnedDistribution | string {
  if (baseline.alpha !== candidate.alpha) {
    return `sketch accuracies differ (${baseline.alpha} vs ${candidate.alpha})`;
  }
  const byValue = new Map<number, [number, number]>();
  for (const [v, c] of baseline.buckets()) byValue.set(v, [c, 0]);
  for (const [v, c] of candidate.buckets()) {
    const e = byValue.get(v);
    if (e) e[1] += c;
    else byValue.set(v, [0, c]);
  }
  const values = [...byValue.keys()].sort((a, b) => a - b);
  return {
    kind: "numeric",
    values,
    baseline: values.map((v) => byValue.get(v)![0]),
    candidate: values.map((v) => byValue.get(v)![1]),
  };
}

export function alignCategories(
  baseline: Map<string, number>,
  candidate: Map<string, number>,
): BinnedDistribution {
  const labels = [...new Set([...baseline.keys(), ...candidate.keys()])].sort();
  return {
    kind: "categorical",
    values: [],
    labels,
    baseline: labels.map((k) => baseline.get(k) ?? 0),
    candidate: labels.map((k) => candidate.get(k) ?? 0),
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const f2 = (x: number) => x.toFixed(2);
const f3 = (x: number) => x.toFixed(3);

/**
 * Upper bound on the sample KS distance over every x, not just bin edges: inside bin i each ECDF lies
 * between its values at the bin's two edges, so |F_b(x) − F_c(x)| ≤ max(F_b(right) − F_c(left),
 * F_c(right) − F_b(left)). Categories are atoms (no values between them), so there the edge maximum is exact.
 */
function ksWithinBins(d: BinnedDistribution, nB: number, nC: number, ks: number): number {
  if (d.kind === "categorical") return ks;
  let cb = 0;
  let cc = 0;
  let worst = ks;
  for (let i = 0; i < d.baseline.length; i++) {
    const nb = cb + d.baseline[i] / nB;
    const nc = cc + d.candidate[i] / nC;
    worst = Math.max(worst, nb - cc, nc - cb);
    cb = nb;
    cc = nc;
  }
  return Math.min(1, worst);
}

/** Coarse counts between fine-bin boundaries (the PSI bins). */
function regroup(counts: number[], edges: number[]): number[] {
  return edges.slice(1).map((e, k) => sum(counts.slice(edges[k], e)));
}

function weightedStd(values: number[], weights: number[]): number {
  const n = sum(weights);
  const mean = values.reduce((a, v, i) => a + v * weights[i], 0) / n;
  return Math.sqrt(values.reduce((a, v, i) => a + weights[i] * (v - mean) ** 2, 0) / n);
}

/** Shares of a comparison's fail alpha: the KS tolerance claim and the PSI limit claim. */
export const KS_SHARE = 0.5;

/**
 * Statistics and verdict of one comparison at `alpha`:
 * - fail: ksLow > maxKs (each arm's CDF band at alpha/4), or psiLow > maxPsi (the PSI's anytime-valid
 *   lower bound from the shared decision engine, at alpha/2); a false fail has probability ≤ alpha
 * - pass: both arms have minSamples, ksHigh ≤ maxKs (bands at alpha/2 per arm) and PSI ≤ maxPsi
 * - otherwise inconclusive. See docs/gates/drift.md for why. O(bins) plus a few C_α solves.
 */
export function compareDistributions(
  d: BinnedDistribution,
  rule: DriftRule,
  alpha: number,
  what: string,
  sequence?: Sequence,
): DriftComparison {
  const nB = sum(d.baseline);
  const nC = sum(d.candidate);
  const ks = ksFromCounts(d.baseline, d.candidate);
  const epsB = cdfBandEpsilon(nB, alpha / 2, rule.minSamples);
  const epsC = cdfBandEpsilon(nC, alpha / 2, rule.minSamples);
  const failShare = (KS_SHARE * alpha) / 2;
  const ksLow = Math.max(
    0,
    ks.statistic -
      cdfBandEpsilon(nB, failShare, rule.minSamples) -
      cdfBandEpsilon(nC, failShare, rule.minSamples),
  );
  const ksHigh = Math.min(1, ksWithinBins(d, nB, nC, ks.statistic) + epsB + epsC);
  let psi: number;
  let floor: number;
  let psiSe: number;
  let js: number;
  let chi: number | null = null;
  let w: number | null = null;
  let wn: number | null = null;
  if (d.kind === "categorical") {
    psi = psiFromCounts(d.baseline, d.candidate);
    psiSe = Math.sqrt(psiVariance(d.baseline, d.candidate));
    const present = d.baseline.filter((c, i) => c + d.candidate[i] > 0).length;
    floor = psiNoiseFloor(Math.max(1, present), nB, nC);
    js = jensenShannon(d.baseline, d.candidate);
    chi = chiSquareContingency([d.baseline, d.candidate]).pValue;
  } else {
    const r = psiFromHistograms(d.baseline, d.candidate, rule.psiBins);
    psi = r.psi;
    floor = r.noiseFloor;
    psiSe = Math.sqrt(psiVariance(regroup(d.baseline, r.edges), regroup(d.candidate, r.edges)));
    js = jensenShannon(regroup(d.baseline, r.edges), regroup(d.candidate, r.edges));
    w = wasserstein1Aligned(d.values, d.baseline, d.candidate);
    const sd = weightedStd(d.values, d.baseline);
    wn = sd > 0 ? w / sd : null;
  }
  // the noise floor is the estimate's bias under no drift: the bound is on the bias-corrected PSI
  const psiLow = lowerBound(
    { estimate: psi - floor, se: psiSe },
    (1 - KS_SHARE) * alpha,
    Math.max(rule.maxPsi, MIN_PSI_SCALE),
    sequence,
  );
  const stats = {
    nBaseline: nB,
    nCandidate: nC,
    ks: ks.statistic,
    ksPValue: ks.pValue,
    ksLow,
    ksHigh,
    psi,
    psiNoiseFloor: floor,
    psiLow,
    jensenShannon: js,
    wasserstein: w,
    wassersteinNormalized: wn,
    chiSquarePValue: chi,
    bandEpsilonBaseline: epsB,
    bandEpsilonCandidate: epsC,
  };
  const psiBound = Number.isFinite(psiLow) ? `, anytime-valid lower bound ${f3(Math.max(0, psiLow))}` : "";
  const numbers = `PSI ${f3(psi)} (noise floor ${f3(floor)}${psiBound}, limit ${f2(rule.maxPsi)}), KS ${f3(ks.statistic)} (anytime-valid ${f3(ksLow)} to ${f3(ksHigh)}, tolerance ${f2(rule.maxKs)})`;
  if (ksLow > rule.maxKs) {
    return {
      ...stats,
      verdict: "fail",
      reason: `${what}: distribution changed beyond the KS tolerance: ${numbers}`,
    };
  }
  if (psiLow > rule.maxPsi) {
    return { ...stats, verdict: "fail", reason: `${what}: PSI beyond its limit: ${numbers}` };
  }
  if (nC < rule.minSamples || nB < rule.minSamples) {
    const who = nC < rule.minSamples ? `candidate has ${nC}` : `baseline has ${nB}`;
    return { ...stats, verdict: "inconclusive", reason: `${what}: ${who} values, needs ${rule.minSamples}` };
  }
  if (ksHigh <= rule.maxKs && psi <= rule.maxPsi) {
    return { ...stats, verdict: "pass", reason: `${what}: stable: ${numbers}` };
  }
  if (psi > rule.maxPsi) {
    return {
      ...stats,
      verdict: "inconclusive",
      reason: `${what}: PSI is above its limit, not yet provably: ${numbers}`,
    };
  }
  const needs = ksNeeds(ksHigh - epsB - epsC, nB, nC, rule, alpha);
  const more = needs
    ? ` (about ${needs.more.toLocaleString("en-US")} more ${needs.unit} at this distance)`
    : "";
  return {
    ...stats,
    verdict: "inconclusive",
    reason: `${what}: the KS interval still reaches beyond the tolerance${more}: ${numbers}`,
    ...(needs ? { needs } : {}),
  };
}

/**
 * The data factor f (both arms growing alike) at which the KS upper bound ks + ε_b(f·n_b) + ε_c(f·n_c)
 * reaches the tolerance if the observed distance held; undefined beyond 1000× or when the distance
 * alone is over the tolerance.
 */
function ksNeeds(
  ks: number,
  nB: number,
  nC: number,
  rule: DriftRule,
  alpha: number,
): { more: number; unit: string } | undefined {
  const high = (f: number) =>
    ks +
    cdfBandEpsilon(f * nB, alpha / 2, rule.minSamples) +
    cdfBandEpsilon(f * nC, alpha / 2, rule.minSamples);
  if (!(ks < rule.maxKs) || high(1000) > rule.maxKs) return undefined;
  let lo = 1;
  let hi = 1000;
  for (let i = 0; i < 40; i++) {
    const mid = Math.sqrt(lo * hi);
    if (high(mid) <= rule.maxKs) hi = mid;
    else lo = mid;
  }
  return { more: Math.ceil((hi - 1) * nC), unit: "values" };
}
