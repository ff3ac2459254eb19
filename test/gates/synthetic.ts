/**
 * Seeded synthetic cohorts for the drift, auc and fairness gate tests: events are generated one by
 * one (as ingestion would see them) into a CohortSummary, so the gates read real histograms, sketches
 * and group counts. Raw values are also returned where a test recomputes a statistic independently.
 */
import { CohortSummary, type SummaryLayout } from "../../src/sketch/cohort-summary.js";
import { addLabel } from "../../src/sketch/group-counts.js";
import { LatencySketch } from "../../src/sketch/latency-sketch.js";
import { normalQuantile } from "../../src/stats/normal.js";
import { type RandomSource, randomNormal } from "../../src/stats/random.js";

export { mulberry32 } from "../../src/stats/random.js";

const logistic = (z: number) => 1 / (1 + Math.exp(-z));

/** n scores logistic(z), z ~ N(mean, sd); returns the raw scores. */
export function addScores(
  s: CohortSummary,
  random: RandomSource,
  n: number,
  opts: { mean?: number; sd?: number } = {},
): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = logistic(randomNormal(random, opts.mean ?? 0, opts.sd ?? 1));
    s.scores.add(x);
    s.events++;
    out.push(x);
  }
  return out;
}

/** Binormal separation giving a target AUC: AUC = Φ(d/√2). */
export const separationForAuc = (auc: number) => Math.SQRT2 * normalQuantile(auc);

/**
 * n labelled, scored events from the binormal model with the given AUC: label ~ Bernoulli(prevalence),
 * z ~ N(label·d, 1), score = logistic(z). Returns raw scores and labels.
 */
export function addLabelled(
  s: CohortSummary,
  random: RandomSource,
  n: number,
  opts: { auc: number; prevalence?: number },
): { scores: number[]; labels: number[] } {
  const d = separationForAuc(opts.auc);
  const prevalence = opts.prevalence ?? 0.3;
  const scores: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = random() < prevalence ? 1 : 0;
    const x = logistic(randomNormal(random, label * d, 1));
    s.scores.add(x);
    (label === 1 ? s.scoresPositive : s.scoresNegative).add(x);
    s.events++;
    scores.push(x);
    labels.push(label);
  }
  return { scores, labels };
}

/**
 * n decisions for one group: label ~ Bernoulli(prevalence), decision ~ Bernoulli(tpr) if positive
 * else Bernoulli(fpr), so the selection rate is prevalence·tpr + (1 − prevalence)·fpr; a fraction
 * labelledShare of events also records its label.
 */
export function addGroup(
  s: CohortSummary,
  random: RandomSource,
  attribute: string,
  value: string,
  n: number,
  opts: { tpr: number; fpr: number; prevalence?: number; labelledShare?: number },
): void {
  const g = s.group(attribute, value);
  const prevalence = opts.prevalence ?? 0.3;
  const labelledShare = opts.labelledShare ?? 1;
  for (let i = 0; i < n; i++) {
    const label = random() < prevalence ? 1 : 0;
    const decision = random() < (label === 1 ? opts.tpr : opts.fpr) ? 1 : 0;
    g.n++;
    g.selected += decision;
    if (random() < labelledShare) addLabel(g, label, decision);
  }
  s.events += n;
}

/** n values of a numeric feature, N(mean, sd). */
export function addNumericFeature(
  s: CohortSummary,
  random: RandomSource,
  name: string,
  n: number,
  opts: { mean: number; sd: number },
): number[] {
  let f = s.features.get(name);
  if (!f) {
    f = { kind: "numeric", sketch: new LatencySketch(s.layout.sketchAlpha) };
    s.features.set(name, f);
  }
  if (f.kind !== "numeric") throw new Error(`${name} is not numeric`);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = randomNormal(random, opts.mean, opts.sd);
    f.sketch.add(x);
    out.push(x);
  }
  return out;
}

/** n values of a categorical feature drawn with the given probabilities. */
export function addCategoricalFeature(
  s: CohortSummary,
  random: RandomSource,
  name: string,
  n: number,
  probabilities: Record<string, number>,
): void {
  let f = s.features.get(name);
  if (!f) {
    f = { kind: "categorical", counts: new Map() };
    s.features.set(name, f);
  }
  if (f.kind !== "categorical") throw new Error(`${name} is not categorical`);
  const entries = Object.entries(probabilities);
  for (let i = 0; i < n; i++) {
    let u = random();
    let pick = entries[entries.length - 1][0];
    for (const [k, p] of entries) {
      if (u < p) {
        pick = k;
        break;
      }
      u -= p;
    }
    f.counts.set(pick, (f.counts.get(pick) ?? 0) + 1);
  }
}

export const newSummary = (layout?: SummaryLayout) => new CohortSummary(layout);

/** Paths of every NaN/±Infinity number in a value (must be empty for any gate result). */
export function nonFinite(value: unknown, path = "$"): string[] {
  if (typeof value === "number") return Number.isFinite(value) ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonFinite(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => nonFinite(v, `${path}.${k}`));
  }
  return [];
}

/** Upper limit for an A/A false-fail fraction over `runs`: alpha plus 3 binomial standard errors. */
export const falseFailLimit = (alpha: number, runs: number) =>
  alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / runs);

/** The `field` of the GateConfigError a config parser throws (undefined if it does not throw). */
export function configErrorField(parse: () => unknown): string | undefined {
  try {
    parse();
  } catch (err) {
    return (err as { field?: string }).field;
  }
  return undefined;
}
