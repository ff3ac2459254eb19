import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServiceMetrics } from "../../src/api/metrics.js";
import { loadConfig } from "../../src/config.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { silentLogger } from "../../src/log.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { parseNaming } from "../../src/sources/naming.js";
import { freePort, type RunningPrometheus, startPrometheus, waitFor } from "../helpers/prometheus.js";
import { contractEvents } from "./source.contract.js";

/**
 * End to end: the real server ingests events into its embedded store and exports them on
 * /metrics; a real Prometheus scrapes it every second; the same server then judges the same
 * cohorts from both sources, feature drift included. Verdicts must agree; every gate's numbers must agree exactly,
 * except latency quantiles, which may differ by the latency sketch's 1% where the embedded
 * sketch clamps to its exact min/max.
 */
describe("judgements from Prometheus agree with judgements from the embedded store", () => {
  let dataDir: string;
  let server: RunningServer;
  let prom: RunningPrometheus;
  let since: number;
  let until: number;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "modelgate-prom-e2e-"));
    const promPort = await freePort();
    const config = {
      ...loadConfig({}),
      host: "127.0.0.1",
      port: 0,
      dataDir,
      prometheusUrl: `http://127.0.0.1:${promPort}`,
      prometheusNaming: parseNaming({ exportFeatures: "all" }),
    };
    server = await startServer({
      config,
      logger: silentLogger,
      metrics: createServiceMetrics({ defaultMetrics: false }),
      handleSignals: false,
    });
    await waitFor("the store to be ready", async () => (await fetch(`${server.url}/readyz`)).status === 200);
    prom = await startPrometheus([`127.0.0.1:${server.port}`], { port: promPort });
    since = Date.now();
    const ts = since + 1;
    const events = [
      ...contractEvents(6000, 11).map((e) => ({ ...e, model: "fraud", version: "stable", ts })),
      // e (2.7) times slower, shifted scores, and 400 more errors
      ...contractEvents(3000, 12, 1).map((e) => ({ ...e, model: "fraud", version: "canary", ts })),
      ...Array.from({ length: 400 }, () => ({
        model: "fraud",
        version: "canary",
        ts,
        error: true,
        latencyMs: 50,
      })),
    ];
    const ingest = await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(events),
    });
    expect(ingest.status).toBe(202);
    for (const [version, n] of [
      ["stable", 6000],
      ["canary", 3400],
    ] as const) {
      await waitFor(`Prometheus to scrape ${version}`, async () => {
        const r = await prom.query(`sum(modelgate_predictions_total{model="fraud",version="${version}"})`);
        return r[0]?.value[1] === String(n);
      });
    }
    until = Date.now() + 1;
  }, 120_000);

  afterAll(async () => {
    await prom?.stop();
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const judge = async (source: string) => {
    const q = new URLSearchParams({
      model: "fraud",
      baseline: "stable",
      candidate: "canary",
      gates: "drift,latency,auc,errors",
      "drift.features": "all",
      since: String(since),
      until: String(until),
      runKey: `agree-${source}`,
      source,
    });
    const res = await fetch(`${server.url}/v1/judge?${q}`);
    return {
      status: res.status,
      body: (await res.json()) as JudgeResponse & { error?: { message: string } },
    };
  };

  it("same verdicts, same sample sizes, same statistics", async () => {
    const embedded = await judge("embedded");
    const prometheus = await judge("prometheus");
    expect(embedded.status).toBe(200);
    expect(prometheus.status).toBe(200);
    expect(prometheus.body.judgement.source).toBe("prometheus");
    expect(prometheus.body.summary.verdict).toBe(embedded.body.summary.verdict);
    for (const gate of ["drift", "latency", "auc", "errors"]) {
      const e = embedded.body.gates[gate];
      const p = prometheus.body.gates[gate];
      expect(p.verdict, gate).toBe(e.verdict);
      expect(p.n, gate).toEqual(e.n);
      expect(p.metric, gate).toBe(e.metric);
      if (gate === "latency") {
        expect(Math.abs((p.value ?? 0) - (e.value ?? 0)), gate).toBeLessThanOrEqual(
          0.0201 * Math.abs(e.value ?? 0),
        );
      } else if (gate === "drift" || gate === "auc") {
        // scores cross Prometheus on 200 bins (PROMETHEUS_SCORE_BINS), the embedded store keeps 1000:
        // the same statistics, to within what the coarser grid moves them
        expect(Math.abs((p.value ?? 0) - (e.value ?? 0)), gate).toBeLessThanOrEqual(
          0.02 * Math.abs(e.value ?? 0) + 0.005,
        );
      } else {
        expect(p.value, gate).toEqual(e.value);
        expect(p.metrics, gate).toEqual(e.metrics);
      }
    }
    // feature drift was judged through both sources, on the same three features
    expect(Object.keys(prometheus.body.gates.drift.metrics.features as object).sort()).toEqual([
      "amount",
      "channel",
      "delta",
    ]);
    // the canary's 400 extra errors (16.2% vs 4.7%) fail it through both sources
    expect(embedded.body.gates.errors.verdict).toBe("fail");
    expect(prometheus.body.summary.verdict).toBe("fail");
    // everything else was read identically, down to the latency ratio (same sketch buckets)
    expect(prometheus.body.gates.latency.value).toBeCloseTo(embedded.body.gates.latency.value!, 12);
  });

  it("Prometheus down: 503 with the reason, never a verdict", async () => {
    await prom.stop();
    const down = await judge("prometheus");
    expect(down.status).toBe(503);
    expect(JSON.stringify(down.body)).toContain("connection refused");
    expect((await judge("embedded")).status).toBe(200);
  });
});
