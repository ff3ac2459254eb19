import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PredictionEvent } from "../../src/ingest/event.js";
import { PrometheusSource } from "../../src/sources/prometheus.js";
import { type RunningPrometheus, startPrometheus, waitFor } from "../helpers/prometheus.js";
import { contractEvents, expectSameCohort, summariseEvents } from "./source.contract.js";

/**
 * A model server that follows docs/prometheus.md with nothing but a stock Prometheus client
 * (prom-client's Counter/Histogram, the documented bucket lists): what Prometheus makes of its
 * series must be the summary of the same events, exactly for counts, score bins and feature
 * sketch buckets, within the sketch's 1% for latency quantiles.
 */
function modelServer(registry: Registry) {
  const g = 1.01 / 0.99;
  const latencyBuckets = [0, ...Array.from({ length: 668 }, (_, k) => g ** (k - 116) / 1000)];
  const scoreBuckets = Array.from({ length: 200 }, (_, k) => (k + 1) / 200);
  // ±g^i for i = −346 … 691 and 0: the feature sketch's edges over magnitudes 0.001 … 1e6
  const positiveEdges = Array.from({ length: 1038 }, (_, k) => g ** (k - 346));
  const featureBuckets = [...positiveEdges.map((e) => -e).reverse(), 0, ...positiveEdges];
  const labelNames = ["model", "version"] as const;
  const registers = [registry];
  const predictions = new Counter({ name: "modelgate_predictions_total", help: "h", labelNames, registers });
  const errors = new Counter({ name: "modelgate_prediction_errors_total", help: "h", labelNames, registers });
  const invalid = new Counter({
    name: "modelgate_invalid_predictions_total",
    help: "h",
    labelNames,
    registers,
  });
  const score = new Histogram({
    name: "modelgate_score",
    help: "h",
    labelNames,
    buckets: scoreBuckets,
    registers,
  });
  const labelled = new Histogram({
    name: "modelgate_labelled_score",
    help: "h",
    labelNames: [...labelNames, "label"],
    buckets: scoreBuckets,
    registers,
  });
  const latency = new Histogram({
    name: "modelgate_latency_seconds",
    help: "h",
    labelNames,
    buckets: latencyBuckets,
    registers,
  });
  const groupLabels = [...labelNames, "group_attribute", "group_value", "decision"] as const;
  const decisions = new Counter({
    name: "modelgate_decisions_total",
    help: "h",
    labelNames: groupLabels,
    registers,
  });
  const outcomes = new Counter({
    name: "modelgate_outcomes_total",
    help: "h",
    labelNames: [...groupLabels, "label"],
    registers,
  });
  const firstSeen = new Gauge({
    name: "modelgate_first_seen_timestamp_seconds",
    help: "h",
    labelNames,
    registers,
  });
  const featureValue = new Histogram({
    name: "modelgate_feature_value",
    help: "h",
    labelNames: [...labelNames, "feature"],
    buckets: featureBuckets,
    registers,
  });
  const featureCategory = new Counter({
    name: "modelgate_feature_category_total",
    help: "h",
    labelNames: [...labelNames, "feature", "category"],
    registers,
  });
  const seen = new Set<string>();
  return (e: PredictionEvent) => {
    const mv = { model: e.model, version: e.version };
    if (!seen.has(e.version)) {
      seen.add(e.version);
      firstSeen.set(mv, e.ts / 1000);
    }
    predictions.inc(mv);
    if (e.error) errors.inc(mv);
    if (e.latencyMs !== undefined) latency.observe(mv, e.latencyMs / 1000);
    for (const [feature, x] of Object.entries(e.features ?? {})) {
      if (typeof x === "number") featureValue.observe({ ...mv, feature }, x);
      else featureCategory.inc({ ...mv, feature, category: x });
    }
    if (e.score === undefined) return;
    const valid = e.score >= 0 && e.score <= 1;
    if (valid) {
      score.observe(mv, e.score);
      if (e.label !== undefined) labelled.observe({ ...mv, label: String(e.label) }, e.score);
    } else invalid.inc(mv);
    // a decision the server made counts for fairness even when its score is unusable
    const decision = e.decision ?? (valid ? (e.score >= 0.5 ? 1 : 0) : undefined);
    if (decision === undefined) return;
    for (const [attribute, value] of Object.entries(e.groups ?? {})) {
      const group = { ...mv, group_attribute: attribute, group_value: value, decision: String(decision) };
      decisions.inc(group);
      if (e.label !== undefined) outcomes.inc({ ...group, label: String(e.label) });
    }
  };
}

describe("a model server using a stock Prometheus client", () => {
  let server: Server;
  let prom: RunningPrometheus;
  let events: PredictionEvent[];
  let to: number;

  beforeAll(async () => {
    const registry = new Registry();
    const observe = modelServer(registry);
    server = createServer((_req, res) => {
      registry.metrics().then((text) => {
        res.setHeader("content-type", registry.contentType);
        res.end(text);
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    prom = await startPrometheus([`127.0.0.1:${(server.address() as AddressInfo).port}`]);
    const ts = Date.now();
    events = contractEvents(1500, 21, 0.5).map((e) => ({ ...e, model: "ranker", version: "7f9c", ts }));
    for (const e of events) observe(e);
    await waitFor("Prometheus to scrape the model server", async () => {
      const r = await prom.query('sum(modelgate_predictions_total{model="ranker",version="7f9c"})');
      return r[0]?.value[1] === "1500";
    });
    to = Date.now() + 1;
  }, 60_000);

  afterAll(async () => {
    await prom?.stop();
    server?.closeAllConnections();
    await new Promise<void>((r) => server?.close(() => r()));
  });

  it("reads back the summary of the events it observed", async () => {
    const source = new PrometheusSource({ url: prom.url, timeoutMs: 5_000 });
    const c = await source.cohort({ model: "ranker", version: "7f9c", to });
    expectSameCohort(c, summariseEvents(events), 0.01);
    expect(await source.firstSeen("ranker", "7f9c")).toBe(events[0].ts);
  });
});
