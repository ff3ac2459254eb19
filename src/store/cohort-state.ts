import type { Outcome, PredictionEvent } from "../ingest/event.js";
import { type PairingIndex, type PairingOptions, pairingFor } from "../shadow/pairing-index.js";
import { CohortSummary, DEFAULT_LAYOUT, type SummaryLayout } from "../sketch/cohort-summary.js";
import { addLabel } from "../sketch/group-counts.js";
import { LatencySketch } from "../sketch/latency-sketch.js";
import { type JoinEntry, JoinIndex, joinKey } from "./join-index.js";
import { KeyRegistry, type StoreLimits } from "./key-registry.js";

/** Lifetime counts of one version (what GET /v1/models reports). */
export interface VersionCounts {
  events: number;
  scored: number;
  labelled: number;
  errors: number;
  invalid: number;
  /** outcomes that arrived after their prediction's join TTL */
  expiredOutcomes: number;
  firstTs: number | null;
  lastTs: number | null;
}

export interface ModelCounts {
  /** outcomes whose id matched no stored prediction (never seen, evicted or long expired) */
  unknownOutcomes: number;
  expiredOutcomes: number;
}

export interface StateOptions {
  bucketMs: number;
  retentionMs: number;
  /** score ≥ threshold is a positive decision when an event carries none */
  threshold: number;
  layout: SummaryLayout;
  joinTtlMs: number;
  joinMaxEntries: number;
  limits: StoreLimits;
  /** pairing of versions' answers to the same request id (shadow mode); false = off */
  pairing?: Partial<PairingOptions> | false;
}

export interface VersionState {
  buckets: Map<number, CohortSummary>;
  counts: VersionCounts;
  /** the bucket this version's previous event went to (see CohortState.target) */
  hot?: { epoch: number; start: number; s: CohortSummary };
}

export interface ModelState {
  versions: Map<string, VersionState>;
  counts: ModelCounts;
}

export type OutcomeStatus = "joined" | "unknown" | "expired" | "self";

const bucketKey = (model: string, version: string, start: number) => `${model}\u0000${version}\u0000${start}`;

/**
 * The embedded store's in-memory state: per (model, version), time buckets of CohortSummary,
 * lifetime counts, the key registry and the outcome join index. Every mutation is a
 * deterministic function of (state, record, arrival time), which is what lets the durable
 * layer rebuild it exactly by replaying its log over the last snapshot.
 * Memory: buckets × bins per version, plus the bounded join index.
 */
export class CohortState {
  readonly models = new Map<string, ModelState>();
  registry: KeyRegistry;
  joins: JoinIndex;
  /** shadow pairing (src/shadow): fed every event and outcome, persisted with the snapshot */
  pairing: PairingIndex | undefined;
  /** buckets changed / deleted since the last snapshot */
  dirty = new Set<string>();
  deleted = new Set<string>();
  // The bucket the previous event went to: consecutive events of one (model, version, bucket)
  // skip the Map lookups and the key string (built and hashed per event otherwise). Valid while
  // `epoch` is unchanged; markClean/prune/forgetModel bump it, since they change `dirty` or drop
  // buckets.
  private epoch = 0;
  private last:
    | { epoch: number; model: string; version: string; start: number; v: VersionState; s: CohortSummary }
    | undefined;

  constructor(readonly opts: StateOptions) {
    this.registry = new KeyRegistry(opts.limits);
    this.joins = new JoinIndex(opts.joinTtlMs, opts.joinMaxEntries);
    this.pairing = opts.pairing === false ? undefined : pairingFor(opts, opts.pairing);
  }

  bucketStart(ts: number): number {
    return Math.floor(ts / this.opts.bucketMs) * this.opts.bucketMs;
  }

  model(model: string): ModelState {
    let m = this.models.get(model);
    if (!m) {
      m = { versions: new Map(), counts: { unknownOutcomes: 0, expiredOutcomes: 0 } };
      this.models.set(model, m);
    }
    return m;
  }

  version(model: string, version: string): VersionState {
    const m = this.model(model);
    let v = m.versions.get(version);
    if (!v) {
      v = {
        buckets: new Map(),
        counts: {
          events: 0,
          scored: 0,
          labelled: 0,
          errors: 0,
          invalid: 0,
          expiredOutcomes: 0,
          firstTs: null,
          lastTs: null,
        },
      };
      m.versions.set(version, v);
    }
    return v;
  }

  private bucket(model: string, version: string, v: VersionState, start: number): CohortSummary {
    let s = v.buckets.get(start);
    if (!s) {
      s = new CohortSummary(this.opts.layout);
      v.buckets.set(start, s);
    }
    const key = bucketKey(model, version, start);
    this.dirty.add(key);
    this.deleted.delete(key);
    return s;
  }

  /** The snapshot wrote every dirty bucket: forget them (and the cached last bucket). */
  markClean(): void {
    this.dirty.clear();
    this.deleted.clear();
    this.epoch++;
  }

  /** Every bucket held is written by the next snapshot (which empties the table first). */
  markAllDirty(): void {
    this.deleted.clear();
    for (const [model, m] of this.models)
      for (const [version, v] of m.versions)
        for (const start of v.buckets.keys()) this.dirty.add(bucketKey(model, version, start));
    this.epoch++;
  }

  /** Drop a model's buckets and counts (erasure); its buckets are marked deleted for the snapshot. */
  forgetModel(model: string): void {
    const m = this.models.get(model);
    for (const [version, v] of m?.versions ?? []) {
      for (const start of v.buckets.keys()) {
        const key = bucketKey(model, version, start);
        this.dirty.delete(key);
        this.deleted.add(key);
      }
    }
    this.models.delete(model);
    this.pairing?.forgetModel(model);
    this.epoch++;
  }

  /** Version state and bucket of an event, through the one-entry cache. */
  private target(model: string, version: string, start: number): { v: VersionState; s: CohortSummary } {
    const c = this.last;
    if (
      c !== undefined &&
      c.epoch === this.epoch &&
      c.start === start &&
      c.model === model &&
      c.version === version &&
      c.v.buckets.get(start) === c.s
    ) {
      return c;
    }
    // traffic of several versions interleaves: each version also keeps its own last bucket
    const v = this.version(model, version);
    const h = v.hot;
    let s: CohortSummary;
    if (h !== undefined && h.epoch === this.epoch && h.start === start && v.buckets.get(start) === h.s)
      s = h.s;
    else {
      s = this.bucket(model, version, v, start);
      v.hot = { epoch: this.epoch, start, s };
    }
    this.last = { epoch: this.epoch, model, version, start, v, s };
    return this.last;
  }

  validScore(score: number): boolean {
    return score >= this.opts.layout.scoreLo && score <= this.opts.layout.scoreHi;
  }

  /** `register` false when the keys were already admitted (ingestion); replay registers them. */
  applyEvent(e: PredictionEvent, now: number, register = true): void {
    if (register) this.registry.register(e);
    const start = this.bucketStart(e.ts);
    const { v, s } = this.target(e.model, e.version, start);
    const c = v.counts;
    s.events++;
    c.events++;
    s.seen(e.ts);
    if (c.firstTs === null || e.ts < c.firstTs) c.firstTs = e.ts;
    if (c.lastTs === null || e.ts > c.lastTs) c.lastTs = e.ts;
    if (e.error) {
      s.errors++;
      c.errors++;
    }
    if (e.latencyMs !== undefined) s.latency.add(e.latencyMs);
    if (e.invalid) {
      s.invalid++;
      c.invalid++;
    }
    let decision = e.decision;
    let score: number | undefined;
    if (e.score !== undefined) {
      if (this.validScore(e.score)) {
        score = e.score;
        s.scores.add(score);
        c.scored++;
        decision ??= score >= this.opts.threshold ? 1 : 0;
        if (e.label !== undefined) (e.label === 1 ? s.scoresPositive : s.scoresNegative).add(score);
      } else {
        // an out-of-range score is a broken prediction: counted, never binned (clamping would hide it)
        s.invalid++;
        c.invalid++;
      }
    }
    if (e.label !== undefined && (score !== undefined || decision !== undefined)) c.labelled++;
    if (decision !== undefined && e.groups) {
      const groups = e.groups;
      for (const attr in groups) {
        const g = s.group(attr, groups[attr]);
        g.n++;
        g.selected += decision;
        if (e.label !== undefined) addLabel(g, e.label, decision);
      }
    }
    if (e.features) {
      const features = e.features;
      for (const name in features) {
        const x = features[name];
        const f = s.features.get(name);
        if (typeof x === "number") {
          if (!f) {
            const sketch = new LatencySketch(this.opts.layout.sketchAlpha);
            sketch.add(x);
            s.features.set(name, { kind: "numeric", sketch });
          } else if (f.kind === "numeric") f.sketch.add(x);
        } else if (!f) s.features.set(name, { kind: "categorical", counts: new Map([[x, 1]]) });
        else if (f.kind === "categorical") f.counts.set(x, (f.counts.get(x) ?? 0) + 1);
      }
    }
    if (e.id !== undefined && e.label === undefined && (score !== undefined || decision !== undefined)) {
      // built field by field (no spread temporaries): one entry per unlabelled prediction
      const entry: JoinEntry = { version: e.version, bucket: start, expires: now + this.opts.joinTtlMs };
      if (score !== undefined) entry.score = score;
      if (decision !== undefined) entry.decision = decision;
      if (e.groups) entry.groups = e.groups;
      // keyed by version too: in a shadow step both versions answer the same request id, and the
      // delayed label belongs to both answers
      this.joins.add(joinKey(e.model, e.id, e.version), entry);
    }
    this.pairing?.observe(e, now);
  }

  /** Add a label to the bucket its prediction was counted in (or, self-contained, to the outcome's own). */
  applyOutcome(o: Outcome, now: number): OutcomeStatus {
    this.pairing?.observeOutcome(o, now);
    const m = this.model(o.model);
    if (o.id !== undefined) {
      // every version that answered this request id gets the label (one per version: canary
      // traffic has one, a shadow step two); versions are few (bounded by maxVersionsPerModel)
      let joined = 0;
      let expired = 0;
      for (const version of [...m.versions.keys()]) {
        const r = this.joins.take(joinKey(o.model, o.id, version), now);
        if (r.status === "unknown") continue;
        const v = m.versions.get(r.entry.version);
        if (r.status === "expired" || !v?.buckets.has(r.entry.bucket)) {
          // past its TTL, or its bucket fell out of retention
          expired++;
          if (v) v.counts.expiredOutcomes++;
          continue;
        }
        this.label(o, r.entry.version, r.entry.bucket, r.entry.score, r.entry.decision, r.entry.groups);
        joined++;
      }
      if (joined > 0) return "joined";
      if (expired > 0) {
        m.counts.expiredOutcomes++;
        return "expired";
      }
    }
    // self-contained: an outcome carrying version and score counts even without its prediction
    if (o.version === undefined || o.score === undefined) {
      m.counts.unknownOutcomes++;
      return "unknown";
    }
    this.registry.register({ model: o.model, version: o.version, groups: o.groups });
    this.label(o, o.version, this.bucketStart(o.ts), o.score, undefined, o.groups);
    return "self";
  }

  /** Count one labelled outcome of `version` in the bucket starting at `start`. */
  private label(
    o: Outcome,
    version: string,
    start: number,
    rawScore: number | undefined,
    predicted: 0 | 1 | undefined,
    groups: Record<string, string> | undefined,
  ): void {
    const score = rawScore !== undefined && this.validScore(rawScore) ? rawScore : undefined;
    const decision =
      o.decision ?? predicted ?? (score !== undefined ? (score >= this.opts.threshold ? 1 : 0) : undefined);
    const v = this.version(o.model, version);
    const s = this.bucket(o.model, version, v, start);
    if (score !== undefined) (o.label === 1 ? s.scoresPositive : s.scoresNegative).add(score);
    if (decision !== undefined && groups) {
      for (const [attr, value] of Object.entries(groups)) addLabel(s.group(attr, value), o.label, decision);
    }
    if (score !== undefined || decision !== undefined) v.counts.labelled++;
  }

  /** Drop buckets older than the retention, versions left empty, and long-expired join entries. */
  prune(now: number): void {
    this.epoch++;
    const cutoff = now - this.opts.retentionMs;
    for (const [model, m] of this.models) {
      for (const [version, v] of m.versions) {
        for (const start of v.buckets.keys()) {
          if (start + this.opts.bucketMs <= cutoff) {
            v.buckets.delete(start);
            const key = bucketKey(model, version, start);
            this.dirty.delete(key);
            this.deleted.add(key);
          }
        }
        if (v.buckets.size === 0 && (v.counts.lastTs ?? 0) < cutoff) {
          m.versions.delete(version);
          this.registry.dropVersion(model, version);
        }
      }
      if (m.versions.size === 0) this.models.delete(model);
    }
    this.joins.sweep(now);
    this.pairing?.prune(now);
  }

  /** Merge of the version's buckets overlapping [from, to); undefined if the version is unknown. */
  window(model: string, version: string, from: number | undefined, to: number): CohortSummary | undefined {
    const v = this.models.get(model)?.versions.get(version);
    if (!v) return undefined;
    const out = new CohortSummary(this.opts.layout);
    for (const [start, s] of v.buckets) {
      if (start < to && (from === undefined || start + this.opts.bucketMs > from)) out.merge(s);
    }
    return out;
  }

  static splitBucketKey(key: string): [string, string, number] {
    const [model, version, start] = key.split("\u0000");
    return [model, version, Number(start)];
  }
}

export { bucketKey, DEFAULT_LAYOUT };
