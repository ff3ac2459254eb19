/**
 * Kayenta's NetflixACAJudge-v1.0 re-implemented as the fixed-horizon baseline to beat
 * (REFERENCES.md §1: MannWhitneyClassifier.classify, WeightedSumScorer, ThresholdScoreClassifier).
 *
 * Per metric: Wilcoxon rank-sum confidence interval for the location shift (experiment − control)
 * at confLevel 0.98 with continuity and tie correction (R's wilcox.test(conf.int=TRUE, exact=FALSE,
 * correct=TRUE), which Kayenta's MannWhitney.scala ports), Hodges–Lehmann estimate as the root of the
 * same equation at z = 0, tolerance 0.25·|HL|, meanRatio effect size. Labels High / Low / Pass
 * (Nodata for an empty arm, Error when the variance is 0). Scoring: per group
 * 100 × pass/(pass + high + low), summary = equally weighted mean of the group scores, 0 when half
 * the metrics have no data; classification Pass / Marginal / Fail by the pass and marginal thresholds.
 *
 * Complexity: the standardised statistic at a shift μ is computed by merging the two presorted arms
 * (O(m + n)); each of the three roots takes ≤ 200 bisection steps, so a metric costs
 * O((m + n)·log(m + n)) for the sorts plus O(600·(m + n)).
 */
import { mulberry32, type RandomSource, randomNormal } from "../../src/stats/random.js";

export type KayentaDirection = "increase" | "decrease" | "either";
export type KayentaLabel = "Pass" | "High" | "Low" | "Nodata" | "Error";

export interface KayentaMetricConfig {
  direction: KayentaDirection;
  /** meanRatio at or above which a significant increase is High (default 1: any increase) */
  allowedIncrease?: number;
  /** meanRatio at or below which a significant decrease is Low (default 1: any decrease) */
  allowedDecrease?: number;
}

export interface WilcoxonInterval {
  lower: number;
  upper: number;
  /** Hodges–Lehmann estimate (root of the same equation at z = 0) */
  hl: number;
}

const Z_99 = 2.3263478740408408; // qnorm(0.99): two-sided 98%
const TOLERANCE = 0.25;

/**
 * (dz − sign(dz)/2)/σ − zq for experiment − mu against control, both sorted ascending: R's
 * wilcox.test `wdiff`. Ranks and tie counts come from one merge pass; equality is exact float
 * equality of (x − mu) and y, as R's table() of the pooled values.
 */
function wdiff(experiment: Float64Array, control: Float64Array, mu: number, zq: number): number {
  const m = experiment.length;
  const n = control.length;
  let i = 0;
  let j = 0;
  let rank = 0;
  let r1 = 0;
  let ties = 0;
  while (i < m || j < n) {
    const ev = i < m ? experiment[i] - mu : Number.POSITIVE_INFINITY;
    const cv = j < n ? control[j] : Number.POSITIVE_INFINITY;
    const v = Math.min(ev, cv);
    let ei = 0;
    while (i < m && experiment[i] - mu === v) {
      i++;
      ei++;
    }
    let cj = 0;
    while (j < n && control[j] === v) {
      j++;
      cj++;
    }
    const t = ei + cj;
    r1 += ei * (rank + (t + 1) / 2);
    ties += t * t * t - t;
    rank += t;
  }
  const dz = r1 - (m * (m + 1)) / 2 - (m * n) / 2;
  const total = m + n;
  const sigma = Math.sqrt(((m * n) / 12) * (total + 1 - ties / (total * (total - 1))));
  if (!(sigma > 0)) throw new Error("wilcoxon: zero variance");
  return (dz - Math.sign(dz) * 0.5) / sigma - zq;
}

/** Root of the non-increasing step function f on [lo, hi] with f(lo) > 0 > f(hi), by bisection. */
function root(f: (x: number) => number, lo: number, hi: number): number {
  for (let k = 0; k < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(lo) + Math.abs(hi)); k++) {
    const mid = (lo + hi) / 2;
    const fm = f(mid);
    if (fm === 0) return mid;
    if (fm > 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

const sorted = (xs: number[]) => Float64Array.from(xs).sort();

/**
 * Two-sided 98% Wilcoxon interval and Hodges–Lehmann estimate of experiment − control (R's root():
 * an endpoint whose equation has no sign change on [min E − max C, max E − min C] is clamped there).
 */
export function wilcoxonInterval(experiment: number[], control: number[]): WilcoxonInterval {
  if (experiment.length === 0 || control.length === 0) throw new RangeError("wilcoxonInterval: empty arm");
  const e = sorted(experiment);
  const c = sorted(control);
  const lo = e[0] - c[c.length - 1];
  const hi = e[e.length - 1] - c[0];
  const clampRoot = (zq: number) => {
    const f = (mu: number) => wdiff(e, c, mu, zq);
    if (f(lo) <= 0) return lo;
    if (f(hi) >= 0) return hi;
    return root(f, lo, hi);
  };
  return { lower: clampRoot(Z_99), upper: clampRoot(-Z_99), hl: clampRoot(0) };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const isConstant = (xs: number[]) => xs.every((x) => x === xs[0]);

/**
 * MannWhitneyClassifier.classify with nanStrategy=remove, outliers kept, not critical. `random` is
 * only used for Kayenta's tie fix (#343): when each arm is constant, Gaussian noise of sd
 * value × 1e-5 is added to both.
 */
export function classifyMetric(
  experiment: number[],
  control: number[],
  config: KayentaMetricConfig,
  random: RandomSource = mulberry32(343),
): KayentaLabel {
  let e = experiment.filter((x) => Number.isFinite(x));
  let c = control.filter((x) => Number.isFinite(x));
  if (e.length === 0 || c.length === 0) return "Nodata";
  const se = sorted(e);
  const sc = sorted(c);
  if (se.length === sc.length && se.every((v, i) => v === sc[i])) return "Pass";
  if (new Set([...e, ...c]).size === 1) return "Pass";
  if (isConstant(e) && isConstant(c)) {
    e = e.map((x) => x + randomNormal(random, 0, Math.abs(x) * 1e-5));
    c = c.map((x) => x + randomNormal(random, 0, Math.abs(x) * 1e-5));
  }
  try {
    const { lower, upper, hl } = wilcoxonInterval(e, c);
    const meanC = mean(c);
    const meanE = mean(e);
    const ratio = meanC === 0 || meanE === 0 ? Number.NaN : meanE / meanC;
    const allowedIncrease = config.allowedIncrease ?? 1;
    const allowedDecrease = config.allowedDecrease ?? 1;
    const bound = TOLERANCE * Math.abs(hl);
    const high =
      config.direction !== "decrease" && lower > bound && (Number.isNaN(ratio) || ratio >= allowedIncrease);
    const low =
      config.direction !== "increase" && upper < -bound && (Number.isNaN(ratio) || ratio <= allowedDecrease);
    if (high) return "High";
    if (low) return "Low";
    return "Pass";
  } catch {
    return "Error";
  }
}

/** WeightedSumScorer for one group: 100 × pass/(pass+high+low); undefined when nothing counts (noData). */
function groupScore(labels: KayentaLabel[]): number | undefined {
  let pass = 0;
  let counted = 0;
  for (const l of labels) {
    if (l === "Pass" || l === "High" || l === "Low") counted++;
    if (l === "Pass") pass++;
  }
  return counted === 0 ? undefined : (100 * pass) / counted;
}

/**
 * WeightedSumScorer with equal group weights: mean of the group scores (a group with no countable
 * metric counts 100), then the NODATA override (≥ 50% of the metrics Nodata gives 0); 2 decimals.
 */
export function kayentaScore(groups: Readonly<Record<string, KayentaLabel[]>>): number {
  const names = Object.keys(groups);
  if (names.length === 0) throw new RangeError("kayentaScore: no metric groups");
  const all = names.flatMap((g) => groups[g]);
  if (all.length > 0 && all.filter((l) => l === "Nodata").length * 2 >= all.length) return 0;
  let sum = 0;
  for (const g of names) sum += groupScore(groups[g]) ?? 100;
  return Math.round((100 * sum) / names.length) / 100;
}

export type KayentaClassification = "Pass" | "Marginal" | "Fail";

/** ThresholdScoreClassifier: score ≥ pass is Pass, ≥ marginal is Marginal, otherwise Fail. */
export function classifyScore(
  score: number,
  thresholds: { pass: number; marginal: number },
): KayentaClassification {
  if (score >= thresholds.pass) return "Pass";
  if (score >= thresholds.marginal) return "Marginal";
  return "Fail";
}
