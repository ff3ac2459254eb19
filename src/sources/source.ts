import type { CohortSummary } from "../sketch/cohort-summary.js";

/** A cohort: one model version's traffic in a window [from, to) (epoch ms). */
export interface CohortQuery {
  model: string;
  version: string;
  /** inclusive start, epoch ms; undefined = since the version's first event */
  from?: number;
  /** exclusive end, epoch ms */
  to: number;
}

/**
 * Where cohort summaries come from: the embedded store or Prometheus. A source answers
 * `undefined` for a cohort it has never seen (→ inconclusive), and throws `SourceUnavailable`
 * when it cannot answer at all (→ HTTP 5xx, which Argo counts as an Error, not a Failed).
 */
export interface Source {
  readonly name: string;
  cohort(query: CohortQuery): Promise<CohortSummary | undefined>;
  /** epoch ms of the version's first event, if known (default window start) */
  firstSeen(model: string, version: string): Promise<number | undefined>;
}

export class SourceUnavailable extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = "SourceUnavailable";
  }
}
