/**
 * The synthetic model whose canaries the benchmark judges, and the regressions injected into it.
 *
 * Every event of an arm: label ~ Bernoulli(prevalence); the score's latent z ~ N(sep·L + shift, 1)
 * with score = logistic(z), where L is the label, except that with probability `labelNoise` L is
 * replaced by a fresh Bernoulli(prevalence) draw (this lowers the AUC while leaving the score
 * distribution and the selection rates exactly unchanged, so the AUC regression is isolated);
 * latency ~ factor · LogNormal(ln 50 ms, 0.5); error ~ Bernoulli(errorRate) (an errored event has a
 * latency but no score); group a/b with equal probability; in group b a positive decision is kept
 * with probability `groupBKeep` (selection-rate parity ratio = groupBKeep), otherwise the decision is
 * left to the store (score ≥ 0.5).
 */
import { normalCdf, normalQuantile } from "../../src/stats/normal.js";

export interface ArmModel {
  shift: number;
  separation: number;
  labelNoise: number;
  latencyFactor: number;
  errorRate: number;
  groupBKeep: number;
}

export const PREVALENCE = 0.3;
export const BASELINE_AUC = 0.8;
export const LATENCY_MEDIAN_MS = 50;
export const LATENCY_SIGMA = 0.5;

export const baselineArm = (): ArmModel => ({
  shift: 0,
  separation: Math.SQRT2 * normalQuantile(BASELINE_AUC),
  labelNoise: 0,
  latencyFactor: 1,
  errorRate: 0,
  groupBKeep: 1,
});

export type RegressionKind = "none" | "drift" | "latency" | "auc" | "fairness" | "errors";

export interface Scenario {
  kind: RegressionKind;
  /** size as stated in tables, e.g. "PSI 0.10", "p95 +30%" */
  label: string;
  /** the judged quantity's true value for the candidate, e.g. 0.1 (PSI) or 1.3 (p95 ratio) */
  size: number;
  candidate: ArmModel;
  baseline: ArmModel;
}

/** Latent-z CDF of an arm without label noise: mixture (1−π)Φ(z − shift) + πΦ(z − shift − sep). */
function latentCdf(z: number, shift: number, sep: number): number {
  return (1 - PREVALENCE) * normalCdf(z - shift) + PREVALENCE * normalCdf(z - shift - sep);
}

function bisect(f: (x: number) => number, lo: number, hi: number): number {
  for (let i = 0; i < 80; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > 0) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}

/** Exact PSI (10 baseline-decile bins) between the baseline's scores and the scores shifted by `shift` in z. */
export function psiOfShift(shift: number, bins = 10): number {
  const sep = baselineArm().separation;
  const edges = [Number.NEGATIVE_INFINITY];
  for (let k = 1; k < bins; k++) edges.push(bisect((z) => latentCdf(z, 0, sep) - k / bins, -20, 20));
  edges.push(Number.POSITIVE_INFINITY);
  let psi = 0;
  for (let b = 0; b < bins; b++) {
    const ref = 1 / bins;
    const cur = latentCdf(edges[b + 1], shift, sep) - latentCdf(edges[b], shift, sep);
    psi += (cur - ref) * Math.log(cur / ref);
  }
  return psi;
}

/** AUC of the binormal arm with separation sep and label-noise fraction q (mixture of the class laws). */
export function aucWithLabelNoise(q: number, sep: number): number {
  const a = normalCdf(sep / Math.SQRT2);
  const a1 = 1 - (1 - PREVALENCE) * q; // P(a positive's score comes from the positive law)
  const a0 = PREVALENCE * q; // P(a negative's score comes from the positive law)
  return a1 * (1 - a0) * a + (a1 * a0 + (1 - a1) * (1 - a0)) * 0.5 + (1 - a1) * a0 * (1 - a);
}

const pct = (x: number) => `${Number((x * 100).toPrecision(3))}%`;

/** The A/A scenario and the A/B regressions the benchmark measures (several sizes each). */
export function scenarios(): { aa: Scenario; ab: Scenario[] } {
  const base = baselineArm();
  const make = (kind: RegressionKind, label: string, size: number, change: Partial<ArmModel>): Scenario => ({
    kind,
    label,
    size,
    baseline: base,
    candidate: { ...base, ...change },
  });
  const ab: Scenario[] = [];
  for (const target of [0.05, 0.1, 0.2, 0.3]) {
    const shift = bisect((s) => psiOfShift(s) - target, 0, 3);
    ab.push(make("drift", `PSI ${target.toFixed(2)}`, target, { shift }));
  }
  for (const factor of [1.1, 1.2, 1.3, 1.5]) {
    ab.push(make("latency", `p95 +${Math.round((factor - 1) * 100)}%`, factor, { latencyFactor: factor }));
  }
  for (const drop of [0.01, 0.02, 0.03, 0.05]) {
    const q = bisect((x) => BASELINE_AUC - drop - aucWithLabelNoise(x, base.separation), 0, 1);
    ab.push(make("auc", `AUC −${drop.toFixed(2)}`, -drop, { labelNoise: q }));
  }
  for (const ratio of [0.9, 0.8, 0.7, 0.6]) {
    ab.push(make("fairness", `parity ratio ${ratio.toFixed(1)}`, ratio, { groupBKeep: ratio }));
  }
  for (const rate of [0.005, 0.01, 0.02]) {
    ab.push(make("errors", `errors 0 → ${pct(rate)}`, rate, { errorRate: rate }));
  }
  return { aa: make("none", "A/A", 0, {}), ab };
}
