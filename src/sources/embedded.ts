import type { PairedQuery, PairedSource } from "../shadow/paired-source.js";
import type { EmbeddedStore } from "../store/embedded-store.js";
import type { CohortQuery, Source } from "./source.js";

/**
 * The embedded store as a judgement source: a cohort is the merge of the version's time
 * buckets overlapping [from, to) (bucket granularity: config.bucketSeconds).
 */
export function createEmbeddedSource(store: EmbeddedStore): Source & PairedSource {
  return {
    name: "embedded",
    async cohort(q: CohortQuery) {
      return store.cohort(q.model, q.version, q.from, q.to);
    },
    async firstSeen(model: string, version: string) {
      return store.firstSeen(model, version);
    },
    // shadow mode: the versions' answers to the same request ids (src/shadow/pairing-index.ts)
    async paired(q: PairedQuery) {
      return store.state.pairing?.window(q.model, q.baseline, q.candidate, q.from, q.to);
    },
  };
}
