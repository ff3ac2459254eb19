import type { PredictionEvent } from "../ingest/event.js";
import type { CohortSummary } from "../sketch/cohort-summary.js";
import type { Source } from "../sources/source.js";
import type { PairedQuery, PairedSource } from "./paired-source.js";
import { pairingFor } from "./pairing-index.js";

/**
 * A paired source over a finite set of events (offline: two files of predictions on the same
 * held-out requests, e.g. for `modelgate judge --mode shadow`). Every event is paired by (model, id)
 * with no pairing window or size limit in effect (the whole set is held anyway); events without an
 * id are left out. Cohorts are not served: shadow gates only read pairs. O(events).
 */
export function offlinePairedSource(
  events: Iterable<PredictionEvent>,
  opts: { threshold?: number; scoreLo?: number; scoreHi?: number } = {},
): Source & PairedSource {
  const forever = Number.MAX_SAFE_INTEGER / 4;
  const pairing = pairingFor(
    {
      bucketMs: forever,
      retentionMs: forever,
      threshold: opts.threshold ?? 0.5,
      joinTtlMs: forever,
      layout: { scoreLo: opts.scoreLo ?? 0, scoreHi: opts.scoreHi ?? 1, sketchAlpha: 0.01 },
    },
    { ttlMs: forever, maxPending: Number.MAX_SAFE_INTEGER, maxAwaitingLabel: Number.MAX_SAFE_INTEGER },
  );
  const first = new Map<string, number>();
  for (const e of events) {
    pairing.observe(e, 0);
    const k = `${e.model}\u0000${e.version}`;
    first.set(k, Math.min(first.get(k) ?? e.ts, e.ts));
  }
  return {
    name: "offline",
    async cohort(): Promise<CohortSummary | undefined> {
      return undefined;
    },
    async firstSeen(model: string, version: string) {
      return first.get(`${model}\u0000${version}`);
    },
    async paired(q: PairedQuery) {
      return pairing.window(q.model, q.baseline, q.candidate, q.from, q.to);
    },
  };
}
