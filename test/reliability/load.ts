import { request } from "../helpers/server-process.js";

/** What a load run got acknowledged, per version, and what was in flight when it stopped. */
export interface LoadTally {
  /** events answered 2xx with `accepted` (durable: the store logs before answering) */
  acked: Map<string, number>;
  /** events whose request got no answer (connection cut): maybe stored, maybe not */
  unanswered: Map<string, number>;
  judgementsAcked: number;
  judgeLatenciesMs: number[];
  /** status → count over every answer */
  statuses: Map<number, number>;
  errors: string[];
}

export function newTally(): LoadTally {
  return {
    acked: new Map(),
    unanswered: new Map(),
    judgementsAcked: 0,
    judgeLatenciesMs: [],
    statuses: new Map(),
    errors: [],
  };
}

const add = <K>(m: Map<K, number>, k: K, n: number) => m.set(k, (m.get(k) ?? 0) + n);

/**
 * Sustained load until `stop()` is true: `ingesters` loops posting batches of `batch` events
 * alternately to two versions of `model`, `judges` loops judging them. Counts are recorded
 * into `tally` as answers arrive.
 */
export async function runLoad(opts: {
  url: () => string;
  model: string;
  stop: () => boolean;
  tally: LoadTally;
  headers?: { ingest?: Record<string, string>; judge?: Record<string, string> };
  ingesters?: number;
  judges?: number;
  batch?: number;
  runKey?: string;
}): Promise<void> {
  const { tally } = opts;
  const versions = ["stable", "canary"];
  let seq = 0;
  const ingester = async (w: number) => {
    for (let i = 0; !opts.stop(); i++) {
      const version = versions[(w + i) % 2];
      const n = opts.batch ?? 50;
      const now = Date.now();
      const events = Array.from({ length: n }, (_, j) => ({
        model: opts.model,
        version,
        ts: now,
        score: ((seq++ * 7919) % 1000) / 1000,
        latencyMs: 20 + ((j * 31) % 17) + (version === "canary" ? 1 : 0),
        error: j % 97 === 0,
      }));
      const r = await request(`${opts.url()}/v1/events`, {
        method: "POST",
        body: JSON.stringify(events),
        headers: { "content-type": "application/json", ...opts.headers?.ingest },
      });
      add(tally.statuses, r.status, 1);
      if (r.status === 202 || r.status === 207) add(tally.acked, version, r.json.accepted as number);
      else if (r.status === 0) {
        add(tally.unanswered, version, n);
        tally.errors.push(r.error ?? "");
      } else tally.errors.push(`${r.status} ${JSON.stringify(r.json).slice(0, 200)}`);
    }
  };
  const judge = async () => {
    while (!opts.stop()) {
      const t0 = performance.now();
      const r = await request(`${opts.url()}/v1/judge`, {
        method: "POST",
        body: JSON.stringify({
          model: opts.model,
          baseline: "stable",
          candidate: "canary",
          gates: "latency,errors,drift",
          runKey: opts.runKey ?? "load",
        }),
        headers: { "content-type": "application/json", ...opts.headers?.judge },
      });
      add(tally.statuses, r.status, 1);
      if (r.status === 200) {
        tally.judgementsAcked++;
        tally.judgeLatenciesMs.push(performance.now() - t0);
      } else if (r.status !== 0)
        tally.errors.push(`judge ${r.status} ${JSON.stringify(r.json).slice(0, 200)}`);
    }
  };
  await Promise.all([
    ...Array.from({ length: opts.ingesters ?? 3 }, (_, w) => ingester(w)),
    ...Array.from({ length: opts.judges ?? 1 }, () => judge()),
  ]);
}

export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) throw new Error("quantile of an empty sample");
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}
