import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createServiceMetrics } from "../../src/api/metrics.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import { CohortSummary } from "../../src/sketch/cohort-summary.js";
import { LatencySketch } from "../../src/sketch/latency-sketch.js";
import {
  type ExportedCohorts,
  latencyEdgesMs,
  lifetimeCohorts,
  registerCohortExporter,
} from "../../src/sources/exporter.js";
import { featureEdges } from "../../src/sources/feature-export.js";
import { DEFAULT_NAMING, NamingError, parseNaming } from "../../src/sources/naming.js";
import {
  decumulate,
  featureSketchFromBuckets,
  latencySketchFromBuckets,
  scoreHistogramFromBuckets,
} from "../../src/sources/prometheus/buckets.js";
import { contractEvents, summariseEvents } from "./source.contract.js";

function fixed(summaries: Record<string, CohortSummary>): ExportedCohorts {
  return {
    list: () => Object.keys(summaries).map((k) => ({ model: k.split("/")[0], version: k.split("/")[1] })),
    summary: (model, version) => summaries[`${model}/${version}`],
  };
}

/** Parse text exposition lines `name{labels} value` (no escapes in our label values). */
function parse(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const out = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`unparsable line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? "").match(/[a-zA-Z_]+="[^"]*"/g) ?? []) {
      const [k, v] = pair.split("=");
      labels[k] = v.slice(1, -1);
    }
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

const events = contractEvents(500, 7).map((e, i) => ({
  ...e,
  model: "fraud",
  version: "a1",
  ts: 1_700_000_000_000 + i,
}));
const summary = summariseEvents(events);

describe("registerCohortExporter", () => {
  it("exposes counters, gauges and histograms in the naming contract", async () => {
    const registry = new Registry();
    registerCohortExporter(registry, fixed({ "fraud/a1": summary }));
    const series = parse(await registry.metrics());
    const one = (name: string, labels: Record<string, string> = {}) =>
      series.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    const ab = { model: "fraud", version: "a1" };
    expect(one("modelgate_predictions_total", ab)[0].value).toBe(500);
    expect(one("modelgate_prediction_errors_total", ab)[0].value).toBe(summary.errors);
    expect(one("modelgate_invalid_predictions_total", ab)[0].value).toBe(summary.invalid);
    expect(one("modelgate_first_seen_timestamp_seconds", ab)[0].value).toBe(1_700_000_000);
    expect(one("modelgate_last_seen_timestamp_seconds", ab)[0].value).toBe(1_700_000_000.499);
    const scoreBuckets = one("modelgate_score_bucket", ab);
    expect(scoreBuckets.length).toBe(201);
    expect(scoreBuckets[0].labels.le).toBe("0.005");
    expect(scoreBuckets[199].labels.le).toBe("1");
    expect(scoreBuckets[200]).toMatchObject({ labels: { le: "+Inf" }, value: summary.scores.total });
    const eu = { ...ab, group_attribute: "region", group_value: "eu" };
    const g = summary.groups.get("region")!.get("eu")!;
    expect(one("modelgate_decisions_total", { ...eu, decision: "1" })[0].value).toBe(g.selected);
    expect(one("modelgate_decisions_total", { ...eu, decision: "0" })[0].value).toBe(g.n - g.selected);
    expect(one("modelgate_outcomes_total", { ...eu, decision: "1", label: "0" })[0].value).toBe(g.fp);
    expect(one("modelgate_outcomes_total", { ...eu, decision: "0", label: "1" })[0].value).toBe(g.fn);
    const latency = one("modelgate_latency_seconds_bucket", ab);
    // le="0", the fixed sketch edges over [0.1 ms, 60 s], +Inf
    expect(latency.length).toBe(
      1 + latencyEdgesMs(summary.latency, DEFAULT_NAMING.latencyRangeMs).length + 1,
    );
    // γ = 1.01/0.99: edges γ^i for i = ceil(ln 0.1 / ln γ) − 1 = −116 … ceil(ln 60000 / ln γ) = 551
    expect(latency.length).toBe(1 + 668 + 1);
    for (let i = 1; i < latency.length; i++)
      expect(latency[i].value).toBeGreaterThanOrEqual(latency[i - 1].value);
    expect(one("modelgate_latency_seconds_sum", ab)[0].value).toBeCloseTo(summary.latency.sum / 1000, 9);
  });

  it("round-trips losslessly: the buckets rebuild the same score histograms and latency buckets", async () => {
    const registry = new Registry();
    registerCohortExporter(registry, fixed({ "fraud/a1": summary }));
    const series = parse(await registry.metrics());
    const rows = (name: string, extra: Record<string, string> = {}) =>
      series
        .filter((s) => s.name === name && Object.entries(extra).every(([k, v]) => s.labels[k] === v))
        .map((s) => ({ le: s.labels.le, value: s.value }));
    // exported at the Prometheus grid: the store's 1000 bins summed into 200, exactly
    const scores = scoreHistogramFromBuckets(decumulate(rows("modelgate_score_bucket")), 200, 0, 1);
    expect(Array.from(scores.counts)).toEqual(Array.from(summary.scores.coarsened(200).counts));
    const positive = scoreHistogramFromBuckets(
      decumulate(rows("modelgate_labelled_score_bucket", { label: "1" })),
      200,
      0,
      1,
    );
    expect(Array.from(positive.counts)).toEqual(Array.from(summary.scoresPositive.coarsened(200).counts));
    const latency = latencySketchFromBuckets(
      decumulate(rows("modelgate_latency_seconds_bucket")),
      0.01,
      1000,
    );
    expect(new Map([...latency.pos].sort((a, b) => a[0] - b[0]))).toEqual(
      new Map([...summary.latency.pos].sort((a, b) => a[0] - b[0])),
    );
  });

  it("sums replicas by le: the edge set is the same whatever each replica has seen", async () => {
    const a = summariseEvents([{ model: "m", version: "v", ts: 1, latencyMs: 3 }]);
    const b = summariseEvents([{ model: "m", version: "v", ts: 2, latencyMs: 900 }]);
    const les = async (s: CohortSummary) => {
      const registry = new Registry();
      registerCohortExporter(registry, fixed({ "m/v": s }));
      return parse(await registry.metrics())
        .filter((x) => x.name === "modelgate_latency_seconds_bucket")
        .map((x) => x.labels.le);
    };
    expect(await les(a)).toEqual(await les(b));
  });

  it("registers beside the service's own metrics, with names and labels from the naming overrides", async () => {
    const metrics = createServiceMetrics({ defaultMetrics: false });
    const naming = parseNaming({
      metrics: { predictions: "ml_requests_total" },
      labels: { version: "revision" },
    });
    registerCohortExporter(metrics.registry, fixed({ "fraud/a1": summary }), naming);
    const text = await metrics.registry.metrics();
    expect(text).toContain('ml_requests_total{model="fraud",revision="a1"} 500');
    expect(text).toContain("# TYPE modelgate_http_requests_total counter");
    expect(() => registerCohortExporter(metrics.registry, fixed({}), naming)).toThrow(
      /already been registered/,
    );
  });

  it("exports nothing for an empty store", async () => {
    const registry = new Registry();
    registerCohortExporter(registry, fixed({}));
    expect(parse(await registry.metrics())).toEqual([]);
  });
});

describe("feature export", () => {
  const exported = async (s: CohortSummary, exportFeatures: string[] | "all") => {
    const registry = new Registry();
    registerCohortExporter(registry, fixed({ "m/v": s }), parseNaming({ exportFeatures }));
    return parse(await registry.metrics());
  };
  const featureRows = (series: ReturnType<typeof parse>, feature: string) =>
    series
      .filter((x) => x.name === "modelgate_feature_value_bucket" && x.labels.feature === feature)
      .map((x) => ({ le: x.labels.le, value: x.value }));

  it("exports no feature unless the naming names it, then only those named", async () => {
    const none = parse(
      await (async () => {
        const registry = new Registry();
        registerCohortExporter(registry, fixed({ "fraud/a1": summary }));
        return registry.metrics();
      })(),
    );
    expect(none.filter((x) => x.name.startsWith("modelgate_feature"))).toEqual([]);
    const some = await exported(summary, ["channel", "delta", "absent"]);
    const features = new Set(
      some.filter((x) => x.name.startsWith("modelgate_feature")).map((x) => x.labels.feature),
    );
    expect([...features].sort()).toEqual(["channel", "delta"]);
    const channel = summary.features.get("channel")!;
    if (channel.kind !== "categorical") throw new Error("channel is categorical");
    for (const [category, n] of channel.counts) {
      const row = some.find(
        (x) => x.name === "modelgate_feature_category_total" && x.labels.category === category,
      );
      expect(row?.value, category).toBe(n);
    }
  });

  it("round-trips a numeric feature losslessly inside the range; beyond it, values go to the outer buckets", async () => {
    const inside = [-250000, -3.5, -0.25, -0.0015, 0, 0, 0.0011, 0.5, 7, 7.01, 999999];
    const outside = [-5e6, -0.0004, 0.0002, 3e6];
    const s = new CohortSummary();
    const sketch = new LatencySketch(0.01);
    for (const x of [...inside, ...outside]) sketch.add(x);
    s.features.set("x", { kind: "numeric", sketch });
    const rebuilt = featureSketchFromBuckets(decumulate(featureRows(await exported(s, "all"), "x")), 0.01);
    // where docs/prometheus.md says each value lands: inside the range, its own sketch bucket;
    // beyond ±γ^iMax, that edge; nearer zero than γ^(iMin−1): 0 for a negative, γ^(iMin−1)/2 for a positive
    const [min, max] = DEFAULT_NAMING.featureRange;
    const edgeBelow = sketch.upperEdge(sketch.indexOf(min) - 1);
    const edgeAbove = sketch.upperEdge(sketch.indexOf(max));
    const want = new LatencySketch(0.01);
    for (const x of [...inside, -edgeAbove, 0, edgeBelow / 2, edgeAbove]) want.add(x);
    expect(rebuilt.buckets()).toEqual(want.buckets());
  });

  it("exposes the negative edges only once a value was negative, on the same edges for every replica", async () => {
    const positive = new CohortSummary();
    const p = new LatencySketch(0.01);
    p.add(3);
    positive.features.set("x", { kind: "numeric", sketch: p });
    const signed = new CohortSummary();
    const n = new LatencySketch(0.01);
    n.add(-3);
    signed.features.set("x", { kind: "numeric", sketch: n });
    const les = async (c: CohortSummary) => featureRows(await exported(c, "all"), "x").map((r) => r.le);
    const edges = featureEdges(p, DEFAULT_NAMING.featureRange);
    // γ = 1.01/0.99: ±γ^i for i = ceil(ln 0.001 / ln γ) − 1 = −346 … ceil(ln 1e6 / ln γ) = 691, and 0
    expect(edges.length).toBe(2 * 1038 + 1);
    expect(await les(signed)).toEqual([...edges.map(String), "+Inf"]);
    expect(await les(positive)).toEqual([...edges.filter((e) => e >= 0).map(String), "+Inf"]);
  });
});

describe("naming contract settings", () => {
  it("rejects bad names naming the field, and configuration names the variable", () => {
    expect(() => parseNaming({ metrics: { score: "bad-name" } })).toThrow(NamingError);
    expect(() => parseNaming({ metrics: { score: "bad-name" } })).toThrow(
      "naming.metrics.score: must be a Prometheus metric name",
    );
    expect(() => parseNaming({ labels: { model: "__model" } })).toThrow("naming.labels.model");
    expect(() => parseNaming({ labels: { version: "model" } })).toThrow("label names must be distinct");
    expect(() => parseNaming({ latencyRangeMs: [5, 1] })).toThrow("naming.latencyRangeMs");
    expect(() => parseNaming({ colour: 1 })).toThrow("naming.colour: is not a naming setting");
    expect(() => parseNaming({ featureRange: [0, 1] })).toThrow("naming.featureRange");
    expect(() => parseNaming({ exportFeatures: "some" })).toThrow("naming.exportFeatures");
    expect(() => parseNaming({ exportFeatures: ["age", ""] })).toThrow("naming.exportFeatures[1]");
    expect(() => parseNaming({ labels: { feature: "model" } })).toThrow("label names must be distinct");
    const env = { MODELGATE_PROMETHEUS_NAMING: '{"metrics":{"score":"a b"}}' };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(
      "MODELGATE_PROMETHEUS_NAMING.metrics.score: must be a Prometheus metric name",
    );
    expect(() => loadConfig({ MODELGATE_PROMETHEUS_NAMING: "{" })).toThrow(
      /^MODELGATE_PROMETHEUS_NAMING: must be JSON/,
    );
    expect(() =>
      loadConfig({ MODELGATE_PROMETHEUS_BEARER_TOKEN: "t", MODELGATE_PROMETHEUS_USERNAME: "u" }),
    ).toThrow("not both");
  });

  it("defaults when unset, overrides only what is given", () => {
    expect(loadConfig({}).prometheusNaming).toEqual(DEFAULT_NAMING);
    const c = loadConfig({
      MODELGATE_PROMETHEUS_NAMING: '{"latencyUnit":"milliseconds","labels":{"version":"revision"}}',
    });
    expect(c.prometheusNaming.latencyUnit).toBe("milliseconds");
    expect(c.prometheusNaming.labels).toEqual({ ...DEFAULT_NAMING.labels, version: "revision" });
    expect(c.prometheusNaming.metrics).toEqual(DEFAULT_NAMING.metrics);
  });
});

describe("lifetimeCohorts", () => {
  it("keeps counters from dropping when retention deletes buckets", () => {
    const bucket = (n: number) =>
      summariseEvents(contractEvents(n, n).map((e) => ({ ...e, model: "m", version: "v", ts: 1 })));
    const buckets = new Map<number, CohortSummary>([
      [0, bucket(10)],
      [60, bucket(20)],
    ]);
    const totals = lifetimeCohorts({ list: () => [{ model: "m", version: "v" }], buckets: () => buckets });
    expect(totals.summary("m", "v")!.events).toBe(30);
    // a late event lands in the old bucket, which is then deleted before the next scrape
    buckets.get(0)!.events += 1;
    buckets.delete(0);
    buckets.set(120, bucket(5));
    expect(totals.summary("m", "v")!.events).toBe(36);
    buckets.delete(60);
    expect(totals.summary("m", "v")!.events).toBe(36);
    const scores = totals.summary("m", "v")!.scores.total;
    expect(scores).toBe(bucket(10).scores.total + bucket(20).scores.total + bucket(5).scores.total);
  });
});
