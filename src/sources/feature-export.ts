import type { FeatureSummary } from "../sketch/cohort-summary.js";
import type { LatencySketch } from "../sketch/latency-sketch.js";

/**
 * The per-feature series of the naming contract, as the exporter writes them (and as a model
 * server should): a numeric feature is a histogram whose `le` edges are the feature sketch's own
 * bucket edges, mirrored for negative values; a categorical feature is one counter per category.
 */

type Labels = Record<string, string>;
interface Sample {
  metricName?: string;
  labels: Labels;
  value: number;
}

/**
 * The finite `le` edges of a numeric feature, ascending: −γ^i for i = iMax … iMin − 1, then 0,
 * then γ^i for i = iMin − 1 … iMax, where iMin, iMax are the sketch's bucket indices of the
 * range's ends. Inside ±[min, max] every Prometheus bucket is one sketch bucket (the sketch's
 * positive bucket i is (γ^(i−1), γ^i], its negative bucket i is [−γ^i, −γ^(i−1))), so the round
 * trip is lossless there; (−γ^(iMin−1), 0] holds zero and the negatives nearer to it, (0, γ^(iMin−1)]
 * the positives nearer to it, and the two open-ended buckets what lies beyond ±γ^iMax.
 */
export function featureEdges(sketch: LatencySketch, [min, max]: [number, number]): number[] {
  const iMin = sketch.indexOf(min);
  const iMax = sketch.indexOf(max);
  const out: number[] = [];
  for (let i = iMax; i >= iMin - 1; i--) out.push(-sketch.upperEdge(i));
  out.push(0);
  for (let i = iMin - 1; i <= iMax; i++) out.push(sketch.upperEdge(i));
  return out;
}

/**
 * Cumulative buckets of one numeric feature on the fixed edges above (the same edges whatever
 * the values, so that replicas sum by `le`; the negative ones only once a value was negative),
 * then `+Inf`, `_sum` and `_count`.
 * Cost: O(edges + sketch buckets).
 */
export function numericFeatureSamples(
  name: string,
  labels: Labels,
  sketch: LatencySketch,
  [min, max]: [number, number],
): Sample[] {
  const iMin = sketch.indexOf(min);
  const iMax = sketch.indexOf(max);
  const bucket = (le: string, value: number): Sample => ({
    metricName: `${name}_bucket`,
    labels: { ...labels, le },
    value,
  });
  const out: Sample[] = [];
  // values ≤ −γ^i are the negative buckets of index > i
  const negDesc = [...sketch.neg.keys()].sort((a, b) => b - a);
  let cumulative = 0;
  let next = 0;
  // The negative edges appear with the feature's first negative value: edges added below every
  // edge already exposed count from 0, which is what they held before (no value lay below them),
  // so a reader's windows stay exact and replicas still sum by `le`. This halves the series of
  // a feature that is never negative.
  if (negDesc.length > 0) {
    for (let i = iMax; i >= iMin - 1; i--) {
      while (next < negDesc.length && negDesc[next] > i) cumulative += sketch.neg.get(negDesc[next++])!;
      out.push(bucket(String(-sketch.upperEdge(i)), cumulative));
    }
  }
  while (next < negDesc.length) cumulative += sketch.neg.get(negDesc[next++])!;
  cumulative += sketch.zero;
  out.push(bucket("0", cumulative));
  // values ≤ γ^i add the positive buckets of index ≤ i
  const posAsc = [...sketch.pos.keys()].sort((a, b) => a - b);
  next = 0;
  for (let i = iMin - 1; i <= iMax; i++) {
    while (next < posAsc.length && posAsc[next] <= i) cumulative += sketch.pos.get(posAsc[next++])!;
    out.push(bucket(String(sketch.upperEdge(i)), cumulative));
  }
  out.push(bucket("+Inf", sketch.count));
  out.push({ metricName: `${name}_sum`, labels, value: sketch.sum });
  out.push({ metricName: `${name}_count`, labels, value: sketch.count });
  return out;
}

/**
 * The contract's feature series of one cohort: a histogram per numeric feature (label
 * `featureLabel`), and a counter per category of each categorical feature (labels `featureLabel`,
 * `categoryLabel`), for the features `wanted` names ("all", or a list).
 */
export function featureSamples(
  features: ReadonlyMap<string, FeatureSummary>,
  wanted: readonly string[] | "all",
  kind: FeatureSummary["kind"],
  out: { name: string; labels: Labels; featureLabel: string; categoryLabel: string; range: [number, number] },
): Sample[] {
  const names = wanted === "all" ? [...features.keys()].sort() : wanted;
  const samples: Sample[] = [];
  for (const feature of names) {
    const f = features.get(feature);
    if (!f || f.kind !== kind) continue;
    const labels = { ...out.labels, [out.featureLabel]: feature };
    if (f.kind === "numeric") {
      if (f.sketch.count > 0) samples.push(...numericFeatureSamples(out.name, labels, f.sketch, out.range));
      continue;
    }
    for (const [category, value] of [...f.counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      samples.push({ labels: { ...labels, [out.categoryLabel]: category }, value });
    }
  }
  return samples;
}
