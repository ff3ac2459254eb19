import type { LookInformation, SequentialContext, SequentialRecord, TakenLook } from "../gates/sequential.js";
import type { SpendingFunction } from "../stats/alpha-spending.js";
import type { JudgeResponse } from "./judgement.js";

/**
 * Group-sequential looks kept for reuse (≈ 4.3 kB each, its state and the next look's table: ≈ 43 MB
 * at the limit, measured); beyond this the oldest are dropped (and replayed if needed).
 */
const CACHE_LIMIT = 10_000;
/** Looks waiting for idle turns at most (each holds its last look's density until computed, ≈ 20 kB). */
const PENDING_LIMIT = 2_000;

/**
 * The state of every run with a declared look schedule: per look key, gate and contrast, the
 * information of the looks at which it grew (from each answer's `gates[g].sequential.observed`, so it
 * is rebuilt from the audit log at start like the look counts), and a cache of group-sequential
 * looks so a look costs one step of the recursion instead of a replay of the run.
 *
 * A look answers with its boundary; the state after it (the density update the run's next look
 * starts from, most of a look's cost) and the next look's boundaries at a few information levels
 * (TakenLook.prepare) are computed after the answer, one piece per turn of the event loop, so a
 * judgement's latency holds a table lookup per contrast, or one root-find where the table does not
 * reach. A next look arriving first simply computes what it needs then.
 */
export class SequentialRuns {
  private readonly runs = new Map<string, Map<string, LookInformation[]>>();
  private readonly cache = new Map<string, TakenLook>();
  private readonly pending: TakenLook[] = [];
  private draining = false;

  /** Keep the looks an answer observed (a look whose information did not grow is not appended). */
  observe(lookKey: string, response: JudgeResponse): void {
    for (const [gate, result] of Object.entries(response.gates)) {
      const record: SequentialRecord | undefined = result.sequential;
      if (!record) continue;
      for (const [key, look] of Object.entries(record.observed)) {
        const id = `${gate}\u0000${key}`;
        let run = this.runs.get(lookKey);
        if (!run) {
          run = new Map();
          this.runs.set(lookKey, run);
        }
        const looks = run.get(id) ?? [];
        const last = looks.at(-1);
        if (last && !(look.information > last.information && look.fraction >= last.fraction)) continue;
        looks.push({ information: look.information, fraction: look.fraction });
        run.set(id, looks);
      }
    }
  }

  /** The context a gate evaluates in at this look of a run with `looks` declared. */
  contextFor(
    lookKey: string,
    gate: string,
    design: { look: number; looks: number; spending: SpendingFunction },
  ): SequentialContext {
    const run = this.runs.get(lookKey);
    const cache = this.cache;
    if (cache.size > CACHE_LIMIT) {
      // Map iterates in insertion order: drop the oldest tenth
      let drop = Math.ceil(CACHE_LIMIT / 10);
      for (const k of cache.keys()) {
        if (drop-- <= 0) break;
        cache.delete(k);
      }
    }
    return {
      ...design,
      history: (key) => run?.get(`${gate}\u0000${key}`) ?? [],
      cache: {
        get: (k) => cache.get(`${lookKey}\u0000${gate}\u0000${k}`),
        set: (k, v) => {
          cache.set(`${lookKey}\u0000${gate}\u0000${k}`, v);
          this.later(v);
        },
      },
      observed: new Map(),
    };
  }

  /** Compute a look's state while the service is idle (never keeps a process alive for it). */
  private later(look: TakenLook): void {
    // under more declared looks than idle turns can follow, the oldest wait no longer: a look that
    // needs one computes it then (the answers are the same)
    if (this.pending.length >= PENDING_LIMIT) this.pending.shift();
    this.pending.push(look);
    if (this.draining) return;
    this.draining = true;
    const drain = () => {
      try {
        const look = this.pending.shift();
        if (look) {
          look.state();
          look.prepare?.();
        }
      } finally {
        if (this.pending.length > 0) setImmediate(drain).unref();
        else this.draining = false;
      }
    };
    setImmediate(drain).unref();
  }

  /** Compute every look's state now (what the idle turns would do); returns how many there were. */
  settle(): number {
    const n = this.pending.length;
    for (const look of this.pending.splice(0)) {
      look.state();
      look.prepare?.();
    }
    return n;
  }
}
