import type { JudgeResponse } from "../judge/judgement.js";
import type { CohortSummary } from "../sketch/cohort-summary.js";
import { type Source, SourceUnavailable } from "../sources/source.js";
import type { Timeline, TimeSlice } from "./plots/errors-timeline.js";

/**
 * What the judgement page draws: the judgement as answered plus the cohort summaries it was made
 * from and the error counts over its window.
 *
 * The audit log keeps only the answer (it stays small and its hashes cover what was decided), so
 * the service re-reads the source for the judgement's recorded window. The plots therefore show
 * the data as the source holds it now: identical for a closed window still within retention,
 * possibly more events when a late outcome joined since. The offline CLI has the summaries in
 * hand and passes them directly.
 */
export interface JudgementView {
  response: JudgeResponse;
  baseline?: CohortSummary;
  candidate?: CohortSummary;
  timeline?: Timeline;
  /** where the plotted data comes from, shown under the plots */
  dataNote?: string;
}

/** "2026-01-01T00:00:00.000Z/2026-01-01T01:00:00.000Z" → [from, to] epoch ms; undefined without a start. */
export function parseWindow(window: string): [number, number] | undefined {
  const [a, b] = window.split("/");
  const from = Date.parse(a);
  const to = Date.parse(b);
  return Number.isFinite(from) && Number.isFinite(to) && from < to ? [from, to] : undefined;
}

/**
 * Split [from, to) into at most `count` slices whose edges fall on bucket boundaries, so that a
 * source merging whole buckets never counts a bucket in two slices.
 */
export function sliceWindow(
  from: number,
  to: number,
  bucketMs: number,
  count: number,
): Array<[number, number]> {
  const start = Math.floor(from / bucketMs) * bucketMs;
  const buckets = Math.ceil((to - start) / bucketMs);
  const width = Math.max(1, Math.ceil(buckets / count)) * bucketMs;
  const out: Array<[number, number]> = [];
  for (let s = start; s < to; s += width) out.push([s, s + width]);
  return out;
}

/**
 * Re-read the judgement's cohorts and error timeline from its source. A source that cannot answer
 * (Prometheus down) leaves the page with its verdict, gates and reason, and a note instead of plots.
 */
export async function loadJudgementView(
  response: JudgeResponse,
  source: Source | undefined,
  opts: { bucketMs: number; slices?: number },
): Promise<JudgementView> {
  try {
    return await readView(response, source, opts);
  } catch (e) {
    if (!(e instanceof SourceUnavailable)) throw e;
    return { response, dataNote: `no plots: the source cannot answer (${e.message})` };
  }
}

async function readView(
  response: JudgeResponse,
  source: Source | undefined,
  opts: { bucketMs: number; slices?: number },
): Promise<JudgementView> {
  const j = response.judgement;
  const window = parseWindow(j.window);
  if (!source) return { response, dataNote: `source "${j.source}" is not available to this page` };
  if (!window) return { response, dataNote: "the judgement had no events in its window" };
  const [from, to] = window;
  const read = (version: string, a: number, b: number) =>
    source.cohort({ model: j.model, version, from: a, to: b });
  const [baseline, candidate] = await Promise.all([read(j.baseline, from, to), read(j.candidate, from, to)]);
  const slices: TimeSlice[] = [];
  for (const [a, b] of sliceWindow(from, to, opts.bucketMs, opts.slices ?? 24)) {
    const [sb, sc] = await Promise.all([read(j.baseline, a, b), read(j.candidate, a, b)]);
    slices.push({
      start: a,
      end: b,
      baseline: { events: sb?.events ?? 0, errors: sb?.errors ?? 0 },
      candidate: { events: sc?.events ?? 0, errors: sc?.errors ?? 0 },
    });
  }
  return {
    response,
    baseline,
    candidate,
    timeline: { axis: "time", slices },
    dataNote: `plots re-read from source "${j.source}" for the judgement's window; late outcomes joined since the judgement are included`,
  };
}
