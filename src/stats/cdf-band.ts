import { requireOneOf } from "./options.js";

/**
 * Time-uniform CDF and quantile bands (Howard & Ramdas 2022, "Sequential estimation of quantiles with
 * applications to A/B-testing and best-arm identification", Bernoulli, Thm 2; `confseq`
 * `empirical_process_lil_bound` and `demo/quantiles.py`), and the two-sample quantile-difference test of
 * Lindon, Sanden & Shirikian (KDD 2022, Netflix "sequential testing" blog part 1).
 *
 * Band: P(∃t ≥ t_min: sup_x |F̂_t(x) − F(x)| > ε_t) ≤ α with
 *
 *   ε_t = A·sqrt((ln(1 + ln(t/t_min)) + C_α)/t),  A = 0.85,
 *
 * where C_α solves min_η 4e^{−γ²C}(1 + 1/((γ²−1) ln η)) = α, γ² = (2/η)(A − sqrt(2(η−1)/C))²
 * (`EmpiricalProcessLILBound::find_optimal_C`). C_.05 = 8.1227.
 *
 * Quantile band from t sorted values x₍₁₎ ≤ … ≤ x₍t₎ (here weighted buckets (value, count)):
 * lower(p) = x₍⌊t(p−ε)⌋+1₎ (−∞ if that index < 1), upper(p) = x₍⌈t(p+ε)⌉₎ (+∞ if that index > t).
 *
 * Complexity: C_α costs a few thousand elementary operations; quantileBounds is O(buckets).
 */

const A = 0.85;

function requireAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
}

function bisect(f: (x: number) => number, lo: number, hi: number): number {
  // f(lo) and f(hi) have opposite signs; 200 halvings reach the floating-point resolution of any bracket here.
  let flo = f(lo);
  for (let i = 0; i < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo)); i++) {
    const mid = (lo + hi) / 2;
    const fm = f(mid);
    if (fm === 0) return mid;
    if (fm < 0 === flo < 0) {
      lo = mid;
      flo = fm;
    } else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Root of f on [a, b] (opposite signs) by the Illinois false-position method; bisects past infinities. */
function falsePosition(f: (x: number) => number, a: number, b: number): number {
  let fa = f(a);
  let fb = f(b);
  let side = 0;
  for (let i = 0; i < 200; i++) {
    const c = Number.isFinite(fa) && Number.isFinite(fb) ? (a * fb - b * fa) / (fb - fa) : (a + b) / 2;
    const fc = f(c);
    if (Math.abs(fc) < 1e-13 || Math.abs(b - a) < 1e-14 * Math.abs(c)) return c;
    if (fc > 0 === fb > 0) {
      b = c;
      fb = fc;
      if (side === -1) fa /= 2;
      side = -1;
    } else {
      a = c;
      fa = fc;
      if (side === 1) fb /= 2;
      side = 1;
    }
  }
  return (a + b) / 2;
}

function goldenMin(f: (x: number) => number, lo: number, hi: number): number {
  const r = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - r * (b - a);
  let d = a + r * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < 80; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - r * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + r * (b - a);
      fd = f(d);
    }
  }
  return Math.min(fc, fd);
}

/** Smallest error probability the Thm 2 argument certifies for constant C (decreasing in C). */
function optimumError(C: number): number {
  const etaUpper = bisect((eta) => Math.sqrt(eta / 2) + Math.sqrt((2 * (eta - 1)) / C) - A, 1, 2 * A * A);
  const errorBound = (eta: number): number => {
    const gamma2 = (2 / eta) * (A - Math.sqrt((2 * (eta - 1)) / C)) ** 2;
    if (gamma2 <= 1 || eta <= 1) return Number.POSITIVE_INFINITY;
    return 4 * Math.exp(-gamma2 * C) * (1 + 1 / ((gamma2 - 1) * Math.log(eta)));
  };
  return goldenMin(errorBound, 1, etaUpper);
}

/** C_α of the LIL CDF band (A = 0.85): 10.9431 (.001), 9.2835 (.01), 8.1227 (.05), 7.6230 (.10). */
export function lilBoundC(alpha: number): number {
  requireAlpha(alpha);
  let lo = 1;
  let hi = 10;
  while (optimumError(hi) > alpha) {
    lo = hi;
    hi *= 2;
  }
  // Work in log error, nearly linear in C, so false position converges in a few steps even for tiny α.
  return falsePosition((C) => Math.log(optimumError(C)) - Math.log(alpha), lo, hi);
}

/**
 * Half-width ε_t of the time-uniform CDF band after t observations; 0.0820477 at (1000, .05, 100).
 * Returns 1 (the trivial band) before tMin, where the theorem says nothing, and never more than 1.
 */
export function cdfBandEpsilon(t: number, alpha: number, tMin = 1): number {
  if (!(t >= 0 && Number.isFinite(t))) throw new RangeError(`t must be finite and >= 0, got ${t}`);
  if (!(tMin >= 1 && Number.isFinite(tMin))) throw new RangeError(`tMin must be >= 1, got ${tMin}`);
  requireAlpha(alpha);
  return cdfBandEpsilonFromC(t, lilBoundC(alpha), tMin);
}

/** ε_t for an already solved C_α (saves re-solving C when many bands share one α). */
export function cdfBandEpsilonFromC(t: number, C: number, tMin = 1): number {
  if (!(C > 0 && Number.isFinite(C))) throw new RangeError(`C must be positive and finite, got ${C}`);
  if (t < tMin) return 1;
  return Math.min(1, A * Math.sqrt((Math.log(1 + Math.log(t / tMin)) + C) / t));
}

/** Buckets (value, count) sorted by value, with cumulative counts for order-statistic lookups. */
export class SortedBuckets {
  readonly values: number[];
  /** cumulative[j] = total count of buckets 0..j */
  readonly cumulative: number[];
  readonly total: number;

  constructor(buckets: ReadonlyArray<readonly [number, number]>) {
    if (buckets.length === 0) throw new RangeError("buckets must not be empty");
    this.values = [];
    this.cumulative = [];
    let total = 0;
    for (const [v, c] of buckets) {
      if (!Number.isFinite(v)) throw new RangeError(`bucket value must be finite, got ${v}`);
      if (!(c >= 0 && Number.isFinite(c)))
        throw new RangeError(`bucket count must be finite and >= 0, got ${c}`);
      const last = this.values.length - 1;
      if (last >= 0 && v < this.values[last]) throw new RangeError("buckets must be sorted by value");
      total += c;
      this.values.push(v);
      this.cumulative.push(total);
    }
    if (!(total > 0)) throw new RangeError("buckets must hold a positive total count");
    this.total = total;
  }

  /** k-th smallest value (1-based; k in [1, total]). */
  orderStatistic(k: number): number {
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] >= k) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo];
  }

  /** lower(p) = x₍⌊t(p−ε)⌋+1₎, −∞ below the data; right-continuous and nondecreasing in p. */
  lowerAt(p: number, epsilon: number): number {
    // With epsilon = 0 and p = 1 the formula points one past the end; the last value is the answer.
    const index = Math.min(this.total, Math.floor(this.total * (p - epsilon)) + 1);
    return index < 1 ? Number.NEGATIVE_INFINITY : this.orderStatistic(index);
  }

  /** upper(p) = x₍⌈t(p+ε)⌉₎, +∞ above the data; left-continuous and nondecreasing in p. */
  upperAt(p: number, epsilon: number): number {
    const index = Math.ceil(this.total * (p + epsilon));
    return index > this.total ? Number.POSITIVE_INFINITY : this.orderStatistic(Math.max(1, index));
  }

  /** [lower(p), upper(p)] of the quantile band of half-width epsilon. */
  bounds(p: number, epsilon: number): [number, number] {
    return [this.lowerAt(p, epsilon), this.upperAt(p, epsilon)];
  }
}

/**
 * Bounds on the p-quantile from weighted sorted buckets and a CDF-band half-width epsilon
 * (−∞ / +∞ where the band leaves the data range). O(buckets).
 */
export function quantileBounds(
  buckets: ReadonlyArray<readonly [number, number]>,
  p: number,
  epsilon: number,
): [number, number] {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be in [0, 1], got ${p}`);
  if (!(epsilon >= 0 && Number.isFinite(epsilon)))
    throw new RangeError(`epsilon must be finite and >= 0, got ${epsilon}`);
  return new SortedBuckets(buckets).bounds(p, epsilon);
}

/** Bounds on Q_candidate(p) − Q_baseline(p) at one p. */
export interface QuantileDifferenceBound {
  p: number;
  lower: number;
  upper: number;
}

export interface CdfBandTwoSampleResult {
  epsilonBaseline: number;
  epsilonCandidate: number;
  quantiles: QuantileDifferenceBound[];
  /** sup over p of the lower bound of Q_c − Q_b (> 0: the candidate is stochastically larger somewhere) */
  maxLower: number;
  /** inf over p of the upper bound of Q_c − Q_b (< 0: the candidate is smaller somewhere) */
  minUpper: number;
  /** the bands are disjoint at some p: reject equality in distribution at level α */
  separated: boolean;
}

export const DEFAULT_BAND_QUANTILES: readonly number[] = [0.5, 0.9, 0.95, 0.99];

/**
 * Netflix-style two-sample test on quantile functions: each arm's band at α/2 (union bound gives α),
 * D_low(p) = lower_c(p) − upper_b(p) and D_high(p) = upper_c(p) − lower_b(p), at the requested ps and
 * scanned over all p (uniform over p, so the scan costs no multiplicity). Anytime-valid: the guarantee
 * holds over all looks, all p and unequal arm sizes. O((buckets_b + buckets_c)·log buckets).
 */
export function cdfBandTwoSample(
  baselineBuckets: ReadonlyArray<readonly [number, number]>,
  candidateBuckets: ReadonlyArray<readonly [number, number]>,
  alpha: number,
  ps: readonly number[] = DEFAULT_BAND_QUANTILES,
  tMin = 1,
): CdfBandTwoSampleResult {
  requireAlpha(alpha);
  const baseline = new SortedBuckets(baselineBuckets);
  const candidate = new SortedBuckets(candidateBuckets);
  if (!(tMin >= 1 && Number.isFinite(tMin))) throw new RangeError(`tMin must be >= 1, got ${tMin}`);
  const C = lilBoundC(alpha / 2);
  const epsilonBaseline = cdfBandEpsilonFromC(baseline.total, C, tMin);
  const epsilonCandidate = cdfBandEpsilonFromC(candidate.total, C, tMin);
  const difference = (p: number): [number, number] => {
    const [bl, bu] = baseline.bounds(p, epsilonBaseline);
    const [cl, cu] = candidate.bounds(p, epsilonCandidate);
    return [cl - bu, cu - bl];
  };
  const quantiles = ps.map((p) => {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be in [0, 1], got ${p}`);
    const [lower, upper] = difference(p);
    return { p, lower, upper };
  });
  // D_low = lower_c − upper_b: lower_c is constant on [b, next b) from each of its jumps
  // b = k/t + ε (right-continuous) while upper_b only grows, so sup D_low is attained at p = 0 or at a
  // jump of lower_c. Symmetrically inf D_high = upper_c − lower_b is attained at p = 1 or at a jump
  // b = k/t − ε of upper_c (left-continuous). A neighbour at distance d absorbs rounding of b.
  const d = 1e-11;
  let maxLower = candidate.lowerAt(0, epsilonCandidate) - baseline.upperAt(0, epsilonBaseline);
  let minUpper = candidate.upperAt(1, epsilonCandidate) - baseline.lowerAt(1, epsilonBaseline);
  for (let j = -1; j < candidate.cumulative.length; j++) {
    const k = (j < 0 ? 0 : candidate.cumulative[j]) / candidate.total;
    for (const p of [k + epsilonCandidate, k + epsilonCandidate + d]) {
      if (p < 0 || p > 1) continue;
      const lower = candidate.lowerAt(p, epsilonCandidate) - baseline.upperAt(p, epsilonBaseline);
      if (lower > maxLower) maxLower = lower;
    }
    for (const p of [k - epsilonCandidate, k - epsilonCandidate - d]) {
      if (p < 0 || p > 1) continue;
      const upper = candidate.upperAt(p, epsilonCandidate) - baseline.lowerAt(p, epsilonBaseline);
      if (upper < minUpper) minUpper = upper;
    }
  }
  return {
    epsilonBaseline,
    epsilonCandidate,
    quantiles,
    maxLower,
    minUpper,
    separated: maxLower > 0 || minUpper < 0,
  };
}

/**
 * Anytime-valid p-value of the band test: the smallest α at which it rejects, by bisection on ln α
 * (ε_t grows as α shrinks, so rejection is monotone in α). "two-sided" tests equality in distribution;
 * "greater" tests only "the candidate is stochastically larger" (D_low > 0). Returns 1 when the test does
 * not reject even at α = 0.5, and at least 1e-12. Each step re-solves C_α, about 50 steps.
 */
export function cdfBandPValue(
  baselineBuckets: ReadonlyArray<readonly [number, number]>,
  candidateBuckets: ReadonlyArray<readonly [number, number]>,
  alternative: "two-sided" | "greater" = "two-sided",
  tMin = 1,
): number {
  requireOneOf("cdfBandPValue", "alternative", alternative, ["two-sided", "greater"]);
  const rejects = (alpha: number): boolean => {
    const r = cdfBandTwoSample(baselineBuckets, candidateBuckets, alpha, [], tMin);
    return alternative === "greater" ? r.maxLower > 0 : r.separated;
  };
  let lo = Math.log(1e-12);
  let hi = Math.log(0.5);
  if (!rejects(Math.exp(hi))) return 1;
  if (rejects(Math.exp(lo))) return Math.exp(lo);
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (rejects(Math.exp(mid))) hi = mid;
    else lo = mid;
  }
  return Math.exp(hi);
}
