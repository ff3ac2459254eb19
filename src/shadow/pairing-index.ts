import type { Outcome, PredictionEvent } from "../ingest/event.js";
import { BoundedQueueMap } from "./bounded-queue-map.js";
import {
  DEFAULT_PAIRED_LAYOUT,
  type PairedLayout,
  PairedSummary,
  type PairedSummaryJSON,
  type PairSide,
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

/**
 * Pairs the answers of two versions of a model to the same request (same model and id: a shadow
 * mirror sends each request to both) and folds each pair into time-bucketed PairedSummary, kept in
 * one orientation (lexicographically first version as "baseline") and flipped on read.
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
  readonly pendingByVersion = new Map<string, number>();
  pending: BoundedQueueMap<PendingAnswer>;
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

  private side(e: PredictionEvent): PairSide {
    const { scoreLo, scoreHi } = this.opts.layout;
    const score = e.score !== undefined && e.score >= scoreLo && e.score <= scoreHi ? e.score : undefined;
    const decision = e.decision ?? (score !== undefined ? (score >= this.opts.threshold ? 1 : 0) : undefined);
    const side: PairSide = {};
    if (score !== undefined) side.score = score;
    if (decision !== undefined) side.decision = decision;
    if (e.latencyMs !== undefined) side.latencyMs = e.latencyMs;
    if (e.error) side.error = true;
    return side;
  }

  private countPending(model: string, version: string, delta: number): void {
    const k = versionKey(model, version);
    const n = (this.pendingByVersion.get(k) ?? 0) + delta;
    if (n > 0) this.pendingByVersion.set(k, n);
    else this.pendingByVersion.delete(k);
  }

  private dropUnpaired(key: string, a: PendingAnswer): void {
    const model = key.slice(0, key.indexOf(sep));
    this.countPending(model, a.version, -1);
    const vk = versionKey(model, a.version);
    let byBucket = this.unpaired.get(vk);
    if (!byBucket) {
      byBucket = new Map();
      this.unpaired.set(vk, byBucket);
    }
    const start = this.bucketStart(a.ts);
    byBucket.set(start, (byBucket.get(start) ?? 0) + 1);
  }

  /** Expire waiting answers and pairs whose time is up. */
  sweep(now: number): void {
    for (const [key, a] of this.pending.sweep(now)) this.dropUnpaired(key, a);
    this.awaiting.sweep(now);
  }

  /** An event as the store applies it. Events without an id cannot pair and are ignored. */
  observe(e: PredictionEvent, now: number): void {
    if (e.id === undefined) return;
    this.sweep(now);
    const key = `${e.model}${sep}${e.id}`;
    const waiting = this.pending.get(key);
    const answer: PendingAnswer = { version: e.version, ts: e.ts, side: this.side(e) };
    if (e.label !== undefined) answer.label = e.label;
    if (e.groups) answer.groups = e.groups;
    if (waiting === undefined) {
      this.countPending(e.model, e.version, 1);
      for (const [k, a] of this.pending.set(key, answer, now)) this.dropUnpaired(k, a);
      return;
    }
    if (waiting.version === e.version) {
      this.duplicates++;
      return;
    }
    this.pending.delete(key);
    this.countPending(e.model, waiting.version, -1);
    this.fold(e.model, key, waiting, answer, now);
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

  private fold(model: string, key: string, x: PendingAnswer, y: PendingAnswer, now: number): void {
    const [b, c] = x.version < y.version ? [x, y] : [y, x];
    const ts = Math.min(b.ts, c.ts);
    const bucket = this.bucketStart(ts);
    const s = this.summaryAt(model, b.version, c.version, bucket);
    s.addPair(b.side, c.side, ts, { ...c.groups, ...b.groups });
    const label = b.label ?? c.label;
    if (label !== undefined) s.addLabel(b.side, c.side, label);
    else if (b.side.decision !== undefined || b.side.score !== undefined) {
      const pair: AwaitingPair = {
        baselineVersion: b.version,
        candidateVersion: c.version,
        bucket,
        baseline: b.side,
        candidate: c.side,
      };
      this.awaiting.set(key, pair, now);
    }
  }

  /** A delayed outcome: labels the pair of its (model, id) if that pair is still waiting. */
  observeOutcome(o: Outcome, now: number): "labelled" | "none" | "expired" {
    if (o.id === undefined) return "none";
    this.sweep(now);
    const pair = this.awaiting.delete(`${o.model}${sep}${o.id}`);
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
    for (const k of [...this.pendingByVersion.keys()])
      if (k.startsWith(prefix)) this.pendingByVersion.delete(k);
    for (const [k] of [...this.pending.ordered()]) if (k.startsWith(prefix)) this.pending.delete(k);
    for (const [k] of [...this.awaiting.ordered()]) if (k.startsWith(prefix)) this.awaiting.delete(k);
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
      baseline: this.pendingByVersion.get(versionKey(model, baseline)) ?? 0,
      candidate: this.pendingByVersion.get(versionKey(model, candidate)) ?? 0,
    };
    if (!byBucket && unpaired.baseline + unpaired.candidate + pending.baseline + pending.candidate === 0)
      return undefined;
    const merged = new PairedSummary(this.opts.layout);
    for (const [start, s] of byBucket ?? []) if (inWindow(start)) merged.merge(s);
    return { summary: swap ? merged.swapped() : merged, unpaired, pending };
  }

  toJSON(): PairingIndexJSON {
    const buckets: PairingIndexJSON["buckets"] = [];
    for (const [k, byBucket] of this.buckets)
      for (const [start, s] of byBucket) buckets.push([k, start, s.toJSON()]);
    const unpaired: PairingIndexJSON["unpaired"] = [];
    for (const [k, byBucket] of this.unpaired)
      for (const [start, n] of byBucket) unpaired.push([k, start, n]);
    return {
      format: 1,
      buckets,
      unpaired,
      pending: [...this.pending.ordered()].map(([k, a, expires]) => pendingTuple(k, a, expires)),
      awaiting: [...this.awaiting.ordered()].map(([k, p, expires]) => awaitingTuple(k, p, expires)),
      duplicates: this.duplicates,
      expiredLabels: this.expiredLabels,
    };
  }

  /** Replace the state with a snapshot's (the store then replays its log over it). */
  load(j: PairingIndexJSON): void {
    this.buckets.clear();
    this.unpaired.clear();
    this.pendingByVersion.clear();
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
      const a = pendingFromTuple(t);
      this.pending.restore(t[0], a, t[1]);
      this.countPending(t[0].slice(0, t[0].indexOf(sep)), a.version, 1);
    }
    for (const t of j.awaiting) this.awaiting.restore(t[0], awaitingFromTuple(t), t[1]);
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
