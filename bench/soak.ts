/**
 * Soak: the real server (`modelgate serve` as a child process, embedded store on a temporary
 * data dir) under sustained ingestion with concurrent judgements over loopback, for a fixed
 * time. Reports every answer's status (the pass criterion is zero 5xx), judge latency
 * quantiles — overall and for the judgements that overlapped a store snapshot (read from the
 * server's debug log, which times each one) — RSS of the server process sampled every second,
 * and checks at the end that every acknowledged event is counted by the store. Events carry
 * request ids, as predictions awaiting a delayed label do, so each snapshot has join entries and
 * shadow-pairing answers to write.
 *
 *   npx tsx bench/soak.ts [--seconds 120] [--ingesters 4] [--judges 2] [--batch 100] [--snapshot-seconds 5]
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
  /** the server's snapshot interval (MODELGATE_SNAPSHOT_SECONDS), short so a soak sees several */
  snapshotSeconds?: number;
}

/** One store snapshot as the server logged it (epoch ms and durations in ms). */
export interface SoakSnapshot {
  startedAt: number;
  finishedAt: number;
  joins: number;
  buckets: number;
  /** the synchronous capture of the state at the log's last seq */
  captureMs: number;
  /** capture plus every slice serialised on the event loop */
  mainThreadMs: number;
  totalMs: number;
}

export interface LatencySummary {
  n: number;
  p50: number;
  p99: number;
  max: number;
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
  /** judgements whose request overlapped a snapshot, and the others */
  judgeDuringSnapshotMs: LatencySummary | undefined;
  judgeOutsideSnapshotMs: LatencySummary | undefined;
  snapshots: SoakSnapshot[];
  rssMb: { start: number; max: number; end: number };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) throw new Error("quantile of an empty sample");
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function summarise(ms: number[]): LatencySummary | undefined {
  if (ms.length === 0) return undefined;
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1],
  };
}

/** The "store snapshot written" records of the server's debug log. */
function loggedSnapshots(stderr: string): SoakSnapshot[] {
  const out: SoakSnapshot[] = [];
  for (const line of stderr.split("\n")) {
    if (!line.includes('"msg":"store snapshot written"')) continue;
    const r = JSON.parse(line) as SoakSnapshot;
    out.push({
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      joins: r.joins,
      buckets: r.buckets,
      captureMs: r.captureMs,
      mainThreadMs: r.mainThreadMs,
      totalMs: r.totalMs,
    });
  }
  return out;
}

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const dataDir = mkdtempSync(join(tmpdir(), "modelgate-soak-"));
  const server = await spawnServer({
    dataDir,
    env: { MODELGATE_SNAPSHOT_SECONDS: String(opts.snapshotSeconds ?? 5), MODELGATE_LOG_LEVEL: "debug" },
  });
  try {
    const { url } = server;
    const rssMb = () => server.rssBytes() / 2 ** 20;
    const statuses: Record<string, number> = {};
    const count = (s: number | string) => {
      statuses[s] = (statuses[s] ?? 0) + 1;
    };
    const judgeMs: number[] = [];
    /** epoch ms each judgement was sent and answered, to find those that overlapped a snapshot */
    const judgeSpans: Array<[number, number, number]> = [];
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
            id: `w${w}-${i}`,
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
        const sentAt = Date.now();
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
          if (r.status === 200) {
            const ms = performance.now() - s;
            judgeMs.push(ms);
            judgeSpans.push([sentAt, Date.now(), ms]);
          }
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
    const snapshots = loggedSnapshots(server.stderr());
    const overlaps = ([from, to]: [number, number, number]) =>
      snapshots.some((x) => from <= x.finishedAt && to >= x.startedAt);
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
      judgeDuringSnapshotMs: summarise(judgeSpans.filter(overlaps).map(([, , ms]) => ms)),
      judgeOutsideSnapshotMs: summarise(judgeSpans.filter((j) => !overlaps(j)).map(([, , ms]) => ms)),
      snapshots,
      rssMb: { start: rss[0], max: Math.max(...rss), end: rss[rss.length - 1] },
    };
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const latency = (l: LatencySummary | undefined) =>
  l === undefined
    ? "none"
    : `${l.n} judgements, p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, max ${l.max.toFixed(1)} ms`;

function snapshotLine(snapshots: SoakSnapshot[]): string {
  if (snapshots.length === 0) return "none completed";
  const max = (k: keyof SoakSnapshot) => Math.max(...snapshots.map((x) => x[k]));
  return `${snapshots.length}, up to ${max("joins")} join entries each; longest capture ${max("captureMs").toFixed(1)} ms, event-loop share up to ${max("mainThreadMs").toFixed(1)} ms, whole snapshot up to ${max("totalMs").toFixed(0)} ms`;
}

export function formatSoak(r: SoakResult): string {
  const f = (x: number) => x.toFixed(1);
  return [
    `soak ${f(r.seconds)} s: ${r.requests} requests, statuses ${JSON.stringify(r.statuses)}, 5xx ${r.serverErrors}`,
    `  ingestion: ${r.eventsAcked} events acknowledged (${Math.round(r.eventsPerSecond)}/s), ${r.eventsStored} stored`,
    `  judge: ${r.judgements} judgements, latency p50 ${f(r.judgeMs.p50)} ms, p95 ${f(r.judgeMs.p95)} ms, p99 ${f(r.judgeMs.p99)} ms, max ${f(r.judgeMs.max)} ms`,
    `  judge during a snapshot: ${latency(r.judgeDuringSnapshotMs)}; outside: ${latency(r.judgeOutsideSnapshotMs)}`,
    `  snapshots: ${snapshotLine(r.snapshots)}`,
    `  server RSS: start ${f(r.rssMb.start)} MiB, max ${f(r.rssMb.max)} MiB, end ${f(r.rssMb.end)} MiB`,
  ].join("\n");
}

/** How a soak was run (what its section reports beside the results). */
export interface SoakSettings {
  ingesters: number;
  judges: number;
  batch: number;
  snapshotSeconds: number;
}

/** The soak's section of docs/BENCHMARKS.md. */
export function renderSoak(r: SoakResult, o: SoakSettings): string {
  const f = (x: number) => x.toFixed(1);
  const row = (what: string, l: LatencySummary | undefined) =>
    l === undefined
      ? `| ${what} | 0 | – | – | – |`
      : `| ${what} | ${l.n} | ${f(l.p50)} | ${f(l.p99)} | ${f(l.max)} |`;
  const max = (k: keyof SoakSnapshot) => Math.max(0, ...r.snapshots.map((x) => x[k]));
  return [
    "## 5. Soak: sustained ingestion with concurrent judgements",
    "",
    `\`modelgate serve\` as a child process on loopback, ${o.ingesters} ingesters posting JSON batches of ${o.batch} events`,
    `(each with a request id, so predictions wait in the join index and the shadow pairing as labelled traffic does)`,
    `and ${o.judges} judges calling \`/v1/judge\` back to back, for ${f(r.seconds)} s, with a store snapshot every ${o.snapshotSeconds} s (bench/soak.ts).`,
    "",
    "| requests | 5xx | events acknowledged | events stored | events/s | judgements | judge p50 / p95 / p99 / max ms | server RSS start / max / end MiB |",
    "|---|---|---|---|---|---|---|---|",
    `| ${r.requests} | ${r.serverErrors} | ${r.eventsAcked} | ${r.eventsStored} | ${Math.round(r.eventsPerSecond)} | ${r.judgements} | ${f(r.judgeMs.p50)} / ${f(r.judgeMs.p95)} / ${f(r.judgeMs.p99)} / ${f(r.judgeMs.max)} | ${f(r.rssMb.start)} / ${f(r.rssMb.max)} / ${f(r.rssMb.end)} |`,
    "",
    "Judge latency here is measured over HTTP while ingestion shares the server's one event loop (each batch's",
    "SQLite commit runs on it), which is why it is far above the in-process figures of §2.",
    "",
    `Judgements that overlapped one of the ${r.snapshots.length} store snapshots (each timed in the server's debug log), against the`,
    "rest. A snapshot captures the state at once, serialises join entries and pairing answers a slice per tick and",
    "leaves the SQLite work to a worker thread:",
    "",
    "| judgements | n | p50 ms | p99 ms | max ms |",
    "|---|---|---|---|---|",
    row("during a snapshot", r.judgeDuringSnapshotMs),
    row("outside snapshots", r.judgeOutsideSnapshotMs),
    "",
    `Largest snapshot: ${max("joins")} join entries; its capture held the event loop ${f(max("captureMs"))} ms at most, all its slices`,
    `together ${f(max("mainThreadMs"))} ms at most, and the whole snapshot took up to ${max("totalMs").toFixed(0)} ms.`,
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
      "snapshot-seconds": { type: "string", default: "5" },
    },
  });
  const result = await runSoak({
    durationMs: Number(values.seconds) * 1000,
    ingesters: Number(values.ingesters),
    judges: Number(values.judges),
    batch: Number(values.batch),
    snapshotSeconds: Number(values["snapshot-seconds"]),
  });
  console.log(formatSoak(result));
  process.exitCode = result.serverErrors === 0 && result.eventsStored >= result.eventsAcked ? 0 : 1;
}
