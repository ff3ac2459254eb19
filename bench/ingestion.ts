/**
 * Ingestion throughput of the real server: `modelgate serve` started as a child process (its own
 * Node process, i.e. one core for the server; this process generates the load on the other),
 * embedded store on a temporary data dir (SQLite log written before every 202), NDJSON batches
 * POSTed to /v1/events over loopback HTTP with keep-alive, `inFlight` requests at a time.
 * RSS of the server process is read from /proc/<pid>/status as events accumulate.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mulberry32 } from "../src/stats/random.js";
import { spawnServer } from "../test/helpers/server-process.js";
import { drawEvent } from "./sim/analysis-run.js";
import { baselineArm } from "./sim/world.js";

export interface IngestionResult {
  events: number;
  accepted: number;
  batchSize: number;
  inFlight: number;
  seconds: number;
  eventsPerSecond: number;
  bytesPerEvent: number;
  rss: Array<{ events: number; rssMb: number }>;
  /** the most resident memory the server held during the run (VmHWM), MB */
  peakRssMb: number;
}

/** NDJSON body of `n` events: half baseline, half candidate, each with score, latency, group, label on half. */
function batch(n: number, random: () => number, now: number): string {
  const arm = baselineArm();
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const e = drawEvent(arm, random, i % 2 === 0 ? "baseline" : "candidate", now, 0.5);
    e.id = `r${Math.floor(random() * 1e12)}`;
    lines.push(JSON.stringify(e));
  }
  return `${lines.join("\n")}\n`;
}

export async function runIngestion(opts: {
  events: number;
  batchSize: number;
  inFlight: number;
  rssEvery: number;
  log?: (line: string) => void;
}): Promise<IngestionResult> {
  const log = opts.log ?? (() => {});
  const dataDir = mkdtempSync(join(tmpdir(), "modelgate-bench-ingest-"));
  const server = await spawnServer({ dataDir });
  const { url } = server;
  const rssMb = () => server.rssBytes() / 2 ** 20;
  try {
    // Bodies are prepared before timing: the figure is the server's, not the generator's.
    const random = mulberry32(5);
    const distinct = 8;
    const bodies = Array.from({ length: distinct }, () => batch(opts.batchSize, random, Date.now()));
    const bytesPerEvent = bodies.reduce((a, b) => a + Buffer.byteLength(b), 0) / (distinct * opts.batchSize);
    const batches = Math.ceil(opts.events / opts.batchSize);
    const rss = [{ events: 0, rssMb: rssMb() }];
    let accepted = 0;
    let sent = 0;
    let next = 0;
    let nextRss = opts.rssEvery;
    log(`ingestion: ${batches} NDJSON batches of ${opts.batchSize} events, ${opts.inFlight} in flight`);
    const start = performance.now();
    const worker = async () => {
      while (next < batches) {
        const body = bodies[next++ % distinct];
        const res = await fetch(`${url}/v1/events`, {
          method: "POST",
          headers: { "content-type": "application/x-ndjson" },
          body,
        });
        const j = (await res.json()) as { accepted?: number };
        if (res.status !== 202)
          throw new Error(`POST /v1/events answered ${res.status}: ${JSON.stringify(j)}`);
        accepted += j.accepted ?? 0;
        sent += opts.batchSize;
        if (sent >= nextRss) {
          rss.push({ events: sent, rssMb: rssMb() });
          nextRss += opts.rssEvery;
        }
      }
    };
    await Promise.all(Array.from({ length: opts.inFlight }, worker));
    const seconds = (performance.now() - start) / 1000;
    if (rss[rss.length - 1].events !== sent) rss.push({ events: sent, rssMb: rssMb() });
    const peakRssMb = server.peakRssBytes() / 2 ** 20;
    return {
      events: sent,
      accepted,
      batchSize: opts.batchSize,
      inFlight: opts.inFlight,
      seconds,
      eventsPerSecond: sent / seconds,
      bytesPerEvent,
      rss,
      peakRssMb,
    };
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}
