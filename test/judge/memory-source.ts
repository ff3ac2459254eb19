import type { CohortSummary } from "../../src/sketch/cohort-summary.js";
import { type CohortQuery, type Source, SourceUnavailable } from "../../src/sources/source.js";

/**
 * An in-memory Source over fixed cohort summaries keyed "model/version" (windows ignored), with
 * a switch to make it unavailable and a log of the queries it answered.
 */
export function memorySource(
  cohorts: Record<string, CohortSummary>,
  opts: { name?: string; firstSeen?: number } = {},
): Source & { down: boolean; queries: CohortQuery[] } {
  const src = {
    name: opts.name ?? "memory",
    down: false,
    queries: [] as CohortQuery[],
    async cohort(q: CohortQuery) {
      if (src.down) throw new SourceUnavailable(src.name, "connection refused");
      src.queries.push(q);
      return cohorts[`${q.model}/${q.version}`]?.clone();
    },
    async firstSeen(model: string, version: string) {
      if (src.down) throw new SourceUnavailable(src.name, "connection refused");
      const c = cohorts[`${model}/${version}`];
      return c && c.events > 0 ? (opts.firstSeen ?? 1_700_000_000_000) : undefined;
    },
  };
  return src;
}
