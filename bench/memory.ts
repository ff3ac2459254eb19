/**
 * Resident memory of the real server under sustained ingestion, to size the Deployment's memory
 * request and limit (docs/kubernetes.md, "Memory"). Starts the built service as the image does
 * (`node dist/src/cli/main.js serve`, so run `npm run build` first), with NODE_OPTIONS as the
 * Deployment sets them, and POSTs NDJSON batches to /v1/events until `--events` are in.
 *
 * The worst case for the bounded structures, not the cheap one of bench/ingestion.ts: every id
 * unique (the outcome-join index fills to MODELGATE_JOIN_MAX_ENTRIES, the shadow pairing index to
 * MODELGATE_PAIRING_MAX_PENDING), timestamps spread over `--spread-minutes` (every one-minute
 * bucket of a day's retention holds a summary for every version), two features per event.
 * Prints RSS and the V8 heap in use (from /metrics) as events accumulate, then the peak RSS the
 * kernel recorded for the process (VmHWM), which no sampling interval can miss.
 *
 *   npm run build && npx tsx bench/memory.ts --events 10000000 --node-options=--max-old-space-size=512
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { mulberry32 } from "../src/stats/random.js";
import { spawnServer } from "../test/helpers/server-process.js";
import { drawEvent } from "./sim/analysis-run.js";
import { baselineArm } from "./sim/world.js";

const ROOT = join(import.meta.dirname, "..");
const CHANNELS = ["web", "app", "pos", "phone"];

export interface Options {
  events: number;
  versions: number;
  batchSize: number;
  inFlight: number;
  spreadMinutes: number;
  uniqueIds: boolean;
  nodeOptions: string;
  sampleEvery: number;
}

/** One NDJSON body; ids carry the marker `@` that each request replaces by its batch number. */
function body(opts: Options, random: () => number, now: number): string {
  const arm = baselineArm();
  const lines: string[] = [];
  for (let i = 0; i < opts.batchSize; i++) {
    const ts = now - Math.floor(random() * opts.spreadMinutes * 60_000);
    const e: Record<string, unknown> = { ...drawEvent(arm, random, `v${i % opts.versions}`, ts, 0.5) };
    e.id = `@-${i}`;
    e.features = { amount: Math.round(random() * 50_000) / 100, channel: CHANNELS[i % CHANNELS.length] };
    lines.push(JSON.stringify(e));
  }
  return `${lines.join("\n")}\n`;
}

async function heapUsedMb(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^modelgate_process_nodejs_heap_size_used_bytes (\S+)$/m.exec(text);
  return m ? Number(m[1]) / 2 ** 20 : Number.NaN;
}

export interface MemoryResult {
  events: number;
  seconds: number;
  samples: Array<{ events: number; rssMiB: number; heapUsedMiB: number }>;
  /** the most resident memory the server held during the run (VmHWM), bytes */
  peakRssBytes: number;
  endRssBytes: number;
}

/**
 * Start the server with `opts.nodeOptions` (by `entry`: the built dist/ as the image runs it, or
 * the sources through tsx when unset), ingest, sample, stop. Throws with the server's log if it dies.
 */
export async function runMemory(
  opts: Options & { entry?: string[]; log?: (line: string) => void },
): Promise<MemoryResult> {
  const log = opts.log ?? (() => {});
  const dataDir = mkdtempSync(join(tmpdir(), "modelgate-bench-memory-"));
  const server = await spawnServer({ dataDir, entry: opts.entry, env: { NODE_OPTIONS: opts.nodeOptions } });
  const mb = (bytes: number) => bytes / 2 ** 20;
  try {
    const random = mulberry32(7);
    const bodies = Array.from({ length: 8 }, () => body(opts, random, Date.now()));
    const batches = Math.ceil(opts.events / opts.batchSize);
    const samples: MemoryResult["samples"] = [];
    const sample = async (events: number) => {
      const s = { events, rssMiB: mb(server.rssBytes()), heapUsedMiB: await heapUsedMb(server.url) };
      samples.push(s);
      log(`| ${events} | ${s.rssMiB.toFixed(0)} | ${s.heapUsedMiB.toFixed(0)} |`);
    };
    log("| events | RSS MiB | V8 heap used MiB |");
    log("|---|---|---|");
    await sample(0);
    let next = 0;
    let sent = 0;
    let nextSample = opts.sampleEvery;
    const started = performance.now();
    const worker = async () => {
      while (next < batches) {
        const n = next++;
        const template = bodies[n % bodies.length]!;
        const text = opts.uniqueIds ? template.replaceAll('"id":"@', `"id":"b${n}`) : template;
        // A connection the server closed as it was reused (keep-alive race) is retried; a dead
        // server ends the run with its log.
        let res: Response | undefined;
        for (let attempt = 0; res === undefined; attempt++) {
          try {
            res = await fetch(`${server.url}/v1/events`, {
              method: "POST",
              headers: { "content-type": "application/x-ndjson" },
              body: text,
            });
          } catch (e) {
            if (!server.alive() || attempt >= 3)
              throw new Error(
                `POST /v1/events failed (${String(e)}); server alive: ${server.alive()}\n${server.stderr().slice(-3000)}`,
              );
          }
        }
        const answer = (await res.json()) as { accepted?: number };
        if (res.status !== 202) throw new Error(`POST /v1/events: ${res.status} ${JSON.stringify(answer)}`);
        sent += opts.batchSize;
        if (sent >= nextSample) {
          nextSample += opts.sampleEvery;
          await sample(sent);
        }
      }
    };
    await Promise.all(Array.from({ length: opts.inFlight }, worker));
    if (samples.at(-1)!.events !== sent) await sample(sent);
    return {
      events: sent,
      seconds: (performance.now() - started) / 1000,
      samples,
      peakRssBytes: server.peakRssBytes(),
      endRssBytes: server.rssBytes(),
    };
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: "string", default: "10000000" },
      versions: { type: "string", default: "2" },
      "batch-size": { type: "string", default: "5000" },
      "in-flight": { type: "string", default: "2" },
      "spread-minutes": { type: "string", default: "1380" },
      "repeat-ids": { type: "boolean", default: false },
      "node-options": { type: "string", default: "" },
      "sample-every": { type: "string", default: "500000" },
    },
    strict: true,
  });
  const opts: Options = {
    events: Number(values.events),
    versions: Number(values.versions),
    batchSize: Number(values["batch-size"]),
    inFlight: Number(values["in-flight"]),
    spreadMinutes: Number(values["spread-minutes"]),
    uniqueIds: !values["repeat-ids"],
    nodeOptions: values["node-options"] ?? "",
    sampleEvery: Number(values["sample-every"]),
  };
  const entry = join(ROOT, "dist", "src", "cli", "main.js");
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  say(`memory: ${JSON.stringify(opts)}`);
  const r = await runMemory({ ...opts, entry: [entry], log: say });
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  say(
    `memory: ${r.events} events in ${r.seconds.toFixed(0)} s; RSS at the end ${mb(r.endRssBytes)} MiB, ` +
      `peak (VmHWM) ${mb(r.peakRssBytes)} MiB`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) await main();
