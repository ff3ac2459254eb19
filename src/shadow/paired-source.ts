import type { PairedWindow } from "./pairing-index.js";

/** The pair of versions of a model judged in shadow mode, over a window [from, to) (epoch ms). */
export interface PairedQuery {
  model: string;
  baseline: string;
  candidate: string;
  from?: number;
  to: number;
}

/**
 * A source that can answer paired questions: only one that sees each request's id in both versions'
 * answers (the embedded store) can; Prometheus aggregates cannot be paired. Undefined = never paired.
 */
export interface PairedSource {
  paired(query: PairedQuery): Promise<PairedWindow | undefined>;
}

export function isPairedSource(source: object): source is PairedSource {
  return typeof (source as Partial<PairedSource>).paired === "function";
}
