import type { Outcome, PredictionEvent } from "../ingest/event.js";
import { BoundedQueueMap, type QueuedEntry } from "./bounded-queue-map.js";
import {
  DEFAULT_PAIRED_LAYOUT,
  type PairedLayout,
  PairedSummary,
  type PairedSummaryJSON,
} from "./paired-summary.js";
import {
  type AwaitingPair,
  type AwaitingTuple,
  awaitingFromTuple,
  awaitingTuple,
  type PendingAnswer,
  type PendingTuple,
  pendingFromTuple,
  pendingTuple,
  sideOf,
} from "./pairing-entries.js";

export interface PairingOptions {
  /** pairing window: how long the first answer of a request waits for the other version's (ms) */
  ttlMs: number;
  /** most answers waiting for their pair; beyond it the oldest is dropped (counted unpaired) */
  maxPending: number;
  /** how long a pair without a label waits for its delayed outcome (ms) */
  labelTtlMs: number;
  maxAwaitingLabel: number;
  bucketMs: number;
  retentionMs: number;
  /** score ≥ threshold is a positive decision when an event carries none */
  threshold: number;
  layout: PairedLayout;
}

export const DEFAULT_PAIRING: Omit<PairingOptions, "bucketMs" | "retentionMs" | "threshold" | "labelTtlMs"> =
  {
    ttlMs: 5 * 60_000,
    maxPending: 50_000,
    maxAwaitingLabel: 50_000,
    layout: DEFAULT_PAIRED_LAYOUT,
  };

/** Paired summary of a window, oriented as asked, with what could not be paired. */
export interface PairedWindow {
  summary: PairedSummary;
  /** answers of each version that expired or were evicted without a partner, in the window */
  unpaired: { baseline: number; candidate: number };
  /** answers still waiting for a partner now */
  pending: { baseline: number; candidate: number };
}

export interface PairingIndexJSON {
  format: 1;
  buckets: Array<[string, number, PairedSummaryJSON]>;
  unpaired: Array<[string, number, number]>;
  /** [key, expires, version, ts, score, decision, latencyMs, error, label, groups] (null = absent) */
  pending: PendingTuple[];
  /** [key, expires, baselineVersion, candidateVersion, bucket, baseline score, candidate score, baseline decision, candidate decision] */
  awaiting: AwaitingTuple[];
  duplicates: number;
  expiredLabels: number;
}

const sep = "\u0000";
const pairKey = (model: string, first: string, second: string) => `${model}${sep}${first}${sep}${second}`;
const versionKey = (model: string, version: string) => `${model}${sep}${version}`;
const splitKey = (key: string): [string, string] => {
  const i = key.indexOf(sep);
  return [key.slice(0, i), key.slice(i + 1)];
};

/**
 * What the index counts of one (model, version): answers waiting now and the unpaired count per
 * bucket (the very Map held in `unpaired` under `key`). A waiting answer points to its tally, so
 * counting it in and out takes no key string and no lookup.
 */
interface VersionTally {
  key: string;
  pending: number;
  unpaired: Map<number, number> | undefined;
}

/** A waiting answer with the tally of its version (not persisted: rebuilt on load). */
interface Waiting extends PendingAnswer {
  tally: VersionTally;
}

/**
 * Pairs the answers of two versions of a model to the same request (same model and id: a shadow
 * mirror sends each request to both) and folds each pair into time-bucketed PairedSummary, kept in
 * one orientation (lexicographically first version as "baseline") and flipped on read. A pair is
 * filed in the bucket of its later answer's timestamp; an unpaired answer in its own.
 *
 * Bounded twice over: an answer waits at most `ttlMs` and at most `maxPending` answers wait (oldest
 * dropped first); both cases are counted as unpaired in the answer's version and time bucket. A pair
 * without a label waits `labelTtlMs` (at most `maxAwaitingLabel`) for its delayed outcome. The first
 * two versions answering an id pair up; a repeated (model, id, version) is a duplicate and ignored.
 * Every mutation is a function of (state, record, arrival time), so replaying the store's log over a
 * snapshot rebuilds it exactly. Memory: O(maxPending + maxAwaitingLabel + buckets × summary size).
 */
export class PairingIndex {
  readonly buckets = new Map<string, Map<number, PairedSummary>>();
  readonly unpaired = new Map<string, Map<number, number>>();
  /** model → version → tally; a tally lives while it counts something (prune drops the empty ones) */
  private readonly tallies = new Map<string, Map<string, VersionTally>>();
  // the previous event's model and its tallies (consecutive events are mostly of one model)
  private lastModel: string | undefined;
  private lastTallies: Map<string, VersionTally> | undefined;
  /** waiting answers by model, then id */
  pending: BoundedQueueMap<Waiting>;
  awaiting: BoundedQueueMap<AwaitingPair>;
  duplicates = 0;
  expiredLabels = 0;

  constructor(readonly opts: PairingOptions) {
    this.pending = new BoundedQueueMap(opts.ttlMs, opts.maxPending);
    this.awaiting = new BoundedQueueMap(opts.labelTtlMs, opts.maxAwaitingLabel);
  }

  private bucketStart(ts: number): number {
    return Math.floor(ts / this.opts.bucketMs) * this.opts.bucketMs;
  }

  /** The waiting answer of an event: one object, all fields set (one hidden class). */
  private answer(e: PredictionEvent, tally: VersionTally): Waiting {
    const { scoreLo, scoreHi } = this.opts.layout;
    const score = e.score !== undefined && e.score >= scoreLo && e.score <= scoreHi ? e.score : undefined;
    const decision = e.decision ?? (score !== undefined ? (score >= this.opts.threshold ? 1 : 0) : undefined);
    return {
      version: e.version,
      ts: e.ts,
      score,
      decision,
      latencyMs: e.latencyMs,
      error: e.error ? true : undefined,
      label: e.label,
      groups: e.groups,
      tally,
    };
  }

  private tally(model: string, version: string, create: boolean): VersionTally | undefined {
    let byVersion: Map<string, VersionTally> | undefined;
    if (model === this.lastModel) byVersion = this.lastTallies;
    else {
      byVersion = this.tallies.get(model);
      if (!byVersion) {
        if (!create) return undefined;
        byVersion = new Map();
        this.tallies.set(model, byVersion);
      }
      this.lastModel = model;
      this.lastTallies = byVersion;
    }
    let t = byVersion?.get(version);
    if (!t && create) {
      const key = versionKey(model, version);
      t = { key, pending: 0, unpaired: this.unpaired.get(key) };
      byVersion?.set(version, t);
    }
    return t;
  }

  private dropUnpaired(a: Waiting): void {
    const t = a.tally;
    t.pending--;
    let byBucket = t.unpaired;
    if (!byBucket) {
      byBucket = new Map();
      t.unpaired = byBucket;
      this.unpaired.set(t.key, byBucket);
    }
    const start = this.bucketStart(a.ts);
    byBucket.set(start, (byBucket.get(start) ?? 0) + 1);
  }

  /** Expire waiting answers and pairs whose time is up. */
  sweep(now: number): void {
    for (let a = this.pending.shiftExpired(now); a !== undefined; a = this.pending.shiftExpired(now))
      this.dropUnpaired(a);
    while (this.awaiting.shiftExpired(now) !== undefined);
  }

  /** An event as the store applies it. Events without an id cannot pair and are ignored. */
  observe(e: PredictionEvent, now: number): void {
    const id = e.id;
    if (id === undefined) return;
    this.sweep(now);
    const model = e.model;
    const waiting = this.pending.get(model, id);
    if (waiting !== undefined && waiting.version === e.version) {
      this.duplicates++;
      return;
    }
    const tally = this.tally(model, e.version, true) as VersionTally;
    const answer = this.answer(e, tally);
    if (waiting === undefined) {
      tally.pending++;
      this.pending.add(model, id, answer, now);
      for (let a = this.pending.shiftOver(); a !== undefined; a = this.pending.shiftOver())
        this.dropUnpaired(a);
      return;
    }
    this.pending.delete(model, id);
    waiting.tally.pending--;
    this.fold(model, id, waiting, answer, now);
  }

  private summaryAt(model: string, baseline: string, candidate: string, start: number): PairedSummary {
    const k = pairKey(model, baseline, candidate);
    let byBucket = this.buckets.get(k);
    if (!byBucket) {
      byBucket = new Map();
      this.buckets.set(k, byBucket);
    }
    let s = byBucket.get(start);
    if (!s) {
      s = new PairedSummary(this.opts.layout);
      byBucket.set(start, s);
    }
    return s;
  }

  private fold(model: string, id: string, x: PendingAnswer, y: PendingAnswer, now: number): void {
    const first = x.version < y.version;
    const b = first ? x : y;
    const c = first ? y : x;
    // A pair is filed at its later answer: never before either version's own answer, so a window
    // that starts at the candidate's first event (the default) sees every pair of the candidate,
    // even when the stable answered in an earlier bucket (a mirror logs its copy after the original).
    const ts = Math.max(b.ts, c.ts);
    const bucket = this.bucketStart(ts);
    const s = this.summaryAt(model, b.version, c.version, bucket);
    const bs = sideOf(b);
    const cs = sideOf(c);
    s.addPair(bs, cs, ts, { ...c.groups, ...b.groups });
    const label = b.label ?? c.label;
    if (label !== undefined) s.addLabel(bs, cs, label);
    else if (bs.decision !== undefined || bs.score !== undefined) {
      const pair: AwaitingPair = {
        baselineVersion: b.version,
        candidateVersion: c.version,
        bucket,
        baseline: bs,
        candidate: cs,
      };
      this.awaiting.set(model, id, pair, now);
      while (this.awaiting.shiftOver() !== undefined);
    }
  }

  /** A delayed outcome: labels the pair of its (model, id) if that pair is still waiting. */
  observeOutcome(o: Outcome, now: number): "labelled" | "none" | "expired" {
    if (o.id === undefined) return "none";
    this.sweep(now);
    const pair = this.awaiting.delete(o.model, o.id);
    if (!pair) return "none";
    const s = this.buckets
      .get(pairKey(o.model, pair.baselineVersion, pair.candidateVersion))
      ?.get(pair.bucket);
    if (!s) {
      this.expiredLabels++;
      return "expired";
    }
    s.addLabel(pair.baseline, pair.candidate, o.label);
    return "labelled";
  }

  /**
   * Erase everything held about a model (DELETE /v1/models/{model}): its paired summaries, unpaired
   * counts, and waiting answers and pairs (which carry group values). O(index size).
   */
  forgetModel(model: string): void {
    const prefix = `${model}${sep}`;
    for (const k of [...this.buckets.keys()]) if (k.startsWith(prefix)) this.buckets.delete(k);
    for (const k of [...this.unpaired.keys()]) if (k.startsWith(prefix)) this.unpaired.delete(k);
    this.tallies.delete(model);
    this.lastModel = undefined;
    this.lastTallies = undefined;
    this.pending.deleteGroup(model);
    this.awaiting.deleteGroup(model);
  }

  /** Drop buckets past the retention and expire waiting entries. */
  prune(now: number): void {
    this.sweep(now);
    const cutoff = now - this.opts.retentionMs;
    const old = (start: number) => start + this.opts.bucketMs <= cutoff;
    for (const [k, byBucket] of this.buckets) {
      for (const start of byBucket.keys()) if (old(start)) byBucket.delete(start);
      if (byBucket.size === 0) this.buckets.delete(k);
    }
    for (const [k, byBucket] of this.unpaired) {
      for (const start of byBucket.keys()) if (old(start)) byBucket.delete(start);
      if (byBucket.size === 0) this.unpaired.delete(k);
    }
    // a tally goes with its last waiting answer and unpaired count (its Map is the one just dropped)
    for (const [model, byVersion] of this.tallies) {
      for (const [version, t] of byVersion)
        if (t.pending === 0 && (t.unpaired === undefined || t.unpaired.size === 0)) byVersion.delete(version);
        else if (t.unpaired !== undefined && t.unpaired.size === 0) t.unpaired = undefined;
      if (byVersion.size === 0) {
        this.tallies.delete(model);
        if (this.lastModel === model) this.lastModel = this.lastTallies = undefined;
      }
    }
  }

  /** Merge of the pair's buckets overlapping [from, to), oriented baseline → candidate; undefined if never paired. */
  window(
    model: string,
    baseline: string,
    candidate: string,
    from: number | undefined,
    to: number,
  ): PairedWindow | undefined {
    if (baseline === candidate) return undefined;
    const swap = baseline > candidate;
    const byBucket = this.buckets.get(
      swap ? pairKey(model, candidate, baseline) : pairKey(model, baseline, candidate),
    );
    const inWindow = (start: number) =>
      start < to && (from === undefined || start + this.opts.bucketMs > from);
    const unpairedOf = (version: string) => {
      let n = 0;
      for (const [start, c] of this.unpaired.get(versionKey(model, version)) ?? [])
        if (inWindow(start)) n += c;
      return n;
    };
    const unpaired = { baseline: unpairedOf(baseline), candidate: unpairedOf(candidate) };
    const pending = {
      baseline: this.tally(model, baseline, false)?.pending ?? 0,
      candidate: this.tally(model, candidate, false)?.pending ?? 0,
    };
    if (!byBucket && unpaired.baseline + unpaired.candidate + pending.baseline + pending.candidate === 0)
      return undefined;
    const merged = new PairedSummary(this.opts.layout);
    for (const [start, s] of byBucket ?? []) if (inWindow(start)) merged.merge(s);
    return { summary: swap ? merged.swapped() : merged, unpaired, pending };
  }

  toJSON(): PairingIndexJSON {
    const c = this.capture();
    return { ...c.json, pending: pendingTuples(c.pending), awaiting: awaitingTuples(c.awaiting) };
  }

  /**
   * The state for a snapshot in two parts: what changes in place (paired summaries, unpaired
   * counts) as JSON now, and the waiting answers and pairs by reference (they never change once
   * queued), to be turned into tuples later, a slice at a time, with `pendingTuples` and
   * `awaitingTuples`. `json` has empty `pending` and `awaiting`.
   */
  capture(): {
    json: PairingIndexJSON;
    pending: Array<QueuedEntry<PendingAnswer>>;
    awaiting: Array<QueuedEntry<AwaitingPair>>;
  } {
    const buckets: PairingIndexJSON["buckets"] = [];
    for (const [k, byBucket] of this.buckets)
      for (const [start, s] of byBucket) buckets.push([k, start, s.toJSON()]);
    const unpaired: PairingIndexJSON["unpaired"] = [];
    for (const [k, byBucket] of this.unpaired)
      for (const [start, n] of byBucket) unpaired.push([k, start, n]);
    return {
      json: {
        format: 1,
        buckets,
        unpaired,
        pending: [],
        awaiting: [],
        duplicates: this.duplicates,
        expiredLabels: this.expiredLabels,
      },
      pending: this.pending.capture(),
      awaiting: this.awaiting.capture(),
    };
  }

  /** Replace the state with a snapshot's (the store then replays its log over it). */
  load(j: PairingIndexJSON): void {
    this.buckets.clear();
    this.unpaired.clear();
    this.tallies.clear();
    this.lastModel = this.lastTallies = undefined;
    this.pending = new BoundedQueueMap(this.opts.ttlMs, this.opts.maxPending);
    this.awaiting = new BoundedQueueMap(this.opts.labelTtlMs, this.opts.maxAwaitingLabel);
    for (const [k, start, s] of j.buckets) {
      let byBucket = this.buckets.get(k);
      if (!byBucket) {
        byBucket = new Map();
        this.buckets.set(k, byBucket);
      }
      byBucket.set(start, PairedSummary.fromJSON(s));
    }
    for (const [k, start, n] of j.unpaired) {
      let byBucket = this.unpaired.get(k);
      if (!byBucket) {
        byBucket = new Map();
        this.unpaired.set(k, byBucket);
      }
      byBucket.set(start, n);
    }
    for (const t of j.pending) {
      const [model, id] = splitKey(t[0]);
      const a = pendingFromTuple(t);
      const tally = this.tally(model, a.version, true) as VersionTally;
      tally.pending++;
      this.pending.restore(model, id, { ...a, tally }, t[1]);
    }
    for (const t of j.awaiting) {
      const [model, id] = splitKey(t[0]);
      this.awaiting.restore(model, id, awaitingFromTuple(t), t[1]);
    }
    this.duplicates = j.duplicates;
    this.expiredLabels = j.expiredLabels;
  }
}

/** Pairing settings derived from the store's (buckets, retention, threshold, score range, join TTL). */
export function pairingFor(
  store: {
    bucketMs: number;
    retentionMs: number;
    threshold: number;
    joinTtlMs: number;
    layout: { scoreLo: number; scoreHi: number; sketchAlpha: number };
  },
  overrides: Partial<PairingOptions> = {},
): PairingIndex {
  return new PairingIndex({
    ...DEFAULT_PAIRING,
    labelTtlMs: store.joinTtlMs,
    bucketMs: store.bucketMs,
    retentionMs: store.retentionMs,
    threshold: store.threshold,
    ...overrides,
    layout: {
      ...DEFAULT_PAIRED_LAYOUT,
      scoreLo: store.layout.scoreLo,
      scoreHi: store.layout.scoreHi,
      sketchAlpha: store.layout.sketchAlpha,
      ...overrides.layout,
    },
  });
}

/** Waiting answers captured by PairingIndex.capture, as snapshot tuples. */
export function pendingTuples(entries: ReadonlyArray<QueuedEntry<PendingAnswer>>): PendingTuple[] {
  return entries.map((e) => pendingTuple(`${e.group}${sep}${e.key}`, e.value, e.expires));
}

/** Pairs waiting for their label captured by PairingIndex.capture, as snapshot tuples. */
export function awaitingTuples(entries: ReadonlyArray<QueuedEntry<AwaitingPair>>): AwaitingTuple[] {
  return entries.map((e) => awaitingTuple(`${e.group}${sep}${e.key}`, e.value, e.expires));
}
