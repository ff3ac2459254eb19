/**
 * Two-sample Kolmogorov–Smirnov test, two-sided, like scipy.stats.ks_2samp(alternative="two-sided").
 *
 * Statistic D = max_x |F_baseline(x) − F_candidate(x)| over the pooled sample, ECDFs right-continuous.
 * p-value, by `method`:
 * - "exact": P(D ≥ d) under H0 for the observed sizes n₁, n₂ (no ties assumed), by lattice-path counting
 *   (Hodges 1958): for n₁ = n₂ the alternating binomial sum in Horner form, otherwise the "inside"
 *   recursion for 1 − p of Viehmann (2021, arXiv:2102.08037). d is snapped to h/lcm(n₁, n₂) first, as
 *   scipy does, and that snapped value is the reported statistic. Ports of scipy 1.10
 *   `_compute_prob_outside_square` and `_compute_outer_prob_inside_method`.
 * - "asymp": kstwo.sf(d, round(n₁n₂/(n₁+n₂))) — the one-sample two-sided KS law at the effective size
 *   (round half to even, like numpy). For n₁ = n₂ = 1 that size is 0 and scipy gives NaN; we return p = 1.
 * - "auto" (default): "exact" when max(n₁, n₂) ≤ 10000, else "asymp"; exact falls back to asymp when
 *   lcm(n₁, n₂) would overflow int32 or the result is not a probability — scipy 1.10's rule exactly.
 * The method actually used is returned.
 *
 * ksFromCounts takes two aligned histograms (same bin edges): D is the largest |ΔCDF| at a bin edge,
 * the p-value is asymptotic with n = the totals. It equals ks2samp(…, "asymp") on the samples that put
 * every count at its bin's representative value.
 *
 * Reference: scipy.stats.ks_2samp (scipy 1.10, `_stats_py.py`). Complexity: O((n₁+n₂) log) for D; exact
 * p-value O(max(n)·window) time and O(n) memory; asymp see kstwo.ts.
 */
import { kstwoSf } from "./kstwo.js";
import { requireOneOf } from "./options.js";

export interface KsResult {
  statistic: number;
  pValue: number;
  method: "exact" | "asymp";
}

const MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return x;
}

function checkSample(values: number[], name: string): Float64Array {
  if (values.length === 0) throw new RangeError(`ks2samp: ${name} must not be empty`);
  for (const v of values) if (Number.isNaN(v)) throw new RangeError(`ks2samp: ${name} must not contain NaN`);
  return Float64Array.from(values).sort();
}

/** P(D_{n,n} ≥ h/n): 2·Σ_k (−1)^{k+1} C(2n, n−kh)/C(2n, n) in Horner form. */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/** Proportion of lattice paths (0,0)→(m,n) that leave |x/m − y/n| < h/lcm (Viehmann's recursion). */
function probOutsideBand(m0: number, n0: number, g: number, h: number): number {
  const [m, n] = m0 >= n0 ? [m0, n0] : [n0, m0];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, Math.min(lenA, maxj - minj + (lastlen - curlen)));
  }
  return A[maxj - minj - 1];
}

/** numpy.round: halves go to the even neighbour (n₁ = n₂ = 5 gives en = 2.5 → 2, not 3). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function asymp(d: number, n1: number, n2: number): KsResult {
  const en = roundHalfEven((n1 * n2) / (n1 + n2));
  // en rounds to 0 only for n₁ = n₂ = 1, where scipy returns NaN; the exact answer there is p = 1.
  return { statistic: d, pValue: en < 1 ? 1 : kstwoSf(d, en), method: "asymp" };
}

/** Two-sided two-sample KS test of baseline vs candidate, like scipy.stats.ks_2samp. */
export function ks2samp(
  baseline: number[],
  candidate: number[],
  method: "auto" | "exact" | "asymp" = "auto",
): KsResult {
  requireOneOf("ks2samp", "method", method, ["auto", "exact", "asymp"]);
  const a = checkSample(baseline, "baseline");
  const b = checkSample(candidate, "candidate");
  const n1 = a.length;
  const n2 = b.length;
  let d = 0;
  let i = 0;
  let j = 0;
  while (i < n1 || j < n2) {
    const x = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    while (i < n1 && a[i] <= x) i++;
    while (j < n2 && b[j] <= x) j++;
    const diff = Math.abs(i / n1 - j / n2);
    if (diff > d) d = diff;
  }
  const g = gcd(n1, n2);
  let mode = method === "auto" ? (Math.max(n1, n2) <= MAX_AUTO_N ? "exact" : "asymp") : method;
  if (method === "exact" && n1 / g >= INT32_MAX / (n2 / g)) mode = "asymp";
  if (mode === "asymp") return asymp(d, n1, n2);
  const lcm = (n1 / g) * n2;
  const h = Math.round(d * lcm);
  const snapped = h / lcm;
  if (h === 0) return { statistic: snapped, pValue: 1, method: "exact" };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
  if (!(p >= 0 && p <= 1)) return asymp(snapped, n1, n2);
  return { statistic: snapped, pValue: p, method: "exact" };
}

/** KS test on two aligned histograms (bin counts over the same edges); asymptotic p-value. */
export function ksFromCounts(baseline: ArrayLike<number>, candidate: ArrayLike<number>): KsResult {
  if (baseline.length !== candidate.length)
    throw new RangeError(`ksFromCounts: baseline has ${baseline.length} bins, candidate ${candidate.length}`);
  let n1 = 0;
  let n2 = 0;
  for (let k = 0; k < baseline.length; k++) {
    if (!(baseline[k] >= 0) || !Number.isFinite(baseline[k]))
      throw new RangeError("ksFromCounts: baseline counts must be finite and >= 0");
    if (!(candidate[k] >= 0) || !Number.isFinite(candidate[k]))
      throw new RangeError("ksFromCounts: candidate counts must be finite and >= 0");
    n1 += baseline[k];
    n2 += candidate[k];
  }
  if (!(n1 > 0)) throw new RangeError("ksFromCounts: baseline must not be empty (total count 0)");
  if (!(n2 > 0)) throw new RangeError("ksFromCounts: candidate must not be empty (total count 0)");
  let c1 = 0;
  let c2 = 0;
  let d = 0;
  for (let k = 0; k < baseline.length; k++) {
    c1 += baseline[k];
    c2 += candidate[k];
    const diff = Math.abs(c1 / n1 - c2 / n2);
    if (diff > d) d = diff;
  }
  return asymp(Math.min(1, d), n1, n2);
}
