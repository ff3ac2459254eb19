import { describe, expect, it } from "vitest";
import type { PredictionEvent } from "../../src/ingest/event.js";
import { DEFAULT_PAIRED_LAYOUT, PairedSummary } from "../../src/shadow/paired-summary.js";
import { PairingIndex, type PairingOptions } from "../../src/shadow/pairing-index.js";
import { pairedTraffic } from "./traffic.js";

const T0 = Date.parse("2026-11-25T10:00:00Z");
const options = (over: Partial<PairingOptions> = {}): PairingOptions => ({
  ttlMs: 60_000,
  maxPending: 1000,
  labelTtlMs: 3_600_000,
  maxAwaitingLabel: 1000,
  bucketMs: 3_600_000,
  retentionMs: 7 * 86_400_000,
  threshold: 0.5,
  layout: DEFAULT_PAIRED_LAYOUT,
  ...over,
});
const event = (version: string, id: string, over: Partial<PredictionEvent> = {}): PredictionEvent => ({
  model: "m",
  version,
  id,
  ts: T0,
  score: 0.7,
  ...over,
});

describe("PairingIndex", () => {
  it("pairs the two versions' answers to one id, whichever arrives first, and orients on read", () => {
    const p = new PairingIndex(options());
    p.observe(event("v2", "a", { score: 0.4, latencyMs: 30 }), T0);
    p.observe(event("v1", "a", { score: 0.7, latencyMs: 10 }), T0 + 5);
    p.observe(event("v1", "b", { score: 0.2, decision: 0, groups: { region: "x" } }), T0 + 6);
    p.observe(event("v2", "b", { score: 0.9, decision: 1, groups: { region: "x" } }), T0 + 7);
    const w = p.window("m", "v1", "v2", undefined, T0 + 3_600_000)!;
    expect(w.summary.pairs).toBe(2);
    expect(w.summary.decided).toBe(2);
    // a: 0.7 → 0.4 is a 1→0 flip; b: explicit 0 → 1
    expect([w.summary.flipsUp, w.summary.flipsDown]).toEqual([1, 1]);
    expect(w.summary.diffSum).toBeCloseTo(-0.3 + 0.7, 12);
    expect(w.summary.latencyDiff.count).toBe(1);
    expect(w.summary.latencyDiff.quantile(0.5)).toBeCloseTo(20, 0);
    expect(w.summary.group("region", "x")).toEqual({ n: 1, flipsUp: 1, flipsDown: 0, baselineSelected: 0 });
    const r = p.window("m", "v2", "v1", undefined, T0 + 3_600_000)!;
    expect(r.summary.diffSum).toBeCloseTo(-0.4, 12);
    expect(r.summary.latencyDiff.quantile(0.5)).toBeCloseTo(-20, 0);
    expect(r.summary.group("region", "x")).toEqual({ n: 1, flipsUp: 0, flipsDown: 1, baselineSelected: 1 });
    expect(p.window("m", "v1", "v3", undefined, T0 + 3_600_000)).toBeUndefined();
  });

  it("counts answers that wait past the pairing window, or are evicted beyond maxPending, as unpaired", () => {
    const p = new PairingIndex(options({ ttlMs: 1000, maxPending: 3 }));
    p.observe(event("v1", "late"), T0);
    p.observe(event("v2", "late"), T0 + 1000); // the first one expired at T0 + 1000
    for (let i = 0; i < 5; i++) p.observe(event("v1", `x${i}`), T0 + 1001 + i);
    const w = p.window("m", "v1", "v2", undefined, T0 + 3_600_000)!;
    expect(w.summary.pairs).toBe(0);
    // "late" from v1 expired; then x2, x3, x4 evict "late" from v2, x0 and x1 (maxPending 3)
    expect(w.unpaired).toEqual({ baseline: 3, candidate: 1 });
    expect(w.pending).toEqual({ baseline: 3, candidate: 0 });
    expect(p.pending.size).toBe(3);
  });

  it("ignores a repeated (id, version) and events without an id", () => {
    const p = new PairingIndex(options());
    p.observe(event("v1", "a"), T0);
    p.observe(event("v1", "a"), T0 + 1);
    p.observe({ model: "m", version: "v2", ts: T0, score: 0.5 }, T0 + 2);
    p.observe(event("v2", "a"), T0 + 3);
    expect(p.duplicates).toBe(1);
    expect(p.window("m", "v1", "v2", undefined, T0 + 1e7)!.summary.pairs).toBe(1);
  });

  it("folds inline and delayed labels into McNemar counts and the joint grid", () => {
    const p = new PairingIndex(options());
    // inline: label 1, baseline right (0.7 → 1), candidate wrong (0.3 → 0)
    p.observe(event("v1", "a", { score: 0.7, label: 1 }), T0);
    p.observe(event("v2", "a", { score: 0.3, label: 1 }), T0);
    // delayed: label 0 arrives later: baseline wrong (0.8), candidate right (0.1)
    p.observe(event("v1", "b", { score: 0.8 }), T0);
    p.observe(event("v2", "b", { score: 0.1 }), T0);
    expect(p.observeOutcome({ model: "m", id: "b", label: 0, ts: T0 }, T0 + 60_000)).toBe("labelled");
    expect(p.observeOutcome({ model: "m", id: "b", label: 0, ts: T0 }, T0 + 60_000)).toBe("none");
    // too late: the pair's label window has passed
    p.observe(event("v1", "c", { score: 0.8 }), T0);
    p.observe(event("v2", "c", { score: 0.8 }), T0);
    expect(p.observeOutcome({ model: "m", id: "c", label: 0, ts: T0 }, T0 + 3_600_001)).toBe("none");
    const s = p.window("m", "v1", "v2", undefined, T0 + 1e7)!.summary;
    expect([s.labelled, s.onlyBaselineCorrect, s.onlyCandidateCorrect]).toEqual([2, 1, 1]);
    expect(s.joint.positive.get(70 * 100 + 30)).toBe(1);
    expect(s.joint.negative.get(80 * 100 + 10)).toBe(1);
  });

  it("files a pair at its later answer, so a window from the candidate's first answer holds it", () => {
    const p = new PairingIndex(options({ bucketMs: 60_000, ttlMs: 60_000 }));
    const minute = Math.floor(T0 / 60_000) * 60_000 + 60_000;
    // stable answers 2 s before the minute, its mirrored copy 1 s after; and the other way round
    p.observe(event("stable", "a", { ts: minute - 2000 }), minute - 2000);
    p.observe(event("shadow", "a", { ts: minute + 1000 }), minute + 1000);
    p.observe(event("shadow", "b", { ts: minute - 1500 }), minute + 1001);
    p.observe(event("stable", "b", { ts: minute + 1500 }), minute + 1500);
    // a window starting at the first answer after the minute (buckets are one minute wide)
    expect(p.window("m", "stable", "shadow", minute + 1000, minute + 60_000)!.summary.pairs).toBe(2);
    // both pairs completed after the minute began: none in the minute before
    expect(p.window("m", "stable", "shadow", minute - 60_000, minute)?.summary.pairs ?? 0).toBe(0);
  });

  it("windows by bucket and prunes past the retention", () => {
    const p = new PairingIndex(options({ retentionMs: 2 * 3_600_000 }));
    for (const [i, ts] of [T0, T0 + 3_600_000, T0 + 2 * 3_600_000].entries()) {
      p.observe(event("v1", `id${i}`, { ts }), ts);
      p.observe(event("v2", `id${i}`, { ts }), ts);
    }
    expect(p.window("m", "v1", "v2", T0 + 3_600_000, T0 + 3 * 3_600_000)!.summary.pairs).toBe(2);
    p.prune(T0 + 3 * 3_600_000);
    expect(p.window("m", "v1", "v2", undefined, T0 + 1e8)!.summary.pairs).toBe(2);
  });

  it("restores from its JSON exactly (snapshot), including waiting answers and pairs", () => {
    const t = pairedTraffic({ n: 400, seed: 3, aucDrop: 0.5, flipRegion: "north", flipRate: 0.1 });
    const p = new PairingIndex(options());
    t.baseline.forEach((e, i) => {
      p.observe(e, T0 + i);
      if (i % 2 === 0) p.observe(t.candidate[i], T0 + i);
    });
    const copy = new PairingIndex(options());
    copy.load(JSON.parse(JSON.stringify(p.toJSON())));
    // the rest arrives at both: same result
    t.candidate.forEach((e, i) => {
      if (i % 2 === 1) {
        p.observe(e, T0 + 500 + i);
        copy.observe(e, T0 + 500 + i);
      }
    });
    for (const l of t.labels.slice(0, 300)) {
      p.observeOutcome({ model: "fraud", ...l, ts: T0 }, T0 + 1000);
      copy.observeOutcome({ model: "fraud", ...l, ts: T0 }, T0 + 1000);
    }
    const a = p.window("fraud", "stable", "challenger", undefined, T0 + 1e8)!;
    const b = copy.window("fraud", "stable", "challenger", undefined, T0 + 1e8)!;
    expect(a.summary.pairs).toBe(400);
    expect(a.summary.labelled).toBe(300);
    expect(b.summary.toJSON()).toEqual(a.summary.toJSON());
  });
});

describe("PairedSummary", () => {
  it("swapping twice is the identity; swapping exchanges every oriented count", () => {
    const t = pairedTraffic({
      n: 300,
      seed: 9,
      aucDrop: 0.4,
      latencyShiftMs: 5,
      labels: true,
      flipRegion: "south",
      flipRate: 0.2,
    });
    const s = new PairedSummary();
    t.baseline.forEach((b, i) => {
      const c = t.candidate[i];
      s.addPair(b, c, b.ts, b.groups);
      s.addLabel(b, c, b.label!);
    });
    const w = s.swapped();
    expect(w.swapped().toJSON()).toEqual(s.toJSON());
    expect([w.flipsUp, w.flipsDown]).toEqual([s.flipsDown, s.flipsUp]);
    expect([w.onlyBaselineCorrect, w.onlyCandidateCorrect]).toEqual([
      s.onlyCandidateCorrect,
      s.onlyBaselineCorrect,
    ]);
    expect(w.diffSum).toBeCloseTo(-s.diffSum, 12);
    expect(w.latencyDiff.quantile(0.5)).toBeCloseTo(-s.latencyDiff.quantile(0.5), 9);
    const g = s.group("region", "south");
    expect(w.group("region", "south").baselineSelected).toBe(g.baselineSelected + g.flipsUp - g.flipsDown);
    expect(s.latencyDiff.quantile(0.5)).toBeCloseTo(5, 0);
  });
});

describe("PairedSummary merge", () => {
  it("the merge of two halves' summaries is the summary of the whole", () => {
    const t = pairedTraffic({
      n: 500,
      seed: 13,
      aucDrop: 0.5,
      latencyShiftMs: 3,
      labels: true,
      flipRegion: "east",
      flipRate: 0.3,
    });
    const fold = (from: number, to: number) => {
      const s = new PairedSummary();
      for (let i = from; i < to; i++) {
        s.addPair(t.baseline[i], t.candidate[i], t.baseline[i].ts, t.baseline[i].groups);
        s.addLabel(t.baseline[i], t.candidate[i], t.baseline[i].label!);
      }
      return s;
    };
    const whole = fold(0, 500).toJSON();
    const merged = fold(0, 200).merge(fold(200, 500)).toJSON();
    // sums added in another order: equal up to rounding; everything else exactly
    for (const k of ["diffSum", "diffSumSquares", "diffAbsSum"] as const) {
      expect(merged[k]).toBeCloseTo(whole[k], 10);
      merged[k] = whole[k];
    }
    merged.latencyDiff.sum = whole.latencyDiff.sum;
    merged.baselineLatency.sum = whole.baselineLatency.sum;
    merged.candidateLatency.sum = whole.candidateLatency.sum;
    const cells = (j: typeof whole) => ({
      ...j,
      joint: { ...j.joint, positive: new Map(j.joint.positive), negative: new Map(j.joint.negative) },
    });
    expect(cells(merged)).toEqual(cells(whole));
  });
});

describe("PairingIndex.forgetModel (erasure)", () => {
  it("drops the model's pairs, counts and waiting entries, and nothing of other models", () => {
    const p = new PairingIndex(options());
    for (const model of ["m", "other"]) {
      p.observe(event("v1", "a", { model, groups: { sex: "f" } }), T0);
      p.observe(event("v2", "a", { model }), T0); // paired, waiting for its label
      p.observe(event("v1", "b", { model, groups: { sex: "m" } }), T0); // waiting for its pair
    }
    p.forgetModel("m");
    expect(p.window("m", "v1", "v2", undefined, T0 + 1e7)).toBeUndefined();
    expect(p.observeOutcome({ model: "m", id: "a", label: 1, ts: T0 }, T0 + 1)).toBe("none");
    expect(JSON.stringify(p.toJSON())).not.toMatch(/"m\\u0000/);
    const other = p.window("other", "v1", "v2", undefined, T0 + 1e7)!;
    expect([other.summary.pairs, other.pending.baseline]).toEqual([1, 1]);
    expect(p.observeOutcome({ model: "other", id: "a", label: 1, ts: T0 }, T0 + 1)).toBe("labelled");
  });
});
