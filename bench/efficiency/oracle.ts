/**
 * The information limit every gate is measured against (REFERENCES §7): a fixed-sample, one-sided
 * z-test that knows the true variance, at the gate's share of alpha, with 80% power against the gate's
 * own tolerance boundary. Its sample size is the smallest candidate n with effect/se(n) ≥ z(1−α_g) +
 * z(power), where effect is the distance from the truth to the boundary (a fail) or from the truth to
 * the boundary on the other side (a pass). Here se(n) = se1/√n, with the baseline's size a fixed
 * multiple of the candidate's folded into se1.
 */
import { normalCdf, normalQuantile } from "../../src/stats/normal.js";

const phi = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);

/** Smallest n with effect·√n/se1 ≥ z(1−α) + z(power). */
export function oracleN(effect: number, se1: number, alpha: number, power = 0.8): number {
  if (!(effect > 0)) throw new RangeError(`effect must be positive, got ${effect}`);
  const z = normalQuantile(1 - alpha) + normalQuantile(power);
  return Math.ceil(((z * se1) / effect) ** 2);
}

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

/**
 * Asymptotic variance·n of the AUC estimate of a model whose positive and negative scores have
 * densities fPos, fNeg and CDFs FPos, FNeg on the real line, with a share `prevalence` of positives
 * among n labelled outcomes: Var ≈ Var(F_neg(X₊))/P + Var(1 − F_pos(X₋))/N (the DeLong placement
 * variances), by quadrature on [−12, 12].
 */
export function aucVariance1(
  pos: { pdf: (x: number) => number; cdf: (x: number) => number },
  neg: { pdf: (x: number) => number; cdf: (x: number) => number },
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

/** A normal law N(mean, 1) as pdf/cdf, and a two-component mixture of such laws. */
export const normalLaw = (mean: number) => ({
  pdf: (x: number) => phi(x - mean),
  cdf: (x: number) => normalCdf(x - mean),
});
export function mixtureLaw(w: number, a: ReturnType<typeof normalLaw>, b: ReturnType<typeof normalLaw>) {
  return {
    pdf: (x: number) => w * a.pdf(x) + (1 - w) * b.pdf(x),
    cdf: (x: number) => w * a.cdf(x) + (1 - w) * b.cdf(x),
  };
}

/** Delta-method variance·n_group of a ratio s_b/s_a of two selection rates (per-group sizes). */
export function parityRatioVariance(sa: number, sb: number, na: number, nb: number): number {
  const r = sb / sa;
  return r * r * ((1 - sa) / (sa * na) + (1 - sb) / (sb * nb));
}

/**
 * sd·√n of the PSI estimate for a candidate of n and a baseline of k·n draws on fixed bins with true
 * shares r (baseline) and c (candidate): the delta method of src/stats/psi-variance.ts at the truth.
 */
export function psiSd1(r: number[], c: number[], k: number): number {
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

/** Kolmogorov distribution K(x) = P(sup|B| ≤ x) = 1 − 2Σ_{j≥1} (−1)^{j−1} e^{−2j²x²}. */
export function kolmogorovCdf(x: number): number {
  if (x <= 0) return 0;
  let s = 0;
  for (let j = 1; j < 100; j++) s += (j % 2 ? 1 : -1) * Math.exp(-2 * j * j * x * x);
  return 1 - 2 * s;
}

function kolmogorovQuantile(p: number): number {
  let lo = 0.1;
  let hi = 5;
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (kolmogorovCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Oracle for "equal distributions pass a KS tolerance": the fixed-sample two-sample KS equivalence test
 * passes when D̂ + c_α/√n_eff ≤ tol (c_α the Kolmogorov 1 − α quantile); with equal laws √n_eff·D̂
 * follows the Kolmogorov law, so 80% of runs pass once √n_eff·tol ≥ c_α + K⁻¹(0.8). Returns the
 * candidate n for a baseline of k·n (n_eff = n·k/(k + 1)).
 */
export function ksEquivalenceN(tol: number, alpha: number, k: number, power = 0.8): number {
  const root = (kolmogorovQuantile(1 - alpha) + kolmogorovQuantile(power)) / tol;
  return Math.ceil(root * root * ((k + 1) / k));
}
