import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ScoreHistogram } from "../../src/sketch/score-histogram.js";

function histogramOf(values: number[], bins = 200, lo = 0, hi = 1): ScoreHistogram {
  const h = new ScoreHistogram(bins, lo, hi);
  for (const v of values) h.add(v);
  return h;
}

const layout = fc.record({
  bins: fc.integer({ min: 2, max: 500 }),
  lo: fc.integer({ min: -10, max: 10 }),
  width: fc.constantFrom(0.5, 1, 3, 100),
});

describe("ScoreHistogram", () => {
  it("puts every value in the bin [edge(i), edge(i+1)) that holds it, the last bin closed", () => {
    fc.assert(
      fc.property(layout, fc.double({ min: 0, max: 1, noNaN: true }), ({ bins, lo, width }, u) => {
        const h = new ScoreHistogram(bins, lo, lo + width);
        const x = lo + u * width;
        const i = h.binOf(x);
        expect(i).toBeGreaterThanOrEqual(0);
        expect(i).toBeLessThan(bins);
        expect(x).toBeGreaterThanOrEqual(h.edge(i));
        if (i < bins - 1) expect(x).toBeLessThan(h.edge(i + 1));
        else expect(x).toBeLessThanOrEqual(h.edge(bins));
      }),
      { seed: 21, numRuns: 500 },
    );
  });

  it("a value exactly on an edge goes to the bin that starts there", () => {
    for (const [bins, lo, hi] of [
      [200, 0, 1],
      [7, -3, 5],
      [1000, 0, 1],
    ]) {
      const h = new ScoreHistogram(bins, lo, hi);
      for (let i = 0; i < bins; i++) expect(h.binOf(h.edge(i))).toBe(i);
      expect(h.binOf(hi)).toBe(bins - 1);
    }
    // 0.145 = edge 29 of 200 on [0, 1]: plain floor((x - lo)/(hi - lo)·bins) puts it in bin 28.
    expect(new ScoreHistogram(200).binOf(0.145)).toBe(29);
  });

  it("clamps out-of-range values into the end bins and counts them", () => {
    const h = histogramOf([-0.5, 0, 0.5, 1, 1.5, 7], 10);
    expect(Array.from(h.counts)).toEqual([2, 0, 0, 0, 0, 1, 0, 0, 0, 3]);
    expect(h.clamped).toBe(3);
    expect(h.total).toBe(6);
    expect(h.mid(0)).toBeCloseTo(0.05, 15);
    expect(h.edge(10)).toBe(1);
  });

  it("merge equals the histogram of the concatenation, commutes and associates", () => {
    const scores = fc.array(fc.double({ min: -0.2, max: 1.2, noNaN: true }), { maxLength: 200 });
    fc.assert(
      fc.property(scores, scores, scores, (a, b, c) => {
        const whole = histogramOf([...a, ...b, ...c], 50).toJSON();
        const left = histogramOf(a, 50).merge(histogramOf(b, 50)).merge(histogramOf(c, 50));
        const right = histogramOf(a, 50).merge(histogramOf(b, 50).merge(histogramOf(c, 50)));
        const swapped = histogramOf(c, 50).merge(histogramOf(b, 50)).merge(histogramOf(a, 50));
        for (const h of [left, right, swapped]) expect(h.toJSON()).toEqual(whole);
      }),
      { seed: 22 },
    );
  });

  it("toJSON/fromJSON round trip through JSON text", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 2, noNaN: true }), { maxLength: 200 }),
        layout,
        (v, l) => {
          const h = histogramOf(v, l.bins, l.lo, l.lo + l.width);
          const back = ScoreHistogram.fromJSON(JSON.parse(JSON.stringify(h.toJSON())));
          expect(back.toJSON()).toEqual(h.toJSON());
          expect(back.compatible(h)).toBe(true);
          expect(back.total).toBe(h.total);
        },
      ),
      { seed: 23 },
    );
  });

  it("clone is independent of the original", () => {
    const h = histogramOf([0.1, 0.2]);
    const c = h.clone();
    c.add(0.3);
    expect(h.total).toBe(2);
    expect(c.total).toBe(3);
  });

  it("merges a finer grid into a coarser one exactly (bins summed), either way round", () => {
    const fine = new ScoreHistogram(1000);
    const coarse = new ScoreHistogram(200);
    const values = [0, 0.0049, 0.005, 0.123, 0.4999, 0.5, 0.777, 0.999, 1];
    for (const v of values) {
      fine.add(v);
      coarse.add(v);
    }
    // bin i of 200 is [i/200, (i+1)/200): exactly bins 5i…5i+4 of 1000
    expect(Array.from(fine.coarsened(200).counts)).toEqual(Array.from(coarse.counts));
    const a = new ScoreHistogram(1000).merge(fine).merge(coarse);
    expect(a.bins).toBe(200);
    expect(Array.from(a.counts)).toEqual(Array.from(coarse.counts).map((c) => 2 * c));
    const b = new ScoreHistogram(200).merge(fine);
    expect(Array.from(b.counts)).toEqual(Array.from(coarse.counts));
  });

  it("throws on misuse", () => {
    expect(() => new ScoreHistogram(1)).toThrow(/bins/);
    expect(() => new ScoreHistogram(2.5)).toThrow(/bins/);
    expect(() => new ScoreHistogram(10, 1, 1)).toThrow(/range/);
    expect(() => new ScoreHistogram(10, 0, Number.POSITIVE_INFINITY)).toThrow(/range/);
    expect(() => new ScoreHistogram().add(Number.NaN)).toThrow(/finite/);
    expect(() => new ScoreHistogram(10).merge(new ScoreHistogram(15))).toThrow(/cannot merge/);
    expect(() => new ScoreHistogram(10).coarsened(3)).toThrow(/coarsen/);
    expect(() => new ScoreHistogram(10, 0, 1).merge(new ScoreHistogram(10, 0, 2))).toThrow(/cannot merge/);
  });
});
