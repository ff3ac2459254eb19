import type { EmbeddedStore } from "../store/embedded-store.js";
import type { CohortQuery, Source } from "./source.js";

/**
 * The embedded store as a judgement source: a cohort is the merge of the version's time
 * buckets overlapping [from, to) (bucket granularity: config.bucketSeconds).
 */
export function createEmbeddedSource(store: EmbeddedStore): Source {
  return {
    name: "embedded",
    async cohort(q: CohortQuery) {
      return store.cohort(q.model, q.version, q.from, q.to);
    },
    async firstSeen(model: string, version: string) {
      return store.firstSeen(model, version);
    },
  };
}
