import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ScoreHistogram } from "../../src/sketch/score-histogram.js";
import { escapeHtml, html, raw } from "../../src/ui/html.js";
import { parseWindow, sliceWindow } from "../../src/ui/judgement-view.js";
import { fairnessBarsPlot, groupRates } from "../../src/ui/plots/fairness-bars.js";
import { intervalRows } from "../../src/ui/plots/paired-intervals.js";
import { zoomedDifferenceBins } from "../../src/ui/plots/paired-scores.js";
import { rocFromBins } from "../../src/ui/plots/roc.js";
import { displayBins } from "../../src/ui/plots/score-histogram.js";
import { logTicks, niceTicks } from "../../src/ui/svg.js";

describe("html escaping", () => {
  it("escapes every interpolated value but not nested templates or raw markup", () => {
    const name = `<img src=x onerror="alert('1')">&`;
    expect(html`<td title="${name}">${name}</td>`.text).toBe(
      '<td title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;</td>',
    );
    expect(html`<p>${html`<b>${"<i>"}</b>`}${raw("<br>")}${[1, "<", null]}</p>`.text).toBe(
      "<p><b>&lt;i&gt;</b><br>1&lt;</p>",
    );
    expect(escapeHtml("a&b")).toBe("a&amp;b");
  });
});

describe("ROC from label-split histograms", () => {
  it("has the area of the pairwise comparison of binned scores (ties count ½)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 60 }),
        (pos, neg) => {
          const p = new ScoreHistogram(20);
          const n = new ScoreHistogram(20);
          for (const x of pos) p.add(x);
          for (const x of neg) n.add(x);
          let wins = 0;
          for (const a of pos)
            for (const b of neg) wins += p.binOf(a) > n.binOf(b) ? 1 : p.binOf(a) === n.binOf(b) ? 0.5 : 0;
          const roc = rocFromBins(p, n)!;
          expect(roc.auc).toBeCloseTo(wins / (pos.length * neg.length), 10);
          expect([roc.fpr[0], roc.tpr[0]]).toEqual([0, 0]);
          expect(roc.fpr.at(-1)).toBeCloseTo(1, 12);
          expect(roc.tpr.at(-1)).toBeCloseTo(1, 12);
          for (let i = 1; i < roc.fpr.length; i++) {
            expect(roc.fpr[i]).toBeGreaterThanOrEqual(roc.fpr[i - 1]);
            expect(roc.tpr[i]).toBeGreaterThanOrEqual(roc.tpr[i - 1]);
          }
        },
      ),
      { seed: 42, numRuns: 100 },
    );
  });

  it("is undefined when a class is empty", () => {
    const p = new ScoreHistogram(10);
    p.add(0.3);
    expect(rocFromBins(p, new ScoreHistogram(10))).toBeUndefined();
  });
});

describe("plot helpers", () => {
  it("merges 200 score bins into 50 display bins keeping every count", () => {
    const h = new ScoreHistogram(200);
    for (const x of [0, 0.004, 0.005, 0.019, 0.02, 0.5, 0.999, 1]) h.add(x);
    const d = displayBins(h);
    expect(d.counts.length).toBe(50);
    expect(d.edges.length).toBe(51);
    expect(d.counts.slice(0, 2)).toEqual([4, 1]);
    expect(d.counts[25]).toBe(1);
    expect(d.counts[49]).toBe(2);
  });

  it("chooses round ticks", () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 0.043, 4)).toEqual([0, 0.02, 0.04]);
    expect(niceTicks(-3, 7, 5)).toEqual([-2, 0, 2, 4, 6]);
    expect(logTicks(15, 250)).toEqual([20, 50, 100, 200]);
  });

  it("slices a window on bucket edges, each bucket in exactly one slice", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 5_000_000 }),
        fc.constantFrom(1000, 60_000, 300_000),
        fc.integer({ min: 1, max: 40 }),
        (from, span, bucket, count) => {
          const slices = sliceWindow(from, from + span, bucket, count);
          expect(slices.length).toBeLessThanOrEqual(count);
          expect(slices[0][0]).toBe(Math.floor(from / bucket) * bucket);
          expect(slices.at(-1)![1]).toBeGreaterThanOrEqual(from + span);
          for (let i = 0; i < slices.length; i++) {
            expect(slices[i][0] % bucket).toBe(0);
            expect(slices[i][1] % bucket).toBe(0);
            if (i > 0) expect(slices[i][0]).toBe(slices[i - 1][1]);
          }
        },
      ),
      { seed: 7 },
    );
    expect(parseWindow("2026-01-01T00:00:00.000Z/2026-01-01T01:00:00.000Z")).toEqual([
      Date.UTC(2026, 0, 1),
      Date.UTC(2026, 0, 1, 1),
    ]);
    expect(parseWindow("(no events yet)/2026-01-01T01:00:00.000Z")).toBeUndefined();
  });

  it("draws the fairness floor at the parity ratio times the highest candidate rate", () => {
    const counts = (n: number, selected: number) => ({ n, selected, tp: 0, fp: 0, fn: 0, tn: 0 });
    const rates = groupRates(
      new Map([["x", counts(10, 5)]]),
      new Map([
        ["x", counts(20, 12)],
        ["y", counts(40, 8)],
      ]),
    );
    expect(rates).toEqual([
      { group: "x", baseline: { rate: 0.5, n: 10 }, candidate: { rate: 0.6, n: 20 } },
      { group: "y", baseline: { rate: null, n: 0 }, candidate: { rate: 0.2, n: 40 } },
    ]);
    const svg = fairnessBarsPlot("region", rates, 0.8).text;
    expect(svg).toContain('data-line="floor" data-value="0.480000"');
    // y (0.2 < 0.48) is outlined as breaking the floor, x is not; y has no baseline bar
    expect(svg.match(/<rect data-group="y"[^>]*stroke=/g)?.length).toBe(1);
    expect(svg.match(/<rect data-group="x"[^>]*stroke=/g)).toBeNull();
    expect(svg.match(/<rect /g)?.length).toBe(3);
  });
});

describe("paired score differences, zoomed", () => {
  it("keeps every pair, in equal bars symmetric about 0 that cover every non-empty bin", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 80 }),
        (diffs) => {
          const h = new ScoreHistogram(200, -1, 1);
          for (const d of diffs) h.add(d);
          const { edges, counts } = zoomedDifferenceBins(h);
          expect(counts.reduce((s, c) => s + c, 0)).toBe(diffs.length);
          expect(counts.length).toBeLessThanOrEqual(50);
          expect(edges[0]).toBeCloseTo(-edges.at(-1)!, 12);
          const width = edges[1] - edges[0];
          for (let k = 1; k < edges.length; k++) expect(edges[k] - edges[k - 1]).toBeCloseTo(width, 12);
          for (const d of diffs) {
            const b = h.binOf(d);
            expect(h.edge(b)).toBeGreaterThanOrEqual(edges[0] - 1e-12);
            expect(h.edge(b + 1)).toBeLessThanOrEqual(edges.at(-1)! + 1e-12);
          }
        },
      ),
    );
  });

  it("shows at least ±5 bins when every difference is 0 (identical models)", () => {
    const h = new ScoreHistogram(200, -1, 1);
    for (let i = 0; i < 10; i++) h.add(0);
    const { edges, counts } = zoomedDifferenceBins(h);
    expect(edges[0]).toBeCloseTo(-0.05, 12);
    expect(edges.at(-1)).toBeCloseTo(0.05, 12);
    expect(counts).toEqual([0, 0, 0, 0, 0, 10, 0, 0, 0, 0]);
  });
});

describe("intervals of the shadow gates", () => {
  it("lists gates with a finite interval and value, with both tolerances for the two-sided scores gate", () => {
    const gate = (value: number | null, interval: [number, number] | null, threshold: number) => ({
      verdict: "inconclusive" as const,
      metric: "m",
      value,
      threshold,
      interval,
      n: { baseline: 1, candidate: 1 },
      reason: "",
      metrics: {},
    });
    const rows = intervalRows({
      agreement: gate(0.1, [0.05, 0.15], 0.05),
      scores: gate(0.01, [-0.01, 0.03], 0.02),
      latency: gate(3, [Number.NEGATIVE_INFINITY, 4], 5),
      auc: gate(null, null, -0.02),
    });
    expect(rows.map((r) => [r.gate, r.thresholds])).toEqual([
      ["agreement", [0.05]],
      ["scores", [-0.02, 0.02]],
    ]);
  });
});
