import { dictionary } from "../safe-keys.js";
import { addGroupCounts, emptyGroupCounts, type GroupCounts } from "./group-counts.js";
import { type GroupMap, type GroupMapJSON, groupEntry, groupMapToJSON, mergeGroupMap } from "./group-map.js";
import { LatencySketch, type LatencySketchJSON } from "./latency-sketch.js";
import { ScoreHistogram, type ScoreHistogramJSON } from "./score-histogram.js";

/** Layout shared by every summary of one model, so that summaries of its versions merge and compare. */
export interface SummaryLayout {
  scoreBins: number;
  scoreLo: number;
  scoreHi: number;
  /** relative accuracy of latency and numeric-feature sketches */
  sketchAlpha: number;
}

export const DEFAULT_LAYOUT: SummaryLayout = { scoreBins: 1000, scoreLo: 0, scoreHi: 1, sketchAlpha: 0.01 };

/**
 * Score bins of what crosses Prometheus (the exporter's `le` edges, the Prometheus source's layout):
 * every bin is a series, so 200 rather than 1000 (`0.005, 0.01, …, 1`); the embedded store's 1000 bins
 * sum into them exactly.
 */
export const PROMETHEUS_SCORE_BINS = 200;

export type FeatureSummary =
  | { kind: "numeric"; sketch: LatencySketch }
  | { kind: "categorical"; counts: Map<string, number> };

type FeatureSummaryJSON =
  | { kind: "numeric"; sketch: LatencySketchJSON }
  | { kind: "categorical"; counts: Record<string, number> };

export interface CohortSummaryJSON {
  layout: SummaryLayout;
  events: number;
  errors: number;
  invalid: number;
  latency: LatencySketchJSON;
  scores: ScoreHistogramJSON;
  scoresPositive: ScoreHistogramJSON;
  scoresNegative: ScoreHistogramJSON;
  groups: GroupMapJSON<GroupCounts>;
  features: Record<string, FeatureSummaryJSON>;
  firstTs: number | null;
  lastTs: number | null;
}

/**
 * Everything a judgement needs about one cohort (one model version in one window), bounded in
 * size whatever the traffic, and mergeable: the summary of a window is the merge of the
 * summaries of its time buckets.
 *
 * - `events`: all events (scored, errored or latency-only), the denominator of the error rate
 * - `scores`: every valid score; `scoresPositive` / `scoresNegative`: scores of labelled events
 *   split by label (what binned AUC and DeLong read)
 * - `latency`: latency sketch in ms
 * - `groups[attribute][value]`: decision and label × decision counts (fairness)
 * - `features[name]`: numeric sketch or categorical counts (feature drift)
 */
export class CohortSummary {
  private readonly sketchAlpha: number;
  events = 0;
  errors = 0;
  invalid = 0;
  readonly latency: LatencySketch;
  readonly scores: ScoreHistogram;
  readonly scoresPositive: ScoreHistogram;
  readonly scoresNegative: ScoreHistogram;
  readonly groups: GroupMap<GroupCounts> = new Map();
  readonly features = new Map<string, FeatureSummary>();
  firstTs: number | null = null;
  lastTs: number | null = null;

  constructor(layout: SummaryLayout = DEFAULT_LAYOUT) {
    this.sketchAlpha = layout.sketchAlpha;
    this.latency = new LatencySketch(layout.sketchAlpha);
    this.scores = new ScoreHistogram(layout.scoreBins, layout.scoreLo, layout.scoreHi);
    this.scoresPositive = new ScoreHistogram(layout.scoreBins, layout.scoreLo, layout.scoreHi);
    this.scoresNegative = new ScoreHistogram(layout.scoreBins, layout.scoreLo, layout.scoreHi);
  }

  /** The layout as it is now (a merge with older, coarser buckets coarsens the score bins). */
  get layout(): SummaryLayout {
    return {
      scoreBins: this.scores.bins,
      scoreLo: this.scores.lo,
      scoreHi: this.scores.hi,
      sketchAlpha: this.sketchAlpha,
    };
  }

  /** Labelled events (the AUC sample size). */
  get labelled(): number {
    return this.scoresPositive.total + this.scoresNegative.total;
  }

  group(attribute: string, value: string): GroupCounts {
    return groupEntry(this.groups, attribute, value, emptyGroupCounts);
  }

  seen(ts: number): void {
    if (this.firstTs === null || ts < this.firstTs) this.firstTs = ts;
    if (this.lastTs === null || ts > this.lastTs) this.lastTs = ts;
  }

  merge(other: CohortSummary): this {
    this.events += other.events;
    this.errors += other.errors;
    this.invalid += other.invalid;
    this.latency.merge(other.latency);
    this.scores.merge(other.scores);
    this.scoresPositive.merge(other.scoresPositive);
    this.scoresNegative.merge(other.scoresNegative);
    mergeGroupMap(this.groups, other.groups, emptyGroupCounts, addGroupCounts);
    for (const [name, f] of other.features) {
      const mine = this.features.get(name);
      if (f.kind === "numeric") {
        if (!mine) this.features.set(name, { kind: "numeric", sketch: f.sketch.clone() });
        else if (mine.kind === "numeric") mine.sketch.merge(f.sketch);
      } else if (!mine) {
        this.features.set(name, { kind: "categorical", counts: new Map(f.counts) });
      } else if (mine.kind === "categorical") {
        for (const [k, c] of f.counts) mine.counts.set(k, (mine.counts.get(k) ?? 0) + c);
      }
    }
    if (other.firstTs !== null) this.seen(other.firstTs);
    if (other.lastTs !== null) this.seen(other.lastTs);
    return this;
  }

  clone(): CohortSummary {
    return new CohortSummary(this.layout).merge(this);
  }

  toJSON(): CohortSummaryJSON {
    const features: CohortSummaryJSON["features"] = dictionary();
    for (const [name, f] of this.features) {
      features[name] =
        f.kind === "numeric"
          ? { kind: "numeric", sketch: f.sketch.toJSON() }
          : { kind: "categorical", counts: Object.fromEntries(f.counts) };
    }
    return {
      layout: this.layout,
      events: this.events,
      errors: this.errors,
      invalid: this.invalid,
      latency: this.latency.toJSON(),
      scores: this.scores.toJSON(),
      scoresPositive: this.scoresPositive.toJSON(),
      scoresNegative: this.scoresNegative.toJSON(),
      groups: groupMapToJSON(this.groups),
      features,
      firstTs: this.firstTs,
      lastTs: this.lastTs,
    };
  }

  static fromJSON(j: CohortSummaryJSON): CohortSummary {
    const s = new CohortSummary(j.layout);
    s.events = j.events;
    s.errors = j.errors;
    s.invalid = j.invalid;
    s.latency.merge(LatencySketch.fromJSON(j.latency));
    s.scores.merge(ScoreHistogram.fromJSON(j.scores));
    s.scoresPositive.merge(ScoreHistogram.fromJSON(j.scoresPositive));
    s.scoresNegative.merge(ScoreHistogram.fromJSON(j.scoresNegative));
    mergeGroupMap(s.groups, j.groups, emptyGroupCounts, addGroupCounts);
    for (const [name, f] of Object.entries(j.features)) {
      s.features.set(
        name,
        f.kind === "numeric"
          ? { kind: "numeric", sketch: LatencySketch.fromJSON(f.sketch) }
          : { kind: "categorical", counts: new Map(Object.entries(f.counts)) },
      );
    }
    s.firstTs = j.firstTs;
    s.lastTs = j.lastTs;
    return s;
  }
}
