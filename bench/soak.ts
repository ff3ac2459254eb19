/**
 * Soak: the real server (`modelgate serve` as a child process, embedded store on a temporary
 * data dir) under sustained ingestion with concurrent judgements over loopback, for a fixed
 * time. Reports every answer's status (the pass criterion is zero 5xx), judge latency
 * quantiles, RSS of the server process sampled every second, and checks at the end that every
 * acknowledged event is counted by the store.
 *
 *   npx tsx bench/soak.ts [--seconds 120] [--ingesters 4] [--judges 2] [--batch 100]
 *
 * test/reliability/soak.test.ts runs it for 10 s.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { spawnServer } from "../test/helpers/server-process.js";

export interface SoakOptions {
  durationMs: number;
  /** concurrent ingestion loops (JSON batches to /v1/events) */
  ingesters?: number;
  /** concurrent judge loops (POST /v1/judge, all gates) */
  judges?: number;
  /** events per ingestion request */
  batch?: number;
}

export interface SoakResult {
  seconds: number;
  requests: number;
  statuses: Record<string, number>;
  serverErrors: number;
  eventsAcked: number;
  eventsStored: number;
  eventsPerSecond: number;
  judgements: number;
  judgeMs: { p50: number; p95: number; p99: number; max: number };
  rssMb: { start: number; max: number; end: number };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) throw new Error("quantile of an empty sample");
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const dataDir = mkdtempSync(join(tmpdir(), "modelgate-soak-"));
  const server = await spawnServer({ dataDir });
  try {
    const { url } = server;
    const rssMb = () => server.rssBytes() / 2 ** 20;
    const statuses: Record<string, number> = {};
    const count = (s: number | string) => {
      statuses[s] = (statuses[s] ?? 0) + 1;
    };
    const judgeMs: number[] = [];
    let acked = 0;
    const rss = [rssMb()];
    const sampler = setInterval(() => rss.push(rssMb()), 1000);
    const t0 = performance.now();
    const end = t0 + opts.durationMs;
    let seq = 0;
    const ingester = async (w: number) => {
      while (performance.now() < end) {
        const now = Date.now();
        const events = Array.from({ length: opts.batch ?? 100 }, (_, j) => {
          const i = seq++;
          const version = (w + j) % 2 === 0 ? "stable" : "canary";
          return {
            model: "soak",
            version,
            ts: now,
            score: ((i * 7919) % 1000) / 1000,
            label: i % 3 === 0 ? i % 2 : undefined,
            latencyMs: 20 + ((i * 31) % 50),
            error: i % 211 === 0,
            groups: { region: ["eu", "us", "apac"][i % 3] },
          };
        });
        try {
          const r = await fetch(`${url}/v1/events`, {
            method: "POST",
            body: JSON.stringify(events),
            headers: { "content-type": "application/json" },
          });
          const body = (await r.json()) as { accepted?: number };
          count(r.status);
          if (r.status === 202 || r.status === 207) acked += body.accepted ?? 0;
        } catch (e) {
          count(`network: ${(e as Error).message}`);
        }
      }
    };
    const judge = async (w: number) => {
      while (performance.now() < end) {
        const s = performance.now();
        try {
          const r = await fetch(`${url}/v1/judge`, {
            method: "POST",
            body: JSON.stringify({
              model: "soak",
              baseline: "stable",
              candidate: "canary",
              runKey: `soak-${w}`,
            }),
            headers: { "content-type": "application/json" },
          });
          await r.arrayBuffer();
          count(r.status);
          if (r.status === 200) judgeMs.push(performance.now() - s);
        } catch (e) {
          count(`network: ${(e as Error).message}`);
        }
      }
    };
    await Promise.all([
      ...Array.from({ length: opts.ingesters ?? 4 }, (_, w) => ingester(w)),
      ...Array.from({ length: opts.judges ?? 2 }, (_, w) => judge(w)),
    ]);
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    rss.push(rssMb());
    const versions = (await (await fetch(`${url}/v1/models/soak/versions`)).json()) as {
      versions: Array<{ events: number }>;
    };
    const stored = versions.versions.reduce((a, v) => a + v.events, 0);
    const sorted = [...judgeMs].sort((a, b) => a - b);
    const requests = Object.values(statuses).reduce((a, b) => a + b, 0);
    return {
      seconds,
      requests,
      statuses,
      serverErrors: Object.entries(statuses)
        .filter(([s]) => Number(s) >= 500)
        .reduce((a, [, n]) => a + n, 0),
      eventsAcked: acked,
      eventsStored: stored,
      eventsPerSecond: acked / seconds,
      judgements: judgeMs.length,
      judgeMs: {
        p50: quantile(sorted, 0.5),
        p95: quantile(sorted, 0.95),
        p99: quantile(sorted, 0.99),
        max: sorted[sorted.length - 1],
      },
      rssMb: { start: rss[0], max: Math.max(...rss), end: rss[rss.length - 1] },
    };
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatSoak(r: SoakResult): string {
  const f = (x: number) => x.toFixed(1);
  return [
    `soak ${f(r.seconds)} s: ${r.requests} requests, statuses ${JSON.stringify(r.statuses)}, 5xx ${r.serverErrors}`,
    `  ingestion: ${r.eventsAcked} events acknowledged (${Math.round(r.eventsPerSecond)}/s), ${r.eventsStored} stored`,
    `  judge: ${r.judgements} judgements, latency p50 ${f(r.judgeMs.p50)} ms, p95 ${f(r.judgeMs.p95)} ms, p99 ${f(r.judgeMs.p99)} ms, max ${f(r.judgeMs.max)} ms`,
    `  server RSS: start ${f(r.rssMb.start)} MiB, max ${f(r.rssMb.max)} MiB, end ${f(r.rssMb.end)} MiB`,
  ].join("\n");
}

/** The soak's section of docs/BENCHMARKS.md. */
export function renderSoak(r: SoakResult, o: { ingesters: number; judges: number; batch: number }): string {
  const f = (x: number) => x.toFixed(1);
  return [
    "## 5. Soak: sustained ingestion with concurrent judgements",
    "",
    `\`modelgate serve\` as a child process on loopback, ${o.ingesters} ingesters posting NDJSON batches of ${o.batch} events`,
    `and ${o.judges} judges calling \`/v1/judge\` back to back, for ${f(r.seconds)} s (bench/soak.ts).`,
    "",
    "| requests | 5xx | events acknowledged | events stored | events/s | judgements | judge p50 / p95 / p99 / max ms | server RSS start / max / end MiB |",
    "|---|---|---|---|---|---|---|---|",
    `| ${r.requests} | ${r.serverErrors} | ${r.eventsAcked} | ${r.eventsStored} | ${Math.round(r.eventsPerSecond)} | ${r.judgements} | ${f(r.judgeMs.p50)} / ${f(r.judgeMs.p95)} / ${f(r.judgeMs.p99)} / ${f(r.judgeMs.max)} | ${f(r.rssMb.start)} / ${f(r.rssMb.max)} / ${f(r.rssMb.end)} |`,
    "",
    "Judge latency here is measured over HTTP while ingestion shares the server's one event loop (each batch's",
    "SQLite commit runs on it), which is why it is far above the in-process figures of §2.",
    "",
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      seconds: { type: "string", default: "120" },
      ingesters: { type: "string", default: "4" },
      judges: { type: "string", default: "2" },
      batch: { type: "string", default: "100" },
    },
  });
  const result = await runSoak({
    durationMs: Number(values.seconds) * 1000,
    ingesters: Number(values.ingesters),
    judges: Number(values.judges),
    batch: Number(values.batch),
  });
  console.log(formatSoak(result));
  process.exitCode = result.serverErrors === 0 && result.eventsStored >= result.eventsAcked ? 0 : 1;
}
