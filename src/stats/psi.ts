/**
 * Population Stability Index between a baseline and a candidate distribution.
 *
 *   PSI = Σ_b (c_b − r_b)·ln(c_b / r_b),   r_b, c_b = the baseline and candidate shares of bin b,
 * each share floored at `floor` (default 1e-4) before the log so an empty bin cannot give ±∞; shares are
 * not renormalised after flooring (the usual practice). PSI ≥ 0, 0 iff the binned shares agree.
 * Bands (DESIGN.md): < 0.1 stable, 0.1–0.25 moderate, > 0.25 significant.
 *
 * Bins, sample version psi(): B equal-baseline-mass bins. Inner edges e_1…e_{B−1} are the baseline's
 * type-7 quantiles at k/B (numpy.quantile default); the outer edges are −∞ and +∞, so candidate values
 * outside the baseline's range land in the end bins rather than being dropped. Counting follows
 * numpy.histogram: bins are [e_k, e_{k+1}), the last one closed. Ties can make edges coincide; such
 * zero-width bins are empty on both sides and contribute 0.
 * Histogram version psiFromHistograms(): two aligned fine histograms (e.g. the 200 score bins of a
 * cohort summary) are regrouped into ≈ equal-baseline-mass coarse bins; the coarse boundary k is the
 * first fine-bin boundary where the baseline's cumulative share reaches k/B (duplicates merged), and
 * `edges` holds those boundaries as fine-bin indices, from 0 to the number of fine bins.
 *
 * Noise floor: under H0 with B bins, E[PSI] ≈ (B − 1)(1/n₁ + 1/n₂) (PSI ≈ a χ²_{B−1}/n_eff statistic),
 * reported so a small PSI is read against sampling noise. B is the number of bins actually formed
 * (distinct edges), which is also what the sample-size terms count.
 *
 * Reference: Yurdakul (2018), "Statistical properties of population stability index"; the python
 * reference in test/fixtures/reference/gen_distribution.py uses exactly these bin definitions.
 * Complexity: psi O((n₁ + n₂) log n₁); psiFromCounts and psiFromHistograms O(bins).
 */
import { requireCount } from "./options.js";
import { quantileSorted } from "./quantile.js";

export interface PsiResult {
  psi: number;
  noiseFloor: number;
  edges: number[];
}

function checkFloor(floor: number): void {
  if (!(floor > 0 && floor < 1)) throw new RangeError(`psi: floor must be in (0, 1), got ${floor}`);
}

function checkCounts(counts: ArrayLike<number>, name: string): number {
  if (counts.length === 0) throw new RangeError(`psi: ${name} must not be empty`);
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (!Number.isFinite(c) || c < 0)
      throw new RangeError(`psi: ${name} counts must be finite and >= 0 (no NaN)`);
    total += c;
  }
  if (!(total > 0)) throw new RangeError(`psi: ${name} must not be empty (total count 0)`);
  return total;
}

/** (B − 1)(1/n₁ + 1/n₂): the expected PSI of two samples from one distribution. */
export function psiNoiseFloor(bins: number, nBaseline: number, nCandidate: number): number {
  requireCount("psiNoiseFloor", "bins", bins, 1);
  if (!(nBaseline > 0 && Number.isFinite(nBaseline)))
    throw new RangeError(`psiNoiseFloor: nBaseline must be finite and > 0, got ${nBaseline}`);
  if (!(nCandidate > 0 && Number.isFinite(nCandidate)))
    throw new RangeError(`psiNoiseFloor: nCandidate must be finite and > 0, got ${nCandidate}`);
  return (bins - 1) * (1 / nBaseline + 1 / nCandidate);
}

/** PSI of two aligned count vectors (same bins). */
export function psiFromCounts(
  baseline: ArrayLike<number>,
  candidate: ArrayLike<number>,
  floor = 1e-4,
): number {
  if (baseline.length !== candidate.length)
    throw new RangeError(`psi: baseline has ${baseline.length} bins, candidate ${candidate.length}`);
  checkFloor(floor);
  const n1 = checkCounts(baseline, "baseline");
  const n2 = checkCounts(candidate, "candidate");
  let psi = 0;
  for (let b = 0; b < baseline.length; b++) {
    const r = Math.max(baseline[b] / n1, floor);
    const c = Math.max(candidate[b] / n2, floor);
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

function checkSample(values: number[], name: string): Float64Array {
  if (values.length === 0) throw new RangeError(`psi: ${name} must not be empty`);
  // ±∞ would make an interpolated edge ∞ − ∞ = NaN.
  for (const v of values)
    if (!Number.isFinite(v)) throw new RangeError(`psi: ${name} must be finite (no NaN)`);
  return Float64Array.from(values).sort();
}

/** Count of sorted values < x (searchsorted side="left"). */
function countBelow(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countsIn(sorted: Float64Array, inner: number[]): number[] {
  const below = [0, ...inner.map((e) => countBelow(sorted, e)), sorted.length];
  return below.slice(1).map((c, k) => c - below[k]);
}

/** PSI of raw samples with B baseline-quantile bins; `edges` are the B + 1 edges (±∞ outside). */
export function psi(baseline: number[], candidate: number[], bins = 10, floor = 1e-4): PsiResult {
  if (!Number.isInteger(bins) || bins < 2)
    throw new RangeError(`psi: bins must be an integer >= 2, got ${bins}`);
  const base = checkSample(baseline, "baseline");
  const cand = checkSample(candidate, "candidate");
  const inner = Array.from({ length: bins - 1 }, (_, k) => quantileSorted(base, (k + 1) / bins));
  const value = psiFromCounts(countsIn(base, inner), countsIn(cand, inner), floor);
  const distinct = new Set(inner).size + 1;
  return {
    psi: value,
    noiseFloor: psiNoiseFloor(distinct, base.length, cand.length),
    edges: [Number.NEGATIVE_INFINITY, ...inner, Number.POSITIVE_INFINITY],
  };
}

/** PSI of two aligned fine histograms regrouped into ≈ `bins` equal-baseline-mass bins. */
export function psiFromHistograms(
  baseline: ArrayLike<number>,
  candidate: ArrayLike<number>,
  bins = 10,
  floor = 1e-4,
): PsiResult {
  if (!Number.isInteger(bins) || bins < 2)
    throw new RangeError(`psi: bins must be an integer >= 2, got ${bins}`);
  if (baseline.length !== candidate.length)
    throw new RangeError(`psi: baseline has ${baseline.length} bins, candidate ${candidate.length}`);
  const n1 = checkCounts(baseline, "baseline");
  const n2 = checkCounts(candidate, "candidate");
  const fine = baseline.length;
  const edges = [0];
  let cumulative = 0;
  let k = 1;
  for (let i = 1; i < fine && k < bins; i++) {
    cumulative += baseline[i - 1];
    // Relative tolerance so 0.1+0.2-style rounding does not push a boundary one fine bin too far.
    if (cumulative >= ((k * n1) / bins) * (1 - 1e-12)) {
      if (edges[edges.length - 1] !== i) edges.push(i);
      while (k < bins && cumulative >= ((k * n1) / bins) * (1 - 1e-12)) k++;
    }
  }
  edges.push(fine);
  const sum = (counts: ArrayLike<number>, from: number, to: number): number => {
    let s = 0;
    for (let i = from; i < to; i++) s += counts[i];
    return s;
  };
  const coarseBase = edges.slice(1).map((e, b) => sum(baseline, edges[b], e));
  const coarseCand = edges.slice(1).map((e, b) => sum(candidate, edges[b], e));
  return {
    psi: psiFromCounts(coarseBase, coarseCand, floor),
    noiseFloor: psiNoiseFloor(edges.length - 1, n1, n2),
    edges,
  };
}
