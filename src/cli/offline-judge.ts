import type { Config } from "../config.js";
import { GATES, type GateRegistry } from "../gates/registry.js";
import type { PredictionEvent } from "../ingest/event.js";
import { checkRequestGateSettings } from "../judge/gate-settings.js";
import { JudgementHistory } from "../judge/history.js";
import { runJudgement } from "../judge/judge.js";
import { parseJudgeRequest } from "../judge/request.js";
import { offlinePairedSource } from "../shadow/offline-source.js";
import { DEFAULT_LAYOUT } from "../sketch/cohort-summary.js";
import type { Source } from "../sources/source.js";
import { CohortState } from "../store/cohort-state.js";
import type { JudgementView } from "../ui/judgement-view.js";
import type { TimeSlice } from "../ui/plots/errors-timeline.js";
import { PredictionsFileError, readPredictions } from "./predictions-file.js";

export interface OfflineJudgeInput {
  baselineFile: string;
  candidateFile: string;
  /** csv | ndjson; default from the file extension */
  format?: string;
  model: string;
  /** judge request fields besides model/baseline/candidate/window/mode (gates, alpha, "<gate>.<field>" …) */
  fields: Record<string, unknown>;
  /**
   * canary (default): the files are two samples, judged as two cohorts. shadow: the files hold both
   * models' answers to the same requests, paired by `id` (every row needs one), judged by the shadow gates.
   */
  mode?: "canary" | "shadow";
  config: Config;
  now: number;
  registry?: GateRegistry;
}

export const BASELINE_VERSION = "baseline";
export const CANDIDATE_VERSION = "candidate";
const TIMELINE_SLICES = 24;

/**
 * Judge two predictions files (champion = baseline, challenger = candidate) with the service's own
 * code path: rows are validated by the ingestion parser, summarised by the embedded store's
 * CohortState, and judged by runJudgement over a source reading that state. The window covers
 * every row (rows without a timestamp are stamped `now`), so both files are judged whole.
 *
 * In shadow mode the rows are also paired by id (offlinePairedSource, no pairing window) and the
 * shadow gates judge the pairs; the cohorts still feed the report's plots. A row without an id, or
 * an id repeated within a file, is a PredictionsFileError naming the line: an unpairable row would
 * otherwise be silently left out of the judgement.
 */
export async function judgeFiles(input: OfflineJudgeInput): Promise<JudgementView> {
  const { config } = input;
  const registry = input.registry ?? GATES;
  // a mistyped setting is refused before the files are read
  checkRequestGateSettings({ ...input.fields, mode: input.mode ?? "canary" }, { registry });
  const state = new CohortState({
    bucketMs: config.bucketSeconds * 1000,
    retentionMs: Number.MAX_SAFE_INTEGER,
    threshold: config.decisionThreshold,
    layout: DEFAULT_LAYOUT,
    joinTtlMs: config.joinTtlSeconds * 1000,
    joinMaxEntries: config.joinMaxEntries,
    limits: {
      maxModels: 1,
      maxVersionsPerModel: 2,
      maxGroupAttributes: config.maxGroupAttributes,
      maxGroupValues: config.maxGroupValues,
      maxFeatures: config.maxFeatures,
      maxCategories: config.maxCategories,
    },
  });
  const rows: Record<string, Array<{ at: number; error: boolean }>> = {};
  const shadow = input.mode === "shadow";
  const events: PredictionEvent[] = [];
  let allTimed = true;
  let from = Number.POSITIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const [version, file] of [
    [BASELINE_VERSION, input.baselineFile],
    [CANDIDATE_VERSION, input.candidateFile],
  ] as const) {
    const list: Array<{ at: number; error: boolean }> = [];
    const idLines = new Map<string, number>();
    for await (const row of readPredictions(file, {
      model: input.model,
      version,
      now: input.now,
      format: input.format,
      maxLineBytes: config.maxLineBytes,
    })) {
      if (shadow) {
        const id = row.event.id;
        if (id === undefined)
          throw new PredictionsFileError(
            file,
            row.line,
            "id: required with --mode shadow (the two files are paired by request id)",
          );
        const seen = idLines.get(id);
        if (seen !== undefined)
          throw new PredictionsFileError(file, row.line, `id: "${id}" repeats line ${seen} of this file`);
        idLines.set(id, row.line);
        events.push(row.event);
      }
      state.applyEvent(row.event, input.now);
      allTimed &&= row.timed;
      from = Math.min(from, row.event.ts);
      to = Math.max(to, row.event.ts);
      list.push({ at: row.event.ts, error: row.event.error === true });
    }
    rows[version] = list;
  }
  if (!Number.isFinite(from)) [from, to] = [input.now, input.now];

  const cohorts: Source = {
    name: "offline",
    async cohort(q) {
      return state.window(q.model, q.version, q.from, q.to);
    },
    async firstSeen(model, version) {
      return state.models.get(model)?.versions.get(version)?.counts.firstTs ?? undefined;
    },
  };
  const source: Source = shadow
    ? offlinePairedSource(events, {
        threshold: config.decisionThreshold,
        scoreLo: DEFAULT_LAYOUT.scoreLo,
        scoreHi: DEFAULT_LAYOUT.scoreHi,
      })
    : cohorts;
  const request = parseJudgeRequest(
    {
      ...input.fields,
      model: input.model,
      baseline: BASELINE_VERSION,
      candidate: CANDIDATE_VERSION,
      mode: input.mode ?? "canary",
      // whole buckets, so the window holds every row of both files
      since: Math.floor(from / (config.bucketSeconds * 1000)) * config.bucketSeconds * 1000,
      until: to + 1,
    },
    { registry, now: input.now },
  );
  const response = await runJudgement(request, {
    registry,
    sources: { offline: source },
    defaultSource: "offline",
    history: new JudgementHistory(),
    clock: () => input.now,
  });
  const baseline = state.window(input.model, BASELINE_VERSION, undefined, Number.MAX_SAFE_INTEGER);
  const candidate = state.window(input.model, CANDIDATE_VERSION, undefined, Number.MAX_SAFE_INTEGER);
  return {
    response,
    baseline,
    candidate,
    timeline: timelineOf(rows[BASELINE_VERSION], rows[CANDIDATE_VERSION], allTimed),
    dataNote: `offline judgement of ${input.baselineFile} (baseline) and ${input.candidateFile} (candidate)`,
  };
}

type Row = { at: number; error: boolean };

/** Errors per slice: by timestamp when every row has one, else by row number within each file. */
function timelineOf(baseline: Row[], candidate: Row[], timed: boolean): JudgementView["timeline"] {
  const key = (r: Row, i: number) => (timed ? r.at : i + 1);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const list of [baseline, candidate]) {
    list.forEach((r, i) => {
      lo = Math.min(lo, key(r, i));
      hi = Math.max(hi, key(r, i));
    });
  }
  if (!Number.isFinite(lo)) return undefined;
  const width = Math.max(1, (hi + 1 - lo) / TIMELINE_SLICES);
  const count = Math.max(1, Math.min(TIMELINE_SLICES, Math.ceil((hi + 1 - lo) / width)));
  const slices: TimeSlice[] = Array.from({ length: count }, (_, k) => ({
    start: lo + k * width,
    end: lo + (k + 1) * width,
    baseline: { events: 0, errors: 0 },
    candidate: { events: 0, errors: 0 },
  }));
  for (const [cohort, list] of [
    ["baseline", baseline],
    ["candidate", candidate],
  ] as const) {
    list.forEach((r, i) => {
      const s = slices[Math.min(count - 1, Math.floor((key(r, i) - lo) / width))];
      s[cohort].events++;
      if (r.error) s[cohort].errors++;
    });
  }
  return { axis: timed ? "time" : "row", slices };
}
