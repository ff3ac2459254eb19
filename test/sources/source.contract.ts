import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driftGate } from "../../src/gates/drift.js";
import type { PredictionEvent } from "../../src/ingest/event.js";
import { CohortSummary, DEFAULT_LAYOUT, type SummaryLayout } from "../../src/sketch/cohort-summary.js";
import { addLabel } from "../../src/sketch/group-counts.js";
import { LatencySketch } from "../../src/sketch/latency-sketch.js";
import type { ScoreHistogram } from "../../src/sketch/score-histogram.js";
import type { Source } from "../../src/sources/source.js";

/**
 * The shared Source contract, run against every implementation (embedded store, Prometheus,
 * the in-memory reference). A harness makes events visible to its source and hands out marks:
 * times after everything ingested so far and before anything ingested later. Every expected
 * value is the reference summary of the same events (`summariseEvents`), computed here
 * independently of the source under test.
 */
export type ContractEvent = Omit<PredictionEvent, "model" | "version" | "ts">;

export interface ContractHarness {
  source: Source;
  /** make these events (the harness sets model, version and ts) visible to the source */
  ingest(model: string, version: string, events: ContractEvent[]): Promise<PredictionEvent[]>;
  /** epoch ms after every event ingested so far (as the source sees it) and before any later one */
  mark(): Promise<number>;
  close(): Promise<void>;
}

export interface ContractOptions {
  /** relative error allowed on latency quantiles (the source's stated binning error) */
  latencyRelError: number;
  layout?: SummaryLayout;
}

/** Reference summary: what a cohort of exactly these events must hold (decision threshold 0.5). */
export function summariseEvents(
  events: PredictionEvent[],
  layout: SummaryLayout = DEFAULT_LAYOUT,
): CohortSummary {
  const s = new CohortSummary(layout);
  for (const e of events) {
    s.events++;
    s.seen(e.ts);
    if (e.error) s.errors++;
    if (e.latencyMs !== undefined) s.latency.add(e.latencyMs);
    let decision = e.decision;
    if (e.score !== undefined) {
      if (e.score >= layout.scoreLo && e.score <= layout.scoreHi) {
        s.scores.add(e.score);
        decision ??= e.score >= 0.5 ? 1 : 0;
        if (e.label !== undefined) (e.label === 1 ? s.scoresPositive : s.scoresNegative).add(e.score);
      } else s.invalid++;
    }
    if (decision !== undefined && e.groups) {
      for (const [attribute, value] of Object.entries(e.groups)) {
        const g = s.group(attribute, value);
        g.n++;
        g.selected += decision;
        if (e.label !== undefined) addLabel(g, e.label, decision);
      }
    }
    for (const [name, x] of Object.entries(e.features ?? {})) {
      const f = s.features.get(name);
      if (typeof x === "number") {
        if (f?.kind === "numeric") f.sketch.add(x);
        else if (!f) {
          const sketch = new LatencySketch(layout.sketchAlpha);
          sketch.add(x);
          s.features.set(name, { kind: "numeric", sketch });
        }
      } else if (f?.kind === "categorical") f.counts.set(x, (f.counts.get(x) ?? 0) + 1);
      else if (!f) s.features.set(name, { kind: "categorical", counts: new Map([[x, 1]]) });
    }
  }
  return s;
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Deterministic events: scores, labels, latencies (1-2000 ms), errors, invalid scores, groups,
 * and features: `amount` (positive, some zeros), `delta` (either sign, some zeros) and `channel`
 * (categorical), all moving with `shift`. Features come from a second generator, so the other
 * fields are the same as before features existed.
 */
export function contractEvents(n: number, seed: number, shift = 0): ContractEvent[] {
  const random = mulberry32(seed);
  const featureRandom = mulberry32(seed ^ 0x5bd1e995);
  const normal = () => (featureRandom() + featureRandom() + featureRandom() - 1.5) * 2;
  const regions = ["eu", "us", "apac"];
  const out: ContractEvent[] = [];
  for (let i = 0; i < n; i++) {
    const e: ContractEvent = {
      latencyMs:
        Math.round(Math.exp(Math.log(20) + 1.2 * (random() + random() - 1) * 2 + shift) * 1000) / 1000,
    };
    if (random() < 0.05) {
      e.error = true;
    } else {
      const score =
        random() < 0.02 ? 1.5 : Math.min(1, Math.max(0, random() * 0.7 + random() * 0.3 + shift / 10));
      e.score = score;
      const positive = random() < score;
      if (random() < 0.6) e.label = positive ? 1 : 0;
      e.groups = {
        region: regions[Math.floor(random() * regions.length)],
        tier: random() < 0.3 ? "gold" : "basic",
      };
      if (random() < 0.1) e.decision = random() < 0.5 ? 1 : 0;
      if (featureRandom() < 0.9) {
        const u = featureRandom();
        e.features = {
          amount: u < 0.05 ? 0 : Math.round(Math.exp(Math.log(50) + 0.8 * normal() + 2 * shift) * 100) / 100,
          delta: Math.round((normal() + 3 * shift) * 1000) / 1000,
          channel: u < 0.5 - shift / 4 ? "web" : u < 0.85 ? "app" : "store",
        };
      }
    }
    out.push(e);
  }
  return out;
}

/** Assert a source's cohort holds what the reference summary of the same events holds. */
export function expectSameCohort(
  actual: CohortSummary | undefined,
  expected: CohortSummary,
  latencyRelError: number,
) {
  expect(actual, "cohort").toBeDefined();
  const a = actual!;
  expect({ events: a.events, errors: a.errors, invalid: a.invalid }).toEqual({
    events: expected.events,
    errors: expected.errors,
    invalid: expected.invalid,
  });
  // a source may carry the scores on a coarser grid (Prometheus: PROMETHEUS_SCORE_BINS): the
  // expected counts summed into it must match exactly
  const at = (h: ScoreHistogram, bins: number) =>
    Array.from((h.bins === bins ? h : h.coarsened(bins)).counts);
  expect(Array.from(a.scores.counts)).toEqual(at(expected.scores, a.scores.bins));
  expect(Array.from(a.scoresPositive.counts)).toEqual(at(expected.scoresPositive, a.scoresPositive.bins));
  expect(Array.from(a.scoresNegative.counts)).toEqual(at(expected.scoresNegative, a.scoresNegative.bins));
  const groups = (s: CohortSummary) =>
    Object.fromEntries([...s.groups].map(([k, byValue]) => [k, Object.fromEntries(byValue)]));
  expect(groups(a)).toEqual(groups(expected));
  expect(featuresOf(a), "features").toEqual(featuresOf(expected));
  expect(a.latency.count).toBe(expected.latency.count);
  if (expected.latency.count > 0) {
    expect(a.latency.sum / a.latency.count).toBeCloseTo(expected.latency.sum / expected.latency.count, 6);
    for (const q of [0, 0.25, 0.5, 0.9, 0.95, 0.99, 1]) {
      const want = expected.latency.quantile(q);
      expect(Math.abs(a.latency.quantile(q) - want), `latency q${q}`).toBeLessThanOrEqual(
        latencyRelError * want,
      );
    }
  }
}

/** A cohort's features as plain data: each numeric sketch's buckets, each category's count. */
function featuresOf(s: CohortSummary) {
  const out: Record<string, unknown> = {};
  for (const [name, f] of [...s.features].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out[name] =
      f.kind === "numeric"
        ? { kind: f.kind, count: f.sketch.count, buckets: f.sketch.buckets() }
        : { kind: f.kind, counts: Object.fromEntries([...f.counts].sort(([a], [b]) => (a < b ? -1 : 1))) };
  }
  return out;
}

export function sourceContract(
  name: string,
  makeHarness: () => Promise<ContractHarness>,
  opts: ContractOptions,
): void {
  describe(`Source contract: ${name}`, () => {
    let h: ContractHarness;
    let t0: number;
    let t1: number;
    let t2: number;
    const ingested: Record<string, PredictionEvent[]> = {};
    const layout = opts.layout ?? DEFAULT_LAYOUT;

    beforeAll(async () => {
      h = await makeHarness();
      t0 = await h.mark();
      ingested.fraudA1 = await h.ingest("fraud", "a1", contractEvents(600, 1));
      ingested.fraudB2 = await h.ingest("fraud", "b2", contractEvents(300, 2, 0.4));
      ingested.churnA1 = await h.ingest("churn", "a1", contractEvents(150, 3));
      t1 = await h.mark();
      ingested.fraudA1Later = await h.ingest("fraud", "a1", contractEvents(250, 4, 0.2));
      t2 = await h.mark();
    }, 120_000);
    afterAll(async () => {
      await h?.close();
    });

    it("answers undefined for a model or version it has never seen", async () => {
      expect(await h.source.cohort({ model: "fraud", version: "never", to: t2 })).toBeUndefined();
      expect(await h.source.cohort({ model: "nobody", version: "a1", to: t2 })).toBeUndefined();
      expect(await h.source.firstSeen("fraud", "never")).toBeUndefined();
    });

    it("a version's cohort up to a mark is the summary of the events ingested before it", async () => {
      const c = await h.source.cohort({ model: "fraud", version: "a1", to: t1 });
      expectSameCohort(c, summariseEvents(ingested.fraudA1, layout), opts.latencyRelError);
    });

    it("keeps versions and models apart", async () => {
      const b2 = await h.source.cohort({ model: "fraud", version: "b2", to: t2 });
      expectSameCohort(b2, summariseEvents(ingested.fraudB2, layout), opts.latencyRelError);
      const churn = await h.source.cohort({ model: "churn", version: "a1", to: t2 });
      expectSameCohort(churn, summariseEvents(ingested.churnA1, layout), opts.latencyRelError);
    });

    it("a window between two marks holds exactly the events ingested between them", async () => {
      const c = await h.source.cohort({ model: "fraud", version: "a1", from: t1, to: t2 });
      expectSameCohort(c, summariseEvents(ingested.fraudA1Later, layout), opts.latencyRelError);
    });

    it("without `from`, a cohort holds everything since the version's first event", async () => {
      const c = await h.source.cohort({ model: "fraud", version: "a1", to: t2 });
      const all = [...ingested.fraudA1, ...ingested.fraudA1Later];
      expectSameCohort(c, summariseEvents(all, layout), opts.latencyRelError);
    });

    it("a window that ends before the first event is empty", async () => {
      const c = await h.source.cohort({ model: "fraud", version: "a1", to: t0 });
      expect(c === undefined || c.events === 0).toBe(true);
    });

    it("feature drift judged on the source's cohorts is feature drift judged on the events themselves", async () => {
      const baseline = await h.source.cohort({ model: "fraud", version: "a1", to: t1 });
      const candidate = await h.source.cohort({ model: "fraud", version: "b2", to: t2 });
      expect(baseline && candidate, "both cohorts").toBeTruthy();
      const config = driftGate.parseConfig({ features: "all", maxKs: "0.1" });
      const judge = (b: CohortSummary, c: CohortSummary) =>
        driftGate.evaluate({ baseline: b, candidate: c, config, alpha: 0.05 });
      const expected = judge(
        summariseEvents(ingested.fraudA1, layout),
        summariseEvents(ingested.fraudB2, layout),
      );
      const actual = judge(baseline!, candidate!);
      const features = expected.metrics.features as Record<string, { verdict: string }>;
      // the fixture is meant to drift (b2's features are shifted), so a source that lost or
      // blurred a feature would not match
      expect(Object.keys(features)).toEqual(["amount", "channel", "delta"]);
      expect(Object.values(features).some((f) => f.verdict === "fail")).toBe(true);
      expect(actual.verdict).toBe(expected.verdict);
      expect(actual.reason).toBe(expected.reason);
      expect(actual.metrics.features).toEqual(expected.metrics.features);
    });

    it("firstSeen lies between the marks around the version's first ingest", async () => {
      const first = await h.source.firstSeen("fraud", "a1");
      expect(first).toBeDefined();
      expect(first!).toBeGreaterThanOrEqual(t0);
      expect(first!).toBeLessThanOrEqual(t1);
    });
  });
}
