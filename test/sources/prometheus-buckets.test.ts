import { describe, expect, it } from "vitest";
import { LatencySketch } from "../../src/sketch/latency-sketch.js";
import {
  decumulate,
  featureSketchFromBuckets,
  latencySketchFromBuckets,
  scoreHistogramFromBuckets,
} from "../../src/sources/prometheus/buckets.js";
import { featuresFromRows } from "../../src/sources/prometheus/features.js";

describe("decumulate", () => {
  it("turns cumulative le counts into per-bucket counts in le order", () => {
    const rows = [
      { le: "+Inf", value: 10 },
      { le: "0.5", value: 4 },
      { le: "0.25", value: 1 },
      { le: "1", value: 9 },
    ];
    expect(decumulate(rows)).toEqual([
      { lo: Number.NEGATIVE_INFINITY, hi: 0.25, count: 1 },
      { lo: 0.25, hi: 0.5, count: 3 },
      { lo: 0.5, hi: 1, count: 5 },
      { lo: 1, hi: Number.POSITIVE_INFINITY, count: 1 },
    ]);
  });

  it("rounds extrapolated fractions and never yields a negative bucket", () => {
    const rows = [
      { le: "1", value: 2.4 },
      { le: "2", value: 2.2 },
      { le: "+Inf", value: 5.6 },
    ];
    expect(decumulate(rows).map((b) => b.count)).toEqual([2, 0, 4]);
  });
});

describe("scoreHistogramFromBuckets", () => {
  it("is exact when the le edges are the layout's bin edges", () => {
    // 4 bins on [0, 1]: edges 0.25 0.5 0.75 1
    const h = scoreHistogramFromBuckets(
      decumulate([
        { le: "0.25", value: 3 },
        { le: "0.5", value: 3 },
        { le: "0.75", value: 7 },
        { le: "1", value: 8 },
        { le: "+Inf", value: 8 },
      ]),
      4,
      0,
      1,
    );
    expect(Array.from(h.counts)).toEqual([3, 0, 4, 1]);
    expect(h.clamped).toBe(0);
  });

  it("puts a coarser bucket's count in the bin of its midpoint and scores above the last edge in the last bin, clamped", () => {
    // 10 bins on [0, 1]; buckets (−∞,0.2] (0.2,0.6] (0.6,1] (1,+Inf]
    const h = scoreHistogramFromBuckets(
      decumulate([
        { le: "0.2", value: 2 },
        { le: "0.6", value: 7 },
        { le: "1", value: 9 },
        { le: "+Inf", value: 10 },
      ]),
      10,
      0,
      1,
    );
    const want = new Array(10).fill(0);
    want[1] = 2; // midpoint 0.1
    want[4] = 5; // midpoint 0.4
    want[8] = 2; // midpoint 0.8
    want[9] = 1; // +Inf
    expect(Array.from(h.counts)).toEqual(want);
    expect(h.clamped).toBe(1);
  });
});

describe("latencySketchFromBuckets", () => {
  it("keeps the sketch's buckets when the le edges are the sketch's edges", () => {
    const original = new LatencySketch(0.01);
    for (const x of [0, 0.7, 3, 3.01, 12.5, 12.6, 250, 251, 999]) original.add(x);
    const idx = [...original.pos.keys()].sort((a, b) => a - b);
    const rows = [{ le: "0", value: original.zero }];
    let cum = original.zero;
    for (let i = idx[0] - 1; i <= idx[idx.length - 1]; i++) {
      cum += original.pos.get(i) ?? 0;
      rows.push({ le: String(original.upperEdge(i) / 1000), value: cum });
    }
    rows.push({ le: "+Inf", value: cum });
    const rebuilt = latencySketchFromBuckets(decumulate(rows), 0.01, 1000, original.sum);
    expect(rebuilt.zero).toBe(original.zero);
    expect([...rebuilt.pos].sort((a, b) => a[0] - b[0])).toEqual(
      [...original.pos].sort((a, b) => a[0] - b[0]),
    );
    expect(rebuilt.sum).toBe(original.sum);
  });

  it("with coarse edges, every quantile is within sqrt(hi/lo) − 1 (plus the sketch's 1%) of the value", () => {
    // Prometheus' default buckets (s): a value in (0.1, 0.25] is placed at sqrt(0.025) s
    const values = [0.11, 0.12, 0.2, 0.24, 0.26, 0.3, 0.45, 0.49];
    const edges = [0.1, 0.25, 0.5];
    const rows = edges.map((le) => ({ le: String(le), value: values.filter((v) => v <= le).length }));
    rows.push({ le: "+Inf", value: values.length });
    const rebuilt = latencySketchFromBuckets(decumulate(rows), 0.01, 1000);
    const bound = (Math.sqrt(0.25 / 0.1) - 1 + 0.01) * 1.01;
    for (let k = 0; k < values.length; k++) {
      const q = k / (values.length - 1);
      const got = rebuilt.quantile(q) / 1000;
      expect(Math.abs(got - values[k]) / values[k]).toBeLessThanOrEqual(bound);
    }
    expect(rebuilt.quantile(0) / 1000).toBeCloseTo(Math.sqrt(0.1 * 0.25), 2);
  });

  it("places the lowest bucket at half its edge, le<=0 at zero and the +Inf bucket at the last edge", () => {
    const rebuilt = latencySketchFromBuckets(
      decumulate([
        { le: "0", value: 2 },
        { le: "0.004", value: 3 },
        { le: "+Inf", value: 4 },
      ]),
      0.01,
      1000,
    );
    const b = rebuilt.buckets();
    expect(b[0]).toEqual([0, 2]);
    expect(Math.abs(b[1][0] - 2) / 2).toBeLessThanOrEqual(0.01);
    expect(Math.abs(b[2][0] - 4) / 4).toBeLessThanOrEqual(0.01);
  });
});

describe("featureSketchFromBuckets", () => {
  it("places each bucket at its documented point: signed geometric middles, 0 for (a, 0], ends at their last edge", () => {
    const rebuilt = featureSketchFromBuckets(
      decumulate([
        { le: "-100", value: 1 }, // (−∞, −100] → −100
        { le: "-4", value: 3 }, // (−100, −4] → −√400 = −20
        { le: "-1", value: 4 }, // (−4, −1] → −2
        { le: "0", value: 9 }, // (−1, 0] → 0
        { le: "2", value: 10 }, // (0, 2] → 1
        { le: "8", value: 12 }, // (2, 8] → 4
        { le: "+Inf", value: 13 }, // (8, +∞) → 8
      ]),
      0.01,
    );
    const want = new LatencySketch(0.01);
    for (const [x, n] of [
      [-100, 1],
      [-20, 2],
      [-2, 1],
      [0, 5],
      [1, 1],
      [4, 2],
      [8, 1],
    ])
      want.add(x, n);
    expect(rebuilt.buckets()).toEqual(want.buckets());
  });

  it("puts a bucket that straddles zero at its midpoint", () => {
    const rebuilt = featureSketchFromBuckets(
      decumulate([
        { le: "-3", value: 0 },
        { le: "1", value: 2 },
        { le: "+Inf", value: 2 },
      ]),
      0.01,
    );
    const want = new LatencySketch(0.01);
    want.add(-1, 2);
    expect(rebuilt.buckets()).toEqual(want.buckets());
  });
});

describe("featuresFromRows", () => {
  const labels = { feature: "feature", category: "category" };
  const cat = (feature: string, category: string, value: number) => ({
    labels: { feature, category },
    value,
  });
  const num = (feature: string, le: string, value: number) => ({ labels: { feature, le }, value });
  const limits = { maxFeatures: 200, maxCategories: 200 };

  it("keeps only what the window holds: no zero-count category, no feature without values", () => {
    const f = featuresFromRows(
      [num("age", "10", 0), num("age", "+Inf", 0), num("income", "0", 0), num("income", "+Inf", 3)],
      [cat("country", "de", 4), cat("country", "fr", 0), cat("channel", "web", 0)],
      labels,
      0.01,
      limits,
    );
    expect([...f.keys()].sort()).toEqual(["country", "income"]);
    const country = f.get("country")!;
    expect(country.kind === "categorical" && Object.fromEntries(country.counts)).toEqual({ de: 4 });
  });

  it("leaves a feature out whole beyond the store's limits, never a part of it", () => {
    const many = Array.from({ length: 5 }, (_, i) => cat("user", `u${i}`, 1));
    const f = featuresFromRows(
      [num("both", "+Inf", 2), num("z", "+Inf", 1)],
      [...many, cat("both", "x", 1), cat("a", "x", 1), cat("b", "y", 1), cat("c", "y", 1)],
      labels,
      0.01,
      { maxFeatures: 3, maxCategories: 4 },
    );
    // "user" has 5 categories (> 4) and "both" is exported as both kinds: out; then the first
    // three names in order: a, b, c ("z" is beyond the feature limit)
    expect([...f.keys()]).toEqual(["a", "b", "c"]);
  });
});
