/**
 * Judgement latency: runJudgement (request already parsed; the real embedded source merging the
 * store's 60 s buckets; all registered gates; history and hash-chained audit record) timed over
 * cohorts of 10k … 10M events each. Building the cohorts (store.state.applyEvent) is not timed;
 * the judgement reads O(buckets × bins) summaries, so its cost should not grow with the events.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config.js";
import { GATE_NAMES, GATES } from "../src/gates/registry.js";
import { JudgementHistory } from "../src/judge/history.js";
import { runJudgement } from "../src/judge/judge.js";
import type { JudgeRequest } from "../src/judge/request.js";
import { createEmbeddedSource } from "../src/sources/embedded.js";
import { quantile } from "../src/stats/quantile.js";
import { mulberry32 } from "../src/stats/random.js";
import { EmbeddedStore, storeOptionsFromConfig } from "../src/store/embedded-store.js";
import { drawEvent } from "./sim/analysis-run.js";
import { baselineArm } from "./sim/world.js";

export interface LatencyRow {
  eventsPerCohort: number;
  judgements: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /**
   * the same judgement with a declared schedule (looks: 10), over every look of 10-look runs whose
   * information grows at each look: at most one root-find per contrast on the run's state
   */
  declaredP50Ms?: number;
  declaredP99Ms?: number;
  /** the work each declared look leaves for the event loop's idle turns (the states after it) */
  continuationP50Ms?: number;
  continuationP99Ms?: number;
}

const WINDOW_MS = 600_000;
const T0 = 28_333_334 * 60_000;

export async function runJudgeLatency(opts: {
  sizes: number[];
  judgements: number;
  log?: (line: string) => void;
}): Promise<{ rows: LatencyRow[]; gates: string[] }> {
  const log = opts.log ?? (() => {});
  const dataDir = mkdtempSync(join(tmpdir(), "modelgate-bench-"));
  const config = loadConfig({
    MODELGATE_DATA_DIR: dataDir,
    MODELGATE_RETENTION_SECONDS: String(10 * 365 * 86_400),
  });
  const store = EmbeddedStore.open({ ...storeOptionsFromConfig(config), clock: () => T0 + WINDOW_MS });
  await store.replay();
  try {
    const deps = {
      registry: GATES,
      sources: { embedded: createEmbeddedSource(store) },
      defaultSource: "embedded",
      history: new JudgementHistory(),
      clock: () => T0 + WINDOW_MS,
    };
    const req: JudgeRequest = {
      model: "bench",
      baseline: "baseline",
      candidate: "candidate",
      since: T0,
      until: T0 + WINDOW_MS,
      gates: [...GATE_NAMES],
      optional: [],
      gateFields: {},
      weights: {},
      alpha: 0.05,
      runKey: "bench-latency",
      source: undefined,
    };
    const random = mulberry32(7);
    const arm = baselineArm();
    const rows: LatencyRow[] = [];
    let filled = 0;
    for (const size of [...opts.sizes].sort((a, b) => a - b)) {
      log(`judge latency: filling cohorts to ${size.toLocaleString("en-US")} events each`);
      for (; filled < size; filled++) {
        // events spread over the 10-minute window, i.e. over 10 store buckets per version
        const ts = T0 + (Math.floor((filled / size) * WINDOW_MS) % WINDOW_MS);
        store.state.applyEvent(drawEvent(arm, random, "baseline", ts, 0.5), ts);
        store.state.applyEvent(drawEvent(arm, random, "candidate", ts, 0.5), ts);
      }
      for (let i = 0; i < 5; i++) await runJudgement(req, deps); // warm-up (JIT)
      const times: number[] = [];
      for (let i = 0; i < opts.judgements; i++) {
        const start = performance.now();
        await runJudgement(req, deps);
        times.push(performance.now() - start);
      }
      // with a declared schedule a look with new data takes one group-sequential step per contrast:
      // runs of 10 looks, look k seeing the first k minutes of the window, every look timed; what a
      // look leaves for idle turns (the states after it) is done between looks, as the minute between
      // Argo's measurements would, and timed apart
      const declared: number[] = [];
      const continuation: number[] = [];
      for (let i = 0; declared.length < opts.judgements; i++) {
        const run = { ...req, looks: 10, runKey: `bench-latency-declared-${size}-${i}` };
        for (let look = 1; look <= 10 && declared.length < opts.judgements; look++) {
          const start = performance.now();
          await runJudgement({ ...run, until: T0 + (look * WINDOW_MS) / 10 }, deps);
          declared.push(performance.now() - start);
          const idle = performance.now();
          deps.history.sequences.settle();
          continuation.push(performance.now() - idle);
        }
      }
      rows.push({
        eventsPerCohort: size,
        judgements: times.length,
        p50Ms: quantile(times, 0.5),
        p99Ms: quantile(times, 0.99),
        maxMs: Math.max(...times),
        declaredP50Ms: quantile(declared, 0.5),
        declaredP99Ms: quantile(declared, 0.99),
        continuationP50Ms: quantile(continuation, 0.5),
        continuationP99Ms: quantile(continuation, 0.99),
      });
    }
    return { rows, gates: [...GATE_NAMES] };
  } finally {
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
