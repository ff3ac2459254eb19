import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Registry } from "prom-client";
import type { CohortSummary } from "../../src/sketch/cohort-summary.js";
import { type ExportedCohorts, registerCohortExporter } from "../../src/sources/exporter.js";
import { parseNaming } from "../../src/sources/naming.js";
import { PrometheusSource } from "../../src/sources/prometheus.js";
import { startPrometheus, waitFor } from "../helpers/prometheus.js";
import { type ContractHarness, sourceContract, summariseEvents } from "./source.contract.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Cumulative summaries per (model, version), as the store's exporter would hold them. */
function totals(): ExportedCohorts & { add(model: string, version: string, s: CohortSummary): void } {
  const byKey = new Map<string, { model: string; version: string; summary: CohortSummary }>();
  return {
    list: () => [...byKey.values()].map(({ model, version }) => ({ model, version })),
    summary: (model, version) => byKey.get(`${model}\u0000${version}`)?.summary,
    add(model, version, s) {
      const key = `${model}\u0000${version}`;
      const have = byKey.get(key);
      if (have) have.summary.merge(s);
      else byKey.set(key, { model, version, summary: s.clone() });
    },
  };
}

/** Exporter on 127.0.0.1 → real Prometheus (1 s scrapes) → PrometheusSource. */
export async function prometheusHarness(): Promise<ContractHarness> {
  const cohorts = totals();
  const registry = new Registry();
  registerCohortExporter(registry, cohorts, parseNaming({ exportFeatures: "all" }));
  const server: Server = createServer((_req, res) => {
    registry.metrics().then((text) => {
      res.setHeader("content-type", registry.contentType);
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const prom = await startPrometheus([`127.0.0.1:${port}`]);
  const source = new PrometheusSource({ url: prom.url, timeoutMs: 5_000 });
  return {
    source,
    async ingest(model, version, batch) {
      const ts = Date.now();
      const stamped = batch.map((e) => ({ ...e, model, version, ts }));
      cohorts.add(model, version, summariseEvents(stamped));
      return stamped;
    },
    async mark() {
      for (const { model, version } of cohorts.list()) {
        const want = String(cohorts.summary(model, version)!.events);
        await waitFor(`Prometheus to scrape ${model}/${version}`, async () => {
          const r = await prom.query(
            `sum(modelgate_predictions_total{model="${model}",version="${version}"})`,
          );
          return r[0]?.value[1] === want;
        });
      }
      await sleep(5);
      const t = Date.now();
      // a scrape already under way when the mark was taken must not see later events
      await sleep(50);
      return t;
    },
    async close() {
      await prom.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

// Inside the exporter's latency range the round trip keeps the sketch's buckets: quantiles can
// differ only where the embedded sketch clamps to its exact min/max (within alpha = 1%).
sourceContract("prometheus", prometheusHarness, { latencyRelError: 0.01 });
