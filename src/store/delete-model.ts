import { type EmbeddedStore, StoreNotReady } from "./embedded-store.js";

/** What an erasure removed. */
export interface DeletedModel {
  model: string;
  versions: number;
  events: number;
  buckets: number;
  /** predictions that were waiting for an outcome */
  pendingOutcomes: number;
  /** KServe/Seldon CloudEvents waiting for their other half (requests hold feature values) */
  pendingRequests: number;
}

/**
 * Erase everything the embedded store holds about one model (DELETE /v1/models/{model}):
 * its summaries, lifetime counts, registered keys, join entries and pending CloudEvent
 * halves, and — because the write-ahead log holds ingested lines verbatim, feature values
 * included — the log itself: the erasure is made durable by a snapshot (one SQLite
 * transaction that writes the state without the model, after which the log is truncated), then
 * both files (log and snapshot) are rewritten (VACUUM) and their WALs truncated, so the deleted
 * pages do not linger in any file.
 * Returns undefined when the store holds nothing for the model.
 *
 * Synchronous, so no ingestion interleaves between the in-memory deletion and the snapshot.
 * Cost: O(size of the model's state + size of the database file) for the VACUUM; an
 * administrative operation, not a hot path.
 */
export function deleteModel(store: EmbeddedStore, model: string): DeletedModel | undefined {
  if (!store.ready) throw new StoreNotReady();
  const st = store.state;
  const m = st.models.get(model);
  const prefix = `${model}\u0000`;
  const joinKeys = [...st.joins.entries.keys()].filter((k) => k.startsWith(prefix));
  const pendingKeys = [...store.pending.requests].filter(([, r]) => r.model === model).map(([k]) => k);
  const responseKeys = [...store.pending.responses].filter(([, r]) => r.model === model).map(([k]) => k);
  if (
    !m &&
    joinKeys.length === 0 &&
    pendingKeys.length === 0 &&
    responseKeys.length === 0 &&
    !st.registry.models.has(model)
  ) {
    return undefined;
  }
  let buckets = 0;
  let events = 0;
  for (const v of m?.versions.values() ?? []) {
    events += v.counts.events;
    buckets += v.buckets.size;
  }
  const now = store.now();
  // taking an entry is how the join index records a deletion for the next snapshot
  for (const k of joinKeys) st.joins.take(k, now);
  for (const k of pendingKeys) store.pending.requests.delete(k);
  for (const k of responseKeys) store.pending.responses.delete(k);
  store.pending.answeringModels.delete(model);
  st.forgetModel(model);
  st.registry.models.delete(model);
  store.snapshot();
  store.compactFiles();
  return {
    model,
    versions: m?.versions.size ?? 0,
    events,
    buckets,
    pendingOutcomes: joinKeys.length,
    pendingRequests: pendingKeys.length + responseKeys.length,
  };
}
