import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  cdfBandEpsilon,
  cdfBandPValue,
  cdfBandTwoSample,
  lilBoundC,
  quantileBounds,
} from "../../src/stats/cdf-band.js";
import { mulberry32, randomNormal } from "../../src/stats/random.js";
import { loadSequentialFixture, relClose } from "./sequential-fixture.js";

const fixture = loadSequentialFixture();

/** Each raw value as its own bucket, sorted. */
function bucketsOf(values: number[]): Array<[number, number]> {
  return [...values].sort((a, b) => a - b).map((v) => [v, 1]);
}

describe("LIL CDF band constant and width (Howard & Ramdas 2022 Thm 2)", () => {
  // REFERENCES §2.4 b1: values from reimplementing confseq EmpiricalProcessLILBound::find_optimal_C.
  const table: Array<[number, number]> = [
    [0.001, 10.9431],
    [0.01, 9.2835],
    [0.025, 8.6226],
    [0.05, 8.1227],
    [0.1, 7.623],
    [0.2, 7.1236],
  ];
  it.each(table)("C_alpha(%s) = %s", (alpha, c) => {
    expect(lilBoundC(alpha)).toBeCloseTo(c, 4);
  });

  it("epsilon(t = 1000, alpha = .05, t_min = 100) = 0.0820477 (confseq uniform_boundaries_unittest)", () => {
    // The reference is printed to 7 decimals (0.08204779 here), hence 6-decimal agreement.
    expect(cdfBandEpsilon(1000, 0.05, 100)).toBeCloseTo(0.0820477, 6);
  });

  it("matches the scipy re-solve of C_alpha and epsilon on 30 cases", () => {
    for (const c of fixture.lilBound) {
      expect(relClose(lilBoundC(c.alpha), c.C, 1e-7), `C(${c.alpha})`).toBe(true);
      expect(
        relClose(cdfBandEpsilon(c.t, c.alpha, c.tMin), c.epsilon, 1e-7),
        `eps ${JSON.stringify(c)}`,
      ).toBe(true);
    }
  });

  it("is the trivial band (1) before t_min and shrinks with t and alpha", () => {
    expect(cdfBandEpsilon(50, 0.05, 100)).toBe(1);
    expect(cdfBandEpsilon(0, 0.05)).toBe(1);
    expect(cdfBandEpsilon(2000, 0.05)).toBeLessThan(cdfBandEpsilon(1000, 0.05));
    expect(cdfBandEpsilon(1000, 0.01)).toBeGreaterThan(cdfBandEpsilon(1000, 0.05));
  });

  it("throws on invalid input", () => {
    expect(() => lilBoundC(0)).toThrow(/alpha/);
    expect(() => cdfBandEpsilon(Number.NaN, 0.05)).toThrow(/t must/);
    expect(() => cdfBandEpsilon(10, 0.05, 0)).toThrow(/tMin/);
  });
});

describe("quantileBounds", () => {
  it("uses x(floor(t(p-eps))+1) and x(ceil(t(p+eps))) on raw values", () => {
    const values = Array.from({ length: 10 }, (_, i) => (i + 1) * 10); // x(k) = 10k
    // t = 10, p = .5, eps = .13: lower index floor(3.7)+1 = 4, upper index ceil(6.3) = 7
    expect(quantileBounds(bucketsOf(values), 0.5, 0.13)).toEqual([40, 70]);
    // band leaves the data: lower index floor(10*(0.05-0.13))+1 = 0 < 1, upper index ceil(10.8) = 11 > 10
    expect(quantileBounds(bucketsOf(values), 0.05, 0.13)).toEqual([Number.NEGATIVE_INFINITY, 20]);
    expect(quantileBounds(bucketsOf(values), 0.95, 0.13)).toEqual([90, Number.POSITIVE_INFINITY]);
  });

  it("weighted buckets give the same bounds as the expanded raw sample", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: 1, max: 5 })), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (pairs, p, eps) => {
          const merged = new Map<number, number>();
          for (const [v, c] of pairs) merged.set(v, (merged.get(v) ?? 0) + c);
          const buckets = [...merged.entries()].sort((a, b) => a[0] - b[0]);
          const raw = buckets.flatMap(([v, c]) => Array<number>(c).fill(v));
          const t = raw.length;
          const lo = Math.min(t, Math.floor(t * (p - eps)) + 1);
          const hi = Math.ceil(t * (p + eps));
          const expected = [lo < 1 ? -Infinity : raw[lo - 1], hi > t ? Infinity : raw[Math.max(1, hi) - 1]];
          expect(quantileBounds(buckets, p, eps)).toEqual(expected);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it("throws on unsorted or empty buckets and bad p", () => {
    expect(() => quantileBounds([], 0.5, 0.1)).toThrow(/empty/);
    expect(() =>
      quantileBounds(
        [
          [2, 1],
          [1, 1],
        ],
        0.5,
        0.1,
      ),
    ).toThrow(/sorted/);
    expect(() => quantileBounds([[1, 1]], 1.5, 0.1)).toThrow(/p must/);
    expect(() => quantileBounds([[1, 0]], 0.5, 0.1)).toThrow(/positive total/);
  });
});

describe("cdfBandTwoSample (Netflix quantile-difference test)", () => {
  const random = mulberry32(42);
  const sample = (n: number, shift: number) =>
    Array.from({ length: n }, () => randomNormal(random, shift, 1));

  it("builds each band at alpha/2 and reports D_low/D_high at the requested p", () => {
    const baseline = bucketsOf(sample(400, 0));
    const candidate = bucketsOf(sample(300, 0));
    const r = cdfBandTwoSample(baseline, candidate, 0.05, [0.5, 0.9]);
    expect(r.epsilonBaseline).toBeCloseTo(cdfBandEpsilon(400, 0.025), 12);
    expect(r.epsilonCandidate).toBeCloseTo(cdfBandEpsilon(300, 0.025), 12);
    for (const q of r.quantiles) {
      const [bl, bu] = quantileBounds(baseline, q.p, r.epsilonBaseline);
      const [cl, cu] = quantileBounds(candidate, q.p, r.epsilonCandidate);
      expect(q.lower).toBe(cl - bu);
      expect(q.upper).toBe(cu - bl);
    }
  });

  it("scans all p: maxLower/minUpper bound every D_low/D_high on a fine grid", () => {
    for (const shift of [0, 0.5, 1.5]) {
      const baseline = bucketsOf(sample(60, 0));
      const candidate = bucketsOf(sample(80, shift));
      const r = cdfBandTwoSample(baseline, candidate, 0.05);
      let gridMax = -Infinity;
      let gridMin = Infinity;
      for (let i = 0; i <= 20000; i++) {
        const p = i / 20000;
        const [bl, bu] = quantileBounds(baseline, p, r.epsilonBaseline);
        const [cl, cu] = quantileBounds(candidate, p, r.epsilonCandidate);
        gridMax = Math.max(gridMax, cl - bu);
        gridMin = Math.min(gridMin, cu - bl);
      }
      expect(r.maxLower).toBeGreaterThanOrEqual(gridMax);
      expect(r.minUpper).toBeLessThanOrEqual(gridMin);
      // every value it reports is attained by some pair of order statistics
      if (Number.isFinite(r.maxLower)) {
        const attained = candidate.some(([c]) => baseline.some(([b]) => c - b === r.maxLower));
        expect(attained).toBe(true);
      }
    }
  });

  it("separates a 1-sd shift with 1000 per arm and not identical samples", () => {
    const baseline = bucketsOf(sample(1000, 0));
    const shifted = cdfBandTwoSample(baseline, bucketsOf(sample(1000, 1)), 0.05);
    expect(shifted.separated).toBe(true);
    expect(shifted.maxLower).toBeGreaterThan(0);
    const same = cdfBandTwoSample(baseline, baseline, 0.05);
    expect(same.separated).toBe(false);
  });

  it("p-value is the smallest alpha that rejects", () => {
    const baseline = bucketsOf(sample(500, 0));
    const candidate = bucketsOf(sample(500, 0.45));
    const p = cdfBandPValue(baseline, candidate);
    expect(p).toBeGreaterThan(1e-12);
    expect(p).toBeLessThan(0.5);
    expect(cdfBandTwoSample(baseline, candidate, p * 1.001, []).separated).toBe(true);
    expect(cdfBandTwoSample(baseline, candidate, p * 0.99, []).separated).toBe(false);
    const greater = cdfBandPValue(baseline, candidate, "greater");
    expect(greater).toBeGreaterThanOrEqual(p);
    expect(cdfBandPValue(candidate, baseline, "greater")).toBe(1);
    expect(cdfBandPValue(baseline, baseline)).toBe(1);
  });
});
