/**
 * Kayenta's NetflixACAJudge-v1.0 re-implemented as the fixed-horizon baseline to beat
 * (REFERENCES.md §1: MannWhitneyClassifier.classify, WeightedSumScorer, ThresholdScoreClassifier).
 *
 * Per metric: Wilcoxon rank-sum confidence interval for the location shift (experiment − control)
 * at confLevel 0.98 with continuity and tie correction (R's wilcox.test(conf.int=TRUE, exact=FALSE,
 * correct=TRUE)), Hodges–Lehmann estimate, tolerance 0.25·|HL|, meanRatio effect size.
 * Classification High / Low / Pass; score = 100 × pass / (pass + high + low); pass ≥ passThreshold.
 */
export type KayentaDirection = "increase" | "decrease" | "either";
export type KayentaLabel = "Pass" | "High" | "Low" | "Nodata" | "Error";

export interface KayentaMetricConfig {
  direction: KayentaDirection;
  allowedIncrease?: number;
  allowedDecrease?: number;
}

const Z_99 = 2.3263478740408408; // qnorm(0.99): two-sided 98%
const TOLERANCE = 0.25;

function midranks(values: number[]): number[] {
  const idx = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[idx[k][1]] = r;
    i = j + 1;
  }
  return ranks;
}

/** Standardised Wilcoxon statistic of experiment − mu vs control, with continuity correction. */
function wdiff(experiment: number[], control: number[], mu: number, zq: number): number {
  const m = experiment.length;
  const n = control.length;
  const shifted = experiment.map((x) => x - mu);
  const ranks = midranks([...shifted, ...control]);
  let r1 = 0;
  for (let i = 0; i < m; i++) r1 += ranks[i];
  const dz = r1 - (m * (m + 1)) / 2 - (m * n) / 2;
  const counts = new Map<number, number>();
  for (const v of [...shifted, ...control]) counts.set(v, (counts.get(v) ?? 0) + 1);
  let ties = 0;
  for (const t of counts.values()) ties += t * t * t - t;
  const N = m + n;
  const sigma = Math.sqrt(((m * n) / 12) * (N + 1 - ties / (N * (N - 1))));
  if (!(sigma > 0)) throw new Error("wilcoxon: zero variance");
  const correction = Math.sign(dz) * 0.5;
  return (dz - correction) / sigma - zq;
}

/** Root of the decreasing function f on [lo, hi] by bisection (Kayenta uses Brent; same root). */
function root(f: (x: number) => number, lo: number, hi: number): number {
  let flo = f(lo);
  if (flo === 0) return lo;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(lo) + Math.abs(hi)); i++) {
    const mid = (lo + hi) / 2;
    const fm = f(mid);
    if (fm === 0) return mid;
    if (Math.sign(fm) === Math.sign(flo)) {
      lo = mid;
      flo = fm;
    } else hi = mid;
  }
  return (lo + hi) / 2;
}

export function wilcoxonInterval(
  experiment: number[],
  control: number[],
): { lower: number; upper: number; hl: number } {
  const lo = Math.min(...experiment) - Math.max(...control);
  const hi = Math.max(...experiment) - Math.min(...control);
  const clampRoot = (zq: number) => {
    const f = (mu: number) => wdiff(experiment, control, mu, zq);
    const flo = f(lo);
    const fhi = f(hi);
    if (flo <= 0) return lo;
    if (fhi >= 0) return hi;
    return root(f, lo, hi);
  };
  return { lower: clampRoot(Z_99), upper: clampRoot(-Z_99), hl: clampRoot(0) };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

export function classifyMetric(
  experiment: number[],
  control: number[],
  config: KayentaMetricConfig,
): KayentaLabel {
  const e = experiment.filter((x) => Number.isFinite(x));
  const c = control.filter((x) => Number.isFinite(x));
  if (e.length === 0 || c.length === 0) return "Nodata";
  const se = [...e].sort((a, b) => a - b);
  const sc = [...c].sort((a, b) => a - b);
  if (se.length === sc.length && se.every((v, i) => v === sc[i])) return "Pass";
  if (new Set([...e, ...c]).size === 1) return "Pass";
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

/** WeightedSumScorer with equal weights: 100 × pass/(pass+high+low); Nodata and Error excluded. */
export function kayentaScore(labels: KayentaLabel[]): number {
  const counted = labels.filter((l) => l === "Pass" || l === "High" || l === "Low");
  if (counted.length === 0) return 100;
  if (labels.filter((l) => l === "Nodata").length * 2 >= labels.length) return 0;
  return (100 * counted.filter((l) => l === "Pass").length) / counted.length;
}
