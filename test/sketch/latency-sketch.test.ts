import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LatencySketch } from "../../src/sketch/latency-sketch.js";

/** Exact lower order statistic quantile (numpy method="lower"): sorted[floor(q·(n − 1))]. */
function lowerQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))];
}

function sketchOf(values: number[], alpha = 0.01): LatencySketch {
  const s = new LatencySketch(alpha);
  for (const v of values) s.add(v);
  return s;
}

// Values of any sign and magnitude, including exact zeros; nothing in (0, 1e-6) so that the
// "closer to 0 than 1e-9 counts as zero" rule is exercised only by real zeros.
const value = fc.oneof(
  fc.constant(0),
  fc.double({ min: 1e-6, max: 1e9, noNaN: true }),
  fc.double({ min: -1e9, max: -1e-6, noNaN: true }),
  fc.integer({ min: -1000, max: 1000 }),
);
const accuracy = fc.constantFrom(0.001, 0.01, 0.05);

describe("LatencySketch (DDSketch)", () => {
  it("every quantile is within relative error alpha of the exact lower order statistic", () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 300 }), accuracy, (values, alpha) => {
        const s = sketchOf(values, alpha);
        for (const q of [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1]) {
          const exact = lowerQuantile(values, q);
          // 1e-12 relative absorbs floating rounding for values exactly on a bucket edge.
          expect(Math.abs(s.quantile(q) - exact)).toBeLessThanOrEqual(alpha * Math.abs(exact) * (1 + 1e-12));
        }
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it("min, max, count and sum are exact", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 100 }),
        (values) => {
          const s = sketchOf(values);
          expect(s.count).toBe(values.length);
          expect(s.min).toBe(Math.min(...values));
          expect(s.max).toBe(Math.max(...values));
          expect(s.sum).toBe(values.reduce((a, b) => a + b, 0));
          // Extreme quantiles are bucket representatives clamped into [min, max], not min/max themselves.
          expect(Math.abs(s.quantile(0) - s.min)).toBeLessThanOrEqual(0.01 * Math.abs(s.min) * (1 + 1e-12));
          expect(Math.abs(s.quantile(1) - s.max)).toBeLessThanOrEqual(0.01 * Math.abs(s.max) * (1 + 1e-12));
        },
      ),
      { seed: 12 },
    );
  });

  it("merge of two sketches equals the sketch of the concatenation (and is commutative)", () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 100 }), fc.array(value, { maxLength: 100 }), (a, b) => {
        const merged = sketchOf(a).merge(sketchOf(b));
        const whole = sketchOf([...a, ...b]);
        const other = sketchOf(b).merge(sketchOf(a));
        for (const m of [merged, other]) {
          const mj = m.toJSON();
          const wj = whole.toJSON();
          expect({ ...mj, sum: 0 }).toEqual({ ...wj, sum: 0 });
          expect(mj.sum).toBeCloseTo(wj.sum, 3);
          expect(m.count).toBe(whole.count);
          expect(m.buckets()).toEqual(whole.buckets());
        }
      }),
      { seed: 13 },
    );
  });

  it("toJSON/fromJSON round trip through JSON text preserves buckets, quantiles and extremes", () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 200 }), accuracy, (values, alpha) => {
        const s = sketchOf(values, alpha);
        const back = LatencySketch.fromJSON(JSON.parse(JSON.stringify(s.toJSON())));
        expect(back.toJSON()).toEqual(s.toJSON());
        expect(back.count).toBe(s.count);
        expect(back.min).toBe(s.min);
        expect(back.max).toBe(s.max);
        if (values.length > 0)
          for (const q of [0, 0.5, 0.99, 1]) expect(back.quantile(q)).toBe(s.quantile(q));
      }),
      { seed: 14 },
    );
  });

  it("keeps negatives, zeros and positives in value order", () => {
    const s = sketchOf([-100, -1, 0, 0, 0, 1e-12, 1, 100]);
    const buckets = s.buckets();
    expect(buckets.map(([, c]) => c)).toEqual([1, 1, 4, 1, 1]);
    expect(buckets[2]).toEqual([0, 4]); // 1e-12 is below MIN_INDEXABLE and counts as zero
    expect(buckets[0][0]).toBeCloseTo(-100, 0);
    expect(Math.abs(buckets[0][0] + 100)).toBeLessThanOrEqual(1);
    expect(s.quantile(0.5)).toBe(0);
    expect(s.cdf(0)).toBeCloseTo(6 / 8, 12);
    expect(s.cdf(-1000)).toBe(0);
  });

  it("cdf(x) lies between the exact CDF at x/(1+alpha) and at x/(1-alpha) for positive data", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-3, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 1e-3, max: 1e4, noNaN: true }),
        (values, x) => {
          const s = sketchOf(values);
          const exact = (y: number) => values.filter((v) => v <= y).length / values.length;
          const c = s.cdf(x);
          expect(c).toBeGreaterThanOrEqual(exact(x / 1.01 / (1 + 1e-12)));
          expect(c).toBeLessThanOrEqual(exact((x / 0.99) * (1 + 1e-12)));
        },
      ),
      { seed: 15 },
    );
  });

  it("throws on misuse", () => {
    expect(() => new LatencySketch(0)).toThrow(/relative accuracy/);
    expect(() => new LatencySketch(1)).toThrow(/relative accuracy/);
    expect(() => new LatencySketch().add(Number.NaN)).toThrow(/finite/);
    expect(() => new LatencySketch().quantile(0.5)).toThrow(/empty/);
    expect(() => sketchOf([1]).quantile(1.5)).toThrow(/\[0, 1\]/);
    expect(() => new LatencySketch().cdf(1)).toThrow(/empty/);
    expect(() => new LatencySketch(0.01).merge(new LatencySketch(0.02))).toThrow(/cannot merge/);
  });
});
