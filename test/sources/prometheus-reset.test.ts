import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Registry } from "prom-client";
import { expect, it } from "vitest";
import type { CohortSummary } from "../../src/sketch/cohort-summary.js";
import { registerCohortExporter } from "../../src/sources/exporter.js";
import { PrometheusSource } from "../../src/sources/prometheus.js";
import { startPrometheus, waitFor } from "../helpers/prometheus.js";
import { contractEvents, summariseEvents } from "./source.contract.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A restarted exporter starts its counters again from zero. The exact difference would then be
 * negative (or hide the reset), so such series fall back to increase(), which Prometheus
 * corrects for resets and extrapolates to the window: never the pre-restart counts, never
 * negative, and at most a few scrape intervals' worth above the truth.
 */
it.each([
  ["before the window's first sample: the count since the restart, exactly", false],
  ["after a sample inside the window: increase(), extrapolated", true],
])(
  "a counter reset %s",
  async (_name, sampleFirst) => {
    const stamp = (n: number, seed: number) =>
      summariseEvents(
        contractEvents(n, seed).map((e) => ({ ...e, model: "m", version: "v", ts: Date.now() })),
      );
    let current: CohortSummary = stamp(900, 31);
    const registry = new Registry();
    registerCohortExporter(registry, { list: () => [{ model: "m", version: "v" }], summary: () => current });
    const server = createServer((_req, res) => {
      registry.metrics().then((t) => res.end(t));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const prom = await startPrometheus([`127.0.0.1:${(server.address() as AddressInfo).port}`]);
    try {
      const scraped = (n: number) => async () =>
        (await prom.query('sum(modelgate_predictions_total{model="m",version="v"})'))[0]?.value[1] ===
        String(n);
      await waitFor("the first state", scraped(900));
      await sleep(20);
      const from = Date.now();
      await sleep(50);
      if (sampleFirst) {
        await waitFor("a sample inside the window", async () => {
          const r = await prom.query('max(timestamp(modelgate_predictions_total{model="m",version="v"}))');
          return Number(r[0]?.value[1]) * 1000 > from;
        });
      }
      const after = stamp(200, 32);
      current = after; // the restart: 900 → 200
      await waitFor("the restarted state", scraped(200));
      await sleep(5_000); // several post-restart scrapes: extrapolation adds at most ~2 intervals of W
      const to = Date.now();
      const c = await new PrometheusSource({ url: prom.url, timeoutMs: 5_000 }).cohort({
        model: "m",
        version: "v",
        from,
        to,
      });
      expect(c).toBeDefined();
      if (!sampleFirst) expect(c!.events).toBe(200);
      expect(c!.events).toBeGreaterThanOrEqual(200);
      expect(c!.events).toBeLessThanOrEqual(200 * 1.5);
      expect(c!.scores.total).toBeGreaterThanOrEqual(after.scores.total);
      expect(c!.scores.total).toBeLessThanOrEqual(after.scores.total * 1.5);
    } finally {
      await prom.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  },
  60_000,
);
