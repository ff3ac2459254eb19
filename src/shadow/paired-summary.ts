import { dictionary } from "../safe-keys.js";
import {
  type GroupMap,
  type GroupMapJSON,
  groupEntry,
  groupMapToJSON,
  mergeGroupMap,
} from "../sketch/group-map.js";
import { LatencySketch, type LatencySketchJSON } from "../sketch/latency-sketch.js";
import { ScoreHistogram, type ScoreHistogramJSON } from "../sketch/score-histogram.js";
import { JointHistogram, type JointHistogramJSON } from "./joint-histogram.js";

/** Grid and ranges shared by every paired summary of a model, so that they merge. */
export interface PairedLayout {
  scoreLo: number;
  scoreHi: number;
  /** side of the (baseline bin × candidate bin) grid that paired DeLong reads */
  grid: number;
  /** bins of the paired score-difference histogram over [−(hi − lo), hi − lo] */
  diffBins: number;
  sketchAlpha: number;
}

export const DEFAULT_PAIRED_LAYOUT: PairedLayout = {
  scoreLo: 0,
  scoreHi: 1,
  grid: 100,
  diffBins: 200,
  sketchAlpha: 0.01,
};

/** Decision flips of one group (one value of one attribute) over its paired requests with both decisions. */
export interface GroupFlips {
  n: number;
  /** baseline said 0, candidate said 1 */
  flipsUp: number;
  /** baseline said 1, candidate said 0 */
  flipsDown: number;
  baselineSelected: number;
}

/** What one side of a pair contributed (scores already validated against the layout). */
export interface PairSide {
  score?: number;
  decision?: 0 | 1;
  latencyMs?: number;
  error?: boolean;
}

export interface PairedSummaryJSON {
  layout: PairedLayout;
  pairs: number;
  decided: number;
  flipsUp: number;
  flipsDown: number;
  groups: GroupMapJSON<GroupFlips>;
  scored: number;
  diffSum: number;
  diffSumSquares: number;
  diffAbsSum: number;
  scoreDiff: ScoreHistogramJSON;
  latencyDiff: LatencySketchJSON;
  baselineLatency: LatencySketchJSON;
  candidateLatency: LatencySketchJSON;
  errorsOnlyBaseline: number;
  errorsOnlyCandidate: number;
  errorsBoth: number;
  labelled: number;
  bothCorrect: number;
  onlyBaselineCorrect: number;
  onlyCandidateCorrect: number;
  neitherCorrect: number;
  joint: JointHistogramJSON;
  firstTs: number | null;
  lastTs: number | null;
}

const emptyGroupFlips = (): GroupFlips => ({ n: 0, flipsUp: 0, flipsDown: 0, baselineSelected: 0 });

function addGroupFlips(into: GroupFlips, from: GroupFlips): void {
  into.n += from.n;
  into.flipsUp += from.flipsUp;
  into.flipsDown += from.flipsDown;
  into.baselineSelected += from.baselineSelected;
}

const flipGroup = (g: GroupFlips): GroupFlips => ({
  n: g.n,
  flipsUp: g.flipsDown,
  flipsDown: g.flipsUp,
  baselineSelected: g.baselineSelected + g.flipsUp - g.flipsDown,
});

/**
 * Paired comparison of two versions of a model over the requests both answered (a shadow/mirror step):
 * bounded in size whatever the traffic and mergeable, like CohortSummary.
 *
 * - decisions: agreement and flips overall and per group (flipsUp = 0→1, flipsDown = 1→0);
 * - scores: histogram and moments of the per-request difference candidate − baseline;
 * - latency: sketch of the per-request difference (ms, any sign) and of each side's latency;
 * - errors: per-request error concordance;
 * - labels (inline or delayed): correctness concordance (McNemar's b = onlyBaselineCorrect,
 *   c = onlyCandidateCorrect) and the label-split joint score histogram paired DeLong reads.
 * Memory: O(groups + diffBins + sketch buckets + cells of the joint grid ≤ 2·grid²).
 */
export class PairedSummary {
  pairs = 0;
  decided = 0;
  flipsUp = 0;
  flipsDown = 0;
  readonly groups: GroupMap<GroupFlips> = new Map();
  scored = 0;
  diffSum = 0;
  diffSumSquares = 0;
  diffAbsSum = 0;
  readonly scoreDiff: ScoreHistogram;
  readonly latencyDiff: LatencySketch;
  readonly baselineLatency: LatencySketch;
  readonly candidateLatency: LatencySketch;
  errorsOnlyBaseline = 0;
  errorsOnlyCandidate = 0;
  errorsBoth = 0;
  labelled = 0;
  bothCorrect = 0;
  onlyBaselineCorrect = 0;
  onlyCandidateCorrect = 0;
  neitherCorrect = 0;
  readonly joint: JointHistogram;
  firstTs: number | null = null;
  lastTs: number | null = null;

  constructor(readonly layout: PairedLayout = DEFAULT_PAIRED_LAYOUT) {
    const width = layout.scoreHi - layout.scoreLo;
    this.scoreDiff = new ScoreHistogram(layout.diffBins, -width, width);
    this.latencyDiff = new LatencySketch(layout.sketchAlpha);
    this.baselineLatency = new LatencySketch(layout.sketchAlpha);
    this.candidateLatency = new LatencySketch(layout.sketchAlpha);
    this.joint = new JointHistogram(layout.grid, layout.scoreLo, layout.scoreHi);
  }

  get agreed(): number {
    return this.decided - this.flipsUp - this.flipsDown;
  }

  group(attribute: string, value: string): GroupFlips {
    return groupEntry(this.groups, attribute, value, emptyGroupFlips);
  }

  /** Fold one pair's predictions (labels come apart, through addLabel). */
  addPair(baseline: PairSide, candidate: PairSide, ts: number, groups?: Record<string, string>): void {
    this.pairs++;
    if (this.firstTs === null || ts < this.firstTs) this.firstTs = ts;
    if (this.lastTs === null || ts > this.lastTs) this.lastTs = ts;
    const db = baseline.decision;
    const dc = candidate.decision;
    if (db !== undefined && dc !== undefined) {
      this.decided++;
      const up = db === 0 && dc === 1 ? 1 : 0;
      const down = db === 1 && dc === 0 ? 1 : 0;
      this.flipsUp += up;
      this.flipsDown += down;
      for (const [attribute, value] of Object.entries(groups ?? {})) {
        const g = this.group(attribute, value);
        g.n++;
        g.flipsUp += up;
        g.flipsDown += down;
        g.baselineSelected += db;
      }
    }
    if (baseline.score !== undefined && candidate.score !== undefined) {
      const d = candidate.score - baseline.score;
      this.scored++;
      this.diffSum += d;
      this.diffSumSquares += d * d;
      this.diffAbsSum += Math.abs(d);
      this.scoreDiff.add(d);
    }
    if (baseline.latencyMs !== undefined && candidate.latencyMs !== undefined) {
      this.latencyDiff.add(candidate.latencyMs - baseline.latencyMs);
      this.baselineLatency.add(baseline.latencyMs);
      this.candidateLatency.add(candidate.latencyMs);
    }
    if (baseline.error || candidate.error) {
      if (baseline.error && candidate.error) this.errorsBoth++;
      else if (baseline.error) this.errorsOnlyBaseline++;
      else this.errorsOnlyCandidate++;
    }
  }

  /** Fold the label of a pair already counted by addPair. */
  addLabel(baseline: PairSide, candidate: PairSide, label: 0 | 1): void {
    const db = baseline.decision;
    const dc = candidate.decision;
    if (db !== undefined && dc !== undefined) {
      this.labelled++;
      const okB = db === label;
      const okC = dc === label;
      if (okB && okC) this.bothCorrect++;
      else if (okB) this.onlyBaselineCorrect++;
      else if (okC) this.onlyCandidateCorrect++;
      else this.neitherCorrect++;
    }
    if (baseline.score !== undefined && candidate.score !== undefined)
      this.joint.add(baseline.score, candidate.score, label);
  }

  merge(other: PairedSummary): this {
    this.pairs += other.pairs;
    this.decided += other.decided;
    this.flipsUp += other.flipsUp;
    this.flipsDown += other.flipsDown;
    mergeGroupMap(this.groups, other.groups, emptyGroupFlips, addGroupFlips);
    this.scored += other.scored;
    this.diffSum += other.diffSum;
    this.diffSumSquares += other.diffSumSquares;
    this.diffAbsSum += other.diffAbsSum;
    this.scoreDiff.merge(other.scoreDiff);
    this.latencyDiff.merge(other.latencyDiff);
    this.baselineLatency.merge(other.baselineLatency);
    this.candidateLatency.merge(other.candidateLatency);
    this.errorsOnlyBaseline += other.errorsOnlyBaseline;
    this.errorsOnlyCandidate += other.errorsOnlyCandidate;
    this.errorsBoth += other.errorsBoth;
    this.labelled += other.labelled;
    this.bothCorrect += other.bothCorrect;
    this.onlyBaselineCorrect += other.onlyBaselineCorrect;
    this.onlyCandidateCorrect += other.onlyCandidateCorrect;
    this.neitherCorrect += other.neitherCorrect;
    this.joint.merge(other.joint);
    if (other.firstTs !== null && (this.firstTs === null || other.firstTs < this.firstTs))
      this.firstTs = other.firstTs;
    if (other.lastTs !== null && (this.lastTs === null || other.lastTs > this.lastTs))
      this.lastTs = other.lastTs;
    return this;
  }

  clone(): PairedSummary {
    return new PairedSummary(this.layout).merge(this);
  }

  /** The same pairs seen with baseline and candidate exchanged (storage keeps one orientation). */
  swapped(): PairedSummary {
    const j = this.toJSON();
    const negated = (s: LatencySketchJSON): LatencySketchJSON => ({
      ...s,
      pos: s.neg,
      neg: s.pos,
      min: s.max === null ? null : -s.max,
      max: s.min === null ? null : -s.min,
      sum: -s.sum,
    });
    const groups: PairedSummaryJSON["groups"] = dictionary();
    for (const [attribute, byValue] of Object.entries(j.groups)) {
      groups[attribute] = Object.fromEntries(Object.entries(byValue).map(([v, g]) => [v, flipGroup(g)]));
    }
    // The difference histogram is symmetric about 0, so mirroring its bins negates every difference.
    const s = PairedSummary.fromJSON({
      ...j,
      flipsUp: j.flipsDown,
      flipsDown: j.flipsUp,
      groups,
      diffSum: -j.diffSum,
      scoreDiff: { ...j.scoreDiff, counts: [...j.scoreDiff.counts].reverse() },
      latencyDiff: negated(j.latencyDiff),
      baselineLatency: j.candidateLatency,
      candidateLatency: j.baselineLatency,
      errorsOnlyBaseline: j.errorsOnlyCandidate,
      errorsOnlyCandidate: j.errorsOnlyBaseline,
      onlyBaselineCorrect: j.onlyCandidateCorrect,
      onlyCandidateCorrect: j.onlyBaselineCorrect,
      joint: this.joint.transposed().toJSON(),
    });
    return s;
  }

  toJSON(): PairedSummaryJSON {
    return {
      layout: this.layout,
      pairs: this.pairs,
      decided: this.decided,
      flipsUp: this.flipsUp,
      flipsDown: this.flipsDown,
      groups: groupMapToJSON(this.groups),
      scored: this.scored,
      diffSum: this.diffSum,
      diffSumSquares: this.diffSumSquares,
      diffAbsSum: this.diffAbsSum,
      scoreDiff: this.scoreDiff.toJSON(),
      latencyDiff: this.latencyDiff.toJSON(),
      baselineLatency: this.baselineLatency.toJSON(),
      candidateLatency: this.candidateLatency.toJSON(),
      errorsOnlyBaseline: this.errorsOnlyBaseline,
      errorsOnlyCandidate: this.errorsOnlyCandidate,
      errorsBoth: this.errorsBoth,
      labelled: this.labelled,
      bothCorrect: this.bothCorrect,
      onlyBaselineCorrect: this.onlyBaselineCorrect,
      onlyCandidateCorrect: this.onlyCandidateCorrect,
      neitherCorrect: this.neitherCorrect,
      joint: this.joint.toJSON(),
      firstTs: this.firstTs,
      lastTs: this.lastTs,
    };
  }

  static fromJSON(j: PairedSummaryJSON): PairedSummary {
    const s = new PairedSummary(j.layout);
    s.pairs = j.pairs;
    s.decided = j.decided;
    s.flipsUp = j.flipsUp;
    s.flipsDown = j.flipsDown;
    mergeGroupMap(s.groups, j.groups, emptyGroupFlips, addGroupFlips);
    s.scored = j.scored;
    s.diffSum = j.diffSum;
    s.diffSumSquares = j.diffSumSquares;
    s.diffAbsSum = j.diffAbsSum;
    s.scoreDiff.merge(ScoreHistogram.fromJSON(j.scoreDiff));
    s.latencyDiff.merge(LatencySketch.fromJSON(j.latencyDiff));
    s.baselineLatency.merge(LatencySketch.fromJSON(j.baselineLatency));
    s.candidateLatency.merge(LatencySketch.fromJSON(j.candidateLatency));
    s.errorsOnlyBaseline = j.errorsOnlyBaseline;
    s.errorsOnlyCandidate = j.errorsOnlyCandidate;
    s.errorsBoth = j.errorsBoth;
    s.labelled = j.labelled;
    s.bothCorrect = j.bothCorrect;
    s.onlyBaselineCorrect = j.onlyBaselineCorrect;
    s.onlyCandidateCorrect = j.onlyCandidateCorrect;
    s.neitherCorrect = j.neitherCorrect;
    s.joint.merge(JointHistogram.fromJSON(j.joint));
    s.firstTs = j.firstTs;
    s.lastTs = j.lastTs;
    return s;
  }
}
