import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CohortSummary, type CohortSummaryJSON, DEFAULT_LAYOUT } from "../../src/sketch/cohort-summary.js";
import { addLabel } from "../../src/sketch/group-counts.js";
import { LatencySketch } from "../../src/sketch/latency-sketch.js";

interface Event {
  ts: number;
  error: boolean;
  latency: number;
  score: number;
  label: 0 | 1 | null;
  group: "a" | "b" | "c";
  decision: 0 | 1;
  featureX: number;
  featureColour: "red" | "green";
}

const event = fc.record<Event>({
  ts: fc.integer({ min: 0, max: 1e6 }),
  error: fc.boolean(),
  // integers keep every sum exact, so merge order cannot change any field
  latency: fc.integer({ min: 0, max: 5000 }),
  score: fc.integer({ min: 0, max: 1000 }).map((s) => s / 1000),
  label: fc.constantFrom<0 | 1 | null>(0, 1, null),
  group: fc.constantFrom<"a" | "b" | "c">("a", "b", "c"),
  decision: fc.constantFrom<0 | 1>(0, 1),
  featureX: fc.integer({ min: -100, max: 100 }),
  featureColour: fc.constantFrom<"red" | "green">("red", "green"),
});
const events = fc.array(event, { maxLength: 60 });

/** How an ingester fills a summary (the rule the summary documents). */
function summaryOf(list: Event[]): CohortSummary {
  const s = new CohortSummary();
  for (const e of list) {
    s.events++;
    s.seen(e.ts);
    if (e.error) {
      s.errors++;
      continue;
    }
    s.latency.add(e.latency);
    s.scores.add(e.score);
    if (e.label === 1) s.scoresPositive.add(e.score);
    if (e.label === 0) s.scoresNegative.add(e.score);
    const g = s.group("sex", e.group);
    g.n++;
    g.selected += e.decision;
    if (e.label !== null) addLabel(g, e.label, e.decision);
    let x = s.features.get("x");
    if (!x) {
      x = { kind: "numeric", sketch: new LatencySketch(s.layout.sketchAlpha) };
      s.features.set("x", x);
    }
    if (x.kind === "numeric") x.sketch.add(e.featureX);
    let colour = s.features.get("colour");
    if (!colour) {
      colour = { kind: "categorical", counts: new Map() };
      s.features.set("colour", colour);
    }
    if (colour.kind === "categorical")
      colour.counts.set(e.featureColour, (colour.counts.get(e.featureColour) ?? 0) + 1);
  }
  return s;
}

/** JSON text round trip, the form summaries are stored in. */
function viaJson(s: CohortSummary): CohortSummaryJSON {
  return JSON.parse(JSON.stringify(s.toJSON())) as CohortSummaryJSON;
}

describe("CohortSummary", () => {
  it("merge of bucket summaries equals the summary of all events", () => {
    fc.assert(
      fc.property(events, events, (a, b) => {
        expect(viaJson(summaryOf(a).merge(summaryOf(b)))).toEqual(viaJson(summaryOf([...a, ...b])));
      }),
      { seed: 31 },
    );
  });

  it("merge is commutative and associative", () => {
    fc.assert(
      fc.property(events, events, events, (a, b, c) => {
        const [sa, sb, sc] = [a, b, c].map(summaryOf);
        const left = sa.clone().merge(sb).merge(sc);
        const right = sa.clone().merge(sb.clone().merge(sc));
        const swapped = sc.clone().merge(sa).merge(sb);
        expect(viaJson(right)).toEqual(viaJson(left));
        expect(viaJson(swapped)).toEqual(viaJson(left));
      }),
      { seed: 32 },
    );
  });

  it("merge does not alias the merged-in summary", () => {
    const a = summaryOf([]);
    const b = summaryOf([
      {
        ts: 1,
        error: false,
        latency: 5,
        score: 0.5,
        label: 1,
        group: "a",
        decision: 1,
        featureX: 3,
        featureColour: "red",
      },
    ]);
    a.merge(b);
    a.merge(b);
    expect(b.events).toBe(1);
    expect(b.group("sex", "a").n).toBe(1);
    const x = b.features.get("x");
    expect(x?.kind === "numeric" && x.sketch.count).toBe(1);
    const colour = b.features.get("colour");
    expect(colour?.kind === "categorical" && colour.counts.get("red")).toBe(1);
    expect(a.events).toBe(2);
  });

  it("toJSON/fromJSON round trip through JSON text", () => {
    fc.assert(
      fc.property(events, (list) => {
        const s = summaryOf(list);
        const back = CohortSummary.fromJSON(viaJson(s));
        expect(viaJson(back)).toEqual(viaJson(s));
        expect(back.labelled).toBe(s.labelled);
        expect(back.latency.count).toBe(s.latency.count);
      }),
      { seed: 33 },
    );
  });

  it("group counts add up per (attribute, value) and labelled events fill the confusion table", () => {
    fc.assert(
      fc.property(events, (list) => {
        const s = summaryOf(list);
        for (const group of ["a", "b", "c"] as const) {
          const mine = list.filter((e) => !e.error && e.group === group);
          if (mine.length === 0) {
            expect(s.groups.get("sex")?.has(group) ?? false).toBe(false);
            continue;
          }
          const g = s.group("sex", group);
          const labelled = mine.filter((e) => e.label !== null);
          expect(g.n).toBe(mine.length);
          expect(g.selected).toBe(mine.filter((e) => e.decision === 1).length);
          expect(g.tp).toBe(labelled.filter((e) => e.label === 1 && e.decision === 1).length);
          expect(g.fp).toBe(labelled.filter((e) => e.label === 0 && e.decision === 1).length);
          expect(g.fn).toBe(labelled.filter((e) => e.label === 1 && e.decision === 0).length);
          expect(g.tn).toBe(labelled.filter((e) => e.label === 0 && e.decision === 0).length);
        }
        expect(s.labelled).toBe(list.filter((e) => !e.error && e.label !== null).length);
        expect(s.events).toBe(list.length);
        expect(s.errors).toBe(list.filter((e) => e.error).length);
      }),
      { seed: 34 },
    );
  });

  it("tracks the first and last timestamps; an empty summary has none", () => {
    const empty = new CohortSummary();
    expect([empty.firstTs, empty.lastTs]).toEqual([null, null]);
    expect(CohortSummary.fromJSON(viaJson(empty)).toJSON()).toEqual(empty.toJSON());
    const s = new CohortSummary(DEFAULT_LAYOUT);
    for (const ts of [50, 10, 90, 30]) s.seen(ts);
    expect([s.firstTs, s.lastTs]).toEqual([10, 90]);
    expect(empty.clone().merge(s).firstTs).toBe(10);
  });
});
