import type { PredictionEvent } from "../../src/ingest/event.js";
import type { Source } from "../../src/sources/source.js";
import { type ContractHarness, sourceContract, summariseEvents } from "./source.contract.js";

/**
 * The in-memory reference Source: keeps every event and summarises the ones in the window on
 * demand. It checks the contract suite itself (a suite that this trivially correct source
 * failed would be wrong), independently of the store and of Prometheus.
 */
function memoryHarness(): ContractHarness {
  const events: PredictionEvent[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const source: Source = {
    name: "memory",
    async cohort(q) {
      const mine = events.filter((e) => e.model === q.model && e.version === q.version);
      if (mine.length === 0) return undefined;
      return summariseEvents(mine.filter((e) => (q.from === undefined || e.ts >= q.from) && e.ts < q.to));
    },
    async firstSeen(model, version) {
      const ts = events.filter((e) => e.model === model && e.version === version).map((e) => e.ts);
      return ts.length > 0 ? Math.min(...ts) : undefined;
    },
  };
  return {
    source,
    async ingest(model, version, batch) {
      const ts = Date.now();
      const stamped = batch.map((e) => ({ ...e, model, version, ts }));
      events.push(...stamped);
      return stamped;
    },
    async mark() {
      await sleep(2);
      const t = Date.now();
      await sleep(2);
      return t;
    },
    async close() {},
  };
}

sourceContract("in-memory reference", async () => memoryHarness(), { latencyRelError: 0 });
