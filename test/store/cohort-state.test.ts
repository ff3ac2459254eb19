import { describe, expect, it } from "vitest";
import type { PredictionEvent } from "../../src/ingest/event.js";
import { DEFAULT_LAYOUT } from "../../src/sketch/cohort-summary.js";
import { CohortState, type StateOptions } from "../../src/store/cohort-state.js";

const T0 = Date.parse("2026-11-24T10:00:00Z");
const MIN = 60_000;
const opts = (over: Partial<StateOptions> = {}): StateOptions => ({
  bucketMs: MIN,
  retentionMs: 60 * MIN,
  threshold: 0.5,
  layout: DEFAULT_LAYOUT,
  joinTtlMs: 10 * MIN,
  joinMaxEntries: 1000,
  limits: {
    maxModels: 10,
    maxVersionsPerModel: 10,
    maxGroupAttributes: 5,
    maxGroupValues: 10,
    maxFeatures: 10,
    maxCategories: 10,
  },
  ...over,
});
const ev = (e: Partial<PredictionEvent>): PredictionEvent => ({ model: "fraud", version: "b", ts: T0, ...e });

describe("CohortState", () => {
  it("counts an event into its bucket: scores, decision by threshold, groups, features, latency, errors", () => {
    const st = new CohortState(opts());
    st.applyEvent(
      ev({
        score: 0.8,
        label: 1,
        groups: { region: "eu" },
        features: { age: 30, plan: "pro" },
        latencyMs: 10,
      }),
      T0,
    );
    st.applyEvent(
      ev({ score: 0.3, groups: { region: "eu" }, features: { age: 50, plan: "pro" }, latencyMs: 30 }),
      T0,
    );
    st.applyEvent(ev({ error: true, latencyMs: 500, ts: T0 + 30_000 }), T0);
    st.applyEvent(ev({ score: 1.7, groups: { region: "eu" } }), T0);
    const s = st.window("fraud", "b", T0, T0 + MIN)!;
    expect(s.events).toBe(4);
    expect(s.errors).toBe(1);
    expect(s.invalid).toBe(1);
    expect(s.scores.total).toBe(2);
    expect(s.scoresPositive.total).toBe(1);
    expect(s.scoresPositive.counts[s.scoresPositive.binOf(0.8)]).toBe(1);
    expect(s.group("region", "eu")).toEqual({ n: 2, selected: 1, tp: 1, fp: 0, fn: 0, tn: 0 });
    expect(s.latency.count).toBe(3);
    const age = s.features.get("age");
    expect(age?.kind === "numeric" && age.sketch.count).toBe(2);
    const plan = s.features.get("plan");
    expect(plan?.kind === "categorical" && plan.counts.get("pro")).toBe(2);
    expect(st.models.get("fraud")?.versions.get("b")?.counts).toEqual({
      events: 4,
      scored: 2,
      labelled: 1,
      errors: 1,
      invalid: 1,
      expiredOutcomes: 0,
      firstTs: T0,
      lastTs: T0 + 30_000,
    });
  });

  it("merges a window from the buckets overlapping it", () => {
    const st = new CohortState(opts());
    for (let i = 0; i < 10; i++) st.applyEvent(ev({ score: 0.5, ts: T0 + i * MIN + 1 }), T0 + 10 * MIN);
    expect(st.window("fraud", "b", T0 + 3 * MIN, T0 + 6 * MIN)?.events).toBe(3);
    expect(st.window("fraud", "b", T0 + 3 * MIN + 5, T0 + 6 * MIN)?.events).toBe(3);
    expect(st.window("fraud", "b", undefined, T0 + 100 * MIN)?.events).toBe(10);
    expect(st.window("fraud", "zzz", undefined, T0 + 100 * MIN)).toBeUndefined();
  });

  it("joins a delayed outcome into the prediction's original bucket, once", () => {
    const st = new CohortState(opts());
    st.applyEvent(ev({ id: "r1", score: 0.9, groups: { region: "us" } }), T0);
    // the outcome arrives 5 minutes later, when a newer bucket exists
    st.applyEvent(ev({ score: 0.1, ts: T0 + 5 * MIN }), T0 + 5 * MIN);
    expect(st.applyOutcome({ model: "fraud", id: "r1", label: 0, ts: T0 + 5 * MIN }, T0 + 5 * MIN)).toBe(
      "joined",
    );
    const first = st.window("fraud", "b", T0, T0 + MIN)!;
    expect(first.scoresNegative.total).toBe(1);
    expect(first.scoresNegative.counts[first.scoresNegative.binOf(0.9)]).toBe(1);
    expect(first.group("region", "us")).toEqual({ n: 1, selected: 1, tp: 0, fp: 1, fn: 0, tn: 0 });
    expect(st.window("fraud", "b", T0 + 5 * MIN, T0 + 6 * MIN)?.labelled).toBe(0);
    expect(st.applyOutcome({ model: "fraud", id: "r1", label: 0, ts: T0 }, T0 + 5 * MIN)).toBe("unknown");
    expect(st.models.get("fraud")?.counts).toEqual({ unknownOutcomes: 1, expiredOutcomes: 0 });
  });

  it("counts expired outcomes apart from unknown ones", () => {
    const st = new CohortState(opts());
    st.applyEvent(ev({ id: "late", score: 0.9 }), T0);
    expect(st.applyOutcome({ model: "fraud", id: "late", label: 1, ts: T0 }, T0 + 11 * MIN)).toBe("expired");
    expect(st.models.get("fraud")?.counts.expiredOutcomes).toBe(1);
    expect(st.models.get("fraud")?.versions.get("b")?.counts.expiredOutcomes).toBe(1);
    expect(st.window("fraud", "b", undefined, T0 + MIN)?.labelled).toBe(0);
  });

  it("applies a self-contained outcome to the label histograms only", () => {
    const st = new CohortState(opts());
    expect(st.applyOutcome({ model: "fraud", version: "b", score: 0.7, label: 1, ts: T0 }, T0)).toBe("self");
    const s = st.window("fraud", "b", undefined, T0 + MIN)!;
    expect([s.events, s.scores.total, s.scoresPositive.total]).toEqual([0, 0, 1]);
  });

  it("evicts the oldest join entries beyond the maximum", () => {
    const st = new CohortState(opts({ joinMaxEntries: 3 }));
    for (let i = 0; i < 5; i++) st.applyEvent(ev({ id: `r${i}`, score: 0.5 }), T0 + i);
    expect(st.joins.size).toBe(3);
    expect(st.joins.evicted).toBe(2);
    expect(st.applyOutcome({ model: "fraud", id: "r0", label: 1, ts: T0 }, T0)).toBe("unknown");
    expect(st.applyOutcome({ model: "fraud", id: "r4", label: 1, ts: T0 }, T0)).toBe("joined");
  });

  it("prunes buckets past the retention and forgets versions left empty", () => {
    const st = new CohortState(opts());
    st.applyEvent(ev({ score: 0.5 }), T0);
    st.applyEvent(ev({ version: "c", score: 0.5, ts: T0 + 30 * MIN }), T0 + 30 * MIN);
    st.prune(T0 + 62 * MIN);
    expect(st.models.get("fraud")?.versions.has("b")).toBe(false);
    expect(st.window("fraud", "c", undefined, T0 + 100 * MIN)?.events).toBe(1);
    expect(st.registry.models.get("fraud")?.versions.has("b")).toBe(false);
  });
});

describe("KeyRegistry limits", () => {
  it("names the limit and registers nothing of a refused record", () => {
    const st = new CohortState(
      opts({ limits: { ...opts().limits, maxModels: 1, maxGroupValues: 2, maxCategories: 1 } }),
    );
    const r = st.registry;
    expect(r.admit(ev({ groups: { region: "eu" }, features: { plan: "pro" } }))).toBeUndefined();
    expect(r.admit(ev({ model: "other" }))).toEqual(
      expect.objectContaining({ field: "model", limit: "maxModels" }),
    );
    expect(r.admit(ev({ groups: { region: "us" } }))).toBeUndefined();
    expect(r.admit(ev({ groups: { region: "apac" } }))).toEqual(
      expect.objectContaining({ field: "groups.region", limit: "maxGroupValues" }),
    );
    expect(r.admit(ev({ features: { plan: "free" } }))?.message).toMatch(
      /category limit of 1.*MODELGATE_MAX_CATEGORIES/,
    );
    expect(r.admit(ev({ features: { plan: 3 } }))?.message).toMatch(/was categorical/);
    expect([...r.models.get("fraud")!.groups.get("region")!]).toEqual(["eu", "us"]);
    expect(r.models.has("other")).toBe(false);
  });
});

describe("JoinIndex memory", () => {
  it("stays O(maxEntries) when outcomes take entries while an old one waits", async () => {
    const { JoinIndex } = await import("../../src/store/join-index.js");
    const j = new JoinIndex(1e9, 100);
    j.add("old", { version: "v", bucket: 0, expires: 1e9 });
    for (let i = 0; i < 50_000; i++) {
      j.add(`k${i}`, { version: "v", bucket: 0, expires: 1e9 + i });
      expect(j.take(`k${i}`, 0).status).toBe("joined");
    }
    const internals = j as unknown as { orderKeys: string[]; head: number };
    expect(internals.orderKeys.length - internals.head).toBeLessThanOrEqual(2 * 100 + 1025);
    expect(j.size).toBe(1);
    expect(j.take("old", 0).status).toBe("joined");
    // a snapshot after the rebuild still sees every live entry
    j.add("new", { version: "v", bucket: 0, expires: 5 });
    const c = j.captureChanges();
    expect(c.keys.filter((k, i) => j.capturedEntry(k, c.expires[i]) !== undefined)).toEqual(["new"]);
  });

  it("a capture keeps returning what was live at it, whatever is taken, replaced or evicted after", async () => {
    const { JoinIndex } = await import("../../src/store/join-index.js");
    const j = new JoinIndex(1000, 3);
    const entry = (expires: number, score: number) => ({ version: "v", bucket: 0, expires, score });
    j.add("a", entry(10, 0.1));
    j.add("b", entry(11, 0.2));
    j.add("c", entry(12, 0.3));
    const c = j.captureChanges();
    const captured = () => c.keys.map((k, i) => [k, j.capturedEntry(k, c.expires[i])?.score]);
    const atCapture = [
      ["a", 0.1],
      ["b", 0.2],
      ["c", 0.3],
    ];
    expect(captured()).toEqual(atCapture);
    j.take("a", 0); // taken by an outcome
    j.add("b", entry(20, 0.9)); // replaced by a new prediction with the same id
    j.add("d", entry(21, 0.4));
    j.add("e", entry(22, 0.5)); // evicts the oldest live entry ("c") beyond the maximum of 3
    expect(j.size).toBe(3);
    expect(j.take("c", 0).status).toBe("unknown");
    j.sweep(1_000_000); // everything long expired is dropped
    expect(j.size).toBe(0);
    expect(captured()).toEqual(atCapture);
    j.endCapture();
    expect(captured()).toEqual([
      ["a", undefined],
      ["b", undefined],
      ["c", undefined],
    ]);
    // the next capture names the key taken since (evicted and swept entries go by expiry instead)
    expect(j.captureChanges().taken).toEqual(["a"]);
  });
});

describe("PendingCloudEvents bounds", () => {
  it("drops the oldest requests beyond the maximum and counts them unpaired; lists what is overdue", async () => {
    const { PendingCloudEvents } = await import("../../src/store/pending-requests.js");
    const p = new PendingCloudEvents(1000, 10, 20);
    const half = (i: number) => ({
      id: `r${i}`,
      model: "m",
      version: "v",
      ts: i,
      stamped: true,
      instances: 1,
    });
    for (let i = 0; i < 21; i++) p.addRequest(`r${i}`, { ...half(i), expires: 1000 + i });
    // 21 > 20: the oldest tenth of the bound plus the overflow (1 + 2) go
    expect(p.requests.size).toBe(18);
    expect(p.unpaired).toBe(3);
    expect(p.requests.has("r2")).toBe(false);
    expect(p.requests.get("r3")?.ts).toBe(3);
    // overdue: requests past their TTL, oldest first, not removed by looking
    expect(p.overdue(1004).requests.map(([k]) => k)).toEqual(["r3", "r4"]);
    expect(p.requests.size).toBe(18);
    // responses beyond the bound minus the room asked for are overdue whatever their deadline
    for (let i = 0; i < 20; i++) p.addResponse(`s${i}`, { ...half(i), id: `s${i}`, expires: 5000 });
    expect(p.overdue(0).responses).toEqual([]);
    expect(p.overdue(0, 2).responses.map(([k]) => k)).toEqual(["s0", "s1"]);
  });

  it("labels every version that answered the same request id (shadow step), once each", () => {
    const st = new CohortState(opts());
    st.applyEvent(ev({ version: "stable", id: "req-1", score: 0.9, groups: { region: "eu" } }), T0);
    st.applyEvent(ev({ version: "shadow", id: "req-1", score: 0.2, groups: { region: "eu" } }), T0);
    expect(st.applyOutcome({ model: "fraud", id: "req-1", label: 1, ts: T0 }, T0 + 1000)).toBe("joined");
    const stable = st.models.get("fraud")!.versions.get("stable")!;
    const shadow = st.models.get("fraud")!.versions.get("shadow")!;
    const bucket = (v: typeof stable) => [...v.buckets.values()][0];
    expect(bucket(stable).scoresPositive.total).toBe(1);
    expect(bucket(shadow).scoresPositive.total).toBe(1);
    expect(bucket(stable).group("region", "eu").tp).toBe(1);
    expect(bucket(shadow).group("region", "eu").fn).toBe(1);
    // taken: a repeated outcome for the same id joins nothing
    expect(st.applyOutcome({ model: "fraud", id: "req-1", label: 1, ts: T0 }, T0 + 2000)).toBe("unknown");
  });
});
