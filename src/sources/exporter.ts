import type { Metric, Registry } from "prom-client";
import { type CohortSummary, PROMETHEUS_SCORE_BINS } from "../sketch/cohort-summary.js";
import type { LatencySketch } from "../sketch/latency-sketch.js";
import type { ScoreHistogram } from "../sketch/score-histogram.js";
import { featureSamples } from "./feature-export.js";
import { DEFAULT_NAMING, latencyUnitMs, type NamingContract } from "./naming.js";

/**
 * What the exporter reads: the cohorts to export and, for each, its summary since this process
 * started. The summaries must only grow (retention must not subtract from them): Prometheus
 * reads them as counters, and a counter that drops looks like a restart.
 */
export interface ExportedCohorts {
  list(): Array<{ model: string; version: string }>;
  summary(model: string, version: string): CohortSummary | undefined;
}

type Labels = Record<string, string>;
interface Sample {
  metricName?: string;
  labels: Labels;
  value: number;
}

/**
 * Exports cohort summaries on /metrics in the naming contract (docs/prometheus.md), so that
 * Prometheus can sum them over modelgate replicas and the Prometheus source can read them
 * back. Registered on the app's registry as custom metrics computed at scrape time:
 * prom-client's Histogram cannot be set to given bucket counts, and the counts already live
 * in the summaries. Score `le` edges are the score histogram's bin edges and latency edges
 * are the latency sketch's bucket edges, so the round trip through Prometheus is lossless
 * inside `naming.latencyRangeMs`. The features `naming.exportFeatures` names are exported too
 * (feature-export.ts): a histogram per numeric feature on the feature sketch's own edges
 * (lossless inside `naming.featureRange`) and a counter per category.
 * Cost per scrape: O(versions × (score bins + latency edges + groups + exported features × edges)).
 */
export function registerCohortExporter(
  registry: Registry,
  cohorts: ExportedCohorts,
  naming: NamingContract = DEFAULT_NAMING,
): void {
  const m = naming.metrics;
  const l = naming.labels;
  let cached: Array<{ labels: Labels; summary: CohortSummary }> | undefined;
  // every metric of one scrape reads the same snapshot; it is dropped once the scrape's
  // synchronous collection is over, so the next scrape sees fresh counts
  const snapshot = () => {
    if (!cached) {
      cached = [];
      for (const { model, version } of cohorts.list()) {
        const summary = cohorts.summary(model, version);
        if (summary) cached.push({ labels: { [l.model]: model, [l.version]: version }, summary });
      }
      setImmediate(() => {
        cached = undefined;
      });
    }
    return cached;
  };
  const unit = latencyUnitMs(naming);

  const define = (
    name: string,
    type: "counter" | "gauge" | "histogram",
    help: string,
    samples: (labels: Labels, s: CohortSummary) => Sample[],
  ) => {
    const metric = {
      name,
      help,
      type,
      aggregator: "sum",
      labelNames: [],
      reset() {},
      async get() {
        const values = snapshot().flatMap(({ labels, summary }) => samples(labels, summary));
        return { name, help, type, aggregator: "sum", values };
      },
    };
    registry.registerMetric(metric as unknown as Metric);
  };

  define(m.predictions, "counter", "Prediction requests ingested, errored or not", (labels, s) => [
    { labels, value: s.events },
  ]);
  define(m.errors, "counter", "Prediction requests that failed", (labels, s) => [
    { labels, value: s.errors },
  ]);
  define(m.invalid, "counter", "Predictions with an unusable score", (labels, s) => [
    { labels, value: s.invalid },
  ]);
  define(m.score, "histogram", "Valid prediction scores", (labels, s) =>
    scoreSamples(m.score, labels, s.scores),
  );
  define(m.labelledScore, "histogram", "Scores of labelled predictions by label", (labels, s) => [
    ...scoreSamples(m.labelledScore, { ...labels, [l.label]: "1" }, s.scoresPositive),
    ...scoreSamples(m.labelledScore, { ...labels, [l.label]: "0" }, s.scoresNegative),
  ]);
  define(m.latency, "histogram", `Prediction latency, ${naming.latencyUnit}`, (labels, s) =>
    latencySamples(m.latency, labels, s.latency, naming.latencyRangeMs, unit),
  );
  define(m.decisions, "counter", "Decisions by group and decision", (labels, s) => {
    const out: Sample[] = [];
    for (const [attribute, byValue] of s.groups) {
      for (const [value, g] of byValue) {
        const group = { ...labels, [l.groupAttribute]: attribute, [l.groupValue]: value };
        out.push({ labels: { ...group, [l.decision]: "1" }, value: g.selected });
        out.push({ labels: { ...group, [l.decision]: "0" }, value: g.n - g.selected });
      }
    }
    return out;
  });
  define(m.outcomes, "counter", "Labelled decisions by group, decision and label", (labels, s) => {
    const out: Sample[] = [];
    for (const [attribute, byValue] of s.groups) {
      for (const [value, g] of byValue) {
        if (g.tp + g.fp + g.fn + g.tn === 0) continue;
        const group = { ...labels, [l.groupAttribute]: attribute, [l.groupValue]: value };
        const cells: Array<[string, string, number]> = [
          ["1", "1", g.tp],
          ["1", "0", g.fp],
          ["0", "1", g.fn],
          ["0", "0", g.tn],
        ];
        for (const [decision, label, value] of cells) {
          out.push({ labels: { ...group, [l.decision]: decision, [l.label]: label }, value });
        }
      }
    }
    return out;
  });
  if (naming.exportFeatures === "all" || naming.exportFeatures.length > 0) {
    const shape = (name: string, labels: Labels) => ({
      name,
      labels,
      featureLabel: l.feature,
      categoryLabel: l.category,
      range: naming.featureRange,
    });
    define(m.featureValue, "histogram", "Values of each numeric feature", (labels, s) =>
      featureSamples(s.features, naming.exportFeatures, "numeric", shape(m.featureValue, labels)),
    );
    define(m.featureCategory, "counter", "Values of each categorical feature, by category", (labels, s) =>
      featureSamples(s.features, naming.exportFeatures, "categorical", shape(m.featureCategory, labels)),
    );
  }
  define(m.firstSeen, "gauge", "Epoch seconds of the version's first event", (labels, s) =>
    s.firstTs === null ? [] : [{ labels, value: s.firstTs / 1000 }],
  );
  define(m.lastSeen, "gauge", "Epoch seconds of the version's latest event", (labels, s) =>
    s.lastTs === null ? [] : [{ labels, value: s.lastTs / 1000 }],
  );
}

/** Cumulative buckets with `le` = the histogram's upper bin edges; empty histograms are not exported. */
function scoreSamples(name: string, labels: Labels, histogram: ScoreHistogram): Sample[] {
  // exported at the Prometheus grid (every bin is a series); finer store bins sum into it exactly
  const h =
    histogram.bins > PROMETHEUS_SCORE_BINS && histogram.bins % PROMETHEUS_SCORE_BINS === 0
      ? histogram.coarsened(PROMETHEUS_SCORE_BINS)
      : histogram;
  const total = h.total;
  if (total === 0) return [];
  const out: Sample[] = [];
  let cumulative = 0;
  let weightedSum = 0;
  for (let i = 0; i < h.bins; i++) {
    cumulative += h.counts[i];
    weightedSum += h.counts[i] * h.mid(i);
    out.push({
      metricName: `${name}_bucket`,
      labels: { ...labels, le: String(h.edge(i + 1)) },
      value: cumulative,
    });
  }
  out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: "+Inf" }, value: total });
  // the histogram keeps bins, not values: the sum is the bin-midpoint estimate
  out.push({ metricName: `${name}_sum`, labels, value: weightedSum });
  out.push({ metricName: `${name}_count`, labels, value: total });
  return out;
}

/**
 * The sketch's buckets (γ^(i−1), γ^i] become `le` edges γ^i over the configured range, after a
 * `le="0"` bucket for zero (and negative) values and one underflow edge γ^(iMin−1); the edge
 * set is fixed so that replicas' buckets sum by `le`.
 */
function latencySamples(
  name: string,
  labels: Labels,
  sketch: LatencySketch,
  [minMs, maxMs]: [number, number],
  unitMs: number,
): Sample[] {
  if (sketch.count === 0) return [];
  const iMin = sketch.indexOf(minMs);
  const iMax = sketch.indexOf(maxMs);
  const sortedIdx = [...sketch.pos.keys()].sort((a, b) => a - b);
  let cumulative = sketch.zero;
  for (const c of sketch.neg.values()) cumulative += c;
  const out: Sample[] = [{ metricName: `${name}_bucket`, labels: { ...labels, le: "0" }, value: cumulative }];
  let next = 0;
  for (let i = iMin - 1; i <= iMax; i++) {
    while (next < sortedIdx.length && sortedIdx[next] <= i) cumulative += sketch.pos.get(sortedIdx[next++])!;
    const le = String(sketch.upperEdge(i) / unitMs);
    out.push({ metricName: `${name}_bucket`, labels: { ...labels, le }, value: cumulative });
  }
  out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: "+Inf" }, value: sketch.count });
  out.push({ metricName: `${name}_sum`, labels, value: sketch.sum / unitMs });
  out.push({ metricName: `${name}_count`, labels, value: sketch.count });
  return out;
}

/** The exporter's latency `le` edges in ms (what model servers copy to be lossless). */
export function latencyEdgesMs(sketch: LatencySketch, [minMs, maxMs]: [number, number]): number[] {
  const out: number[] = [];
  for (let i = sketch.indexOf(minMs) - 1; i <= sketch.indexOf(maxMs); i++) out.push(sketch.upperEdge(i));
  return out;
}

/** Cohorts kept as time buckets that retention deletes (the embedded store's layout). */
export interface BucketedCohorts {
  list(): Array<{ model: string; version: string }>;
  /** the version's current buckets by start time; a bucket object only grows until it is deleted */
  buckets(model: string, version: string): ReadonlyMap<number, CohortSummary> | undefined;
}

/**
 * Lifetime summaries over bucketed cohorts, as the exporter needs them: a bucket deleted by
 * retention is folded into a per-version base (with its final counts, since the object is kept
 * until then), so the exported counters never drop when old buckets go.
 * Cost per call: O(buckets × bins) for the version asked.
 */
export function lifetimeCohorts(source: BucketedCohorts): ExportedCohorts {
  const kept = new Map<string, { base: CohortSummary | undefined; seen: Map<number, CohortSummary> }>();
  return {
    list: () => source.list(),
    summary(model, version) {
      const key = `${model}\u0000${version}`;
      const buckets = source.buckets(model, version);
      if (!buckets) {
        kept.delete(key);
        return undefined;
      }
      let k = kept.get(key);
      if (!k) {
        k = { base: undefined, seen: new Map() };
        kept.set(key, k);
      }
      for (const [start, bucket] of k.seen) {
        if (buckets.get(start) === bucket) continue;
        k.base = k.base ? k.base.merge(bucket) : bucket.clone();
        k.seen.delete(start);
      }
      let out = k.base?.clone();
      for (const [start, bucket] of buckets) {
        k.seen.set(start, bucket);
        out = out ? out.merge(bucket) : bucket.clone();
      }
      return out;
    },
  };
}
