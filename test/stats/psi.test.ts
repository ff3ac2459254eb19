import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { psi, psiFromCounts, psiFromHistograms, psiNoiseFloor } from "../../src/stats/psi.js";
import { errorCases, loadDistributionFixture, relErr, worst } from "./distribution-fixture.js";

// Reference: gen_distribution.py computes PSI with numpy.quantile (type 7) edges, ±inf outer edges and
// numpy.histogram counts — the same definition as psi.ts, independently implemented (scipy has no PSI).
describe("psi", () => {
  const f = loadDistributionFixture();

  it("sample PSI, noise floor and edges match the numpy reference (1e-12 relative)", () => {
    expect(f.psi.length).toBeGreaterThanOrEqual(40);
    const results = new Map(f.psi.map((c) => [c, psi(f.pairs[c.pair].a, f.pairs[c.pair].b, c.bins)]));
    const label = (c: (typeof f.psi)[number]) => `${f.pairs[c.pair].name} bins=${c.bins}`;
    const get = (c: (typeof f.psi)[number]) => results.get(c) as ReturnType<typeof psi>;
    const value = worst(f.psi, (c) => relErr(get(c).psi, c.psi, 1e-15), label);
    const floor = worst(f.psi, (c) => relErr(get(c).noiseFloor, c.noiseFloor), label);
    expect(value.max, value.at).toBeLessThan(1e-12);
    expect(floor.max, floor.at).toBeLessThan(1e-12);
    for (const c of f.psi) {
      expect(get(c).edges.slice(1, -1)).toEqual(c.innerEdges);
      expect(get(c).edges[0]).toBe(Number.NEGATIVE_INFINITY);
      expect(get(c).edges.at(-1)).toBe(Number.POSITIVE_INFINITY);
    }
  });

  it("histogram PSI regroups fine bins like the numpy reference (edges exact, value 1e-12)", () => {
    expect(f.psiFromHistograms.length).toBeGreaterThanOrEqual(40);
    for (const c of f.psiFromHistograms) {
      const r = psiFromHistograms(c.baseline, c.candidate, c.bins);
      expect(r.edges).toEqual(c.edges);
      expect(relErr(r.psi, c.psi, 1e-15)).toBeLessThan(1e-12);
      expect(relErr(r.noiseFloor, c.noiseFloor)).toBeLessThan(1e-12);
    }
  });

  it("hand example: shares (.5,.5) → (.25,.75) gives 0.25·ln 3", () => {
    expect(psiFromCounts([5, 5], [1, 3])).toBeCloseTo(0.25 * Math.log(3), 15);
    expect(psiNoiseFloor(10, 1000, 1000)).toBeCloseTo(0.018, 15);
  });

  it("PSI ≥ 0, = 0 on identical inputs, symmetric in the counts version", () => {
    const counts = fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 2, maxLength: 30 });
    fc.assert(
      fc.property(counts, counts, (a, b) => {
        const k = Math.min(a.length, b.length);
        const base = a.slice(0, k);
        const cand = b.slice(0, k);
        fc.pre(base.some((x) => x > 0) && cand.some((x) => x > 0));
        expect(psiFromCounts(base, cand)).toBeGreaterThanOrEqual(0);
        expect(psiFromCounts(base, base)).toBe(0);
        expect(psiFromCounts(base, cand)).toBeCloseTo(psiFromCounts(cand, base), 12);
        const h = psiFromHistograms(base, cand);
        expect(h.psi).toBeGreaterThanOrEqual(0);
        expect(h.edges[0]).toBe(0);
        expect(h.edges.at(-1)).toBe(k);
      }),
    );
    const sample = fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 60 });
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        expect(psi(a, b).psi).toBeGreaterThanOrEqual(0);
        expect(psi(a, a).psi).toBe(0);
      }),
    );
  });

  it("throws naming the empty or NaN argument", () => {
    for (const e of errorCases("psi"))
      expect(() => psi(...(e.args as [number[], number[]]))).toThrow(e.argument);
    for (const e of errorCases("psiFromCounts"))
      expect(() => psiFromCounts(...(e.args as [number[], number[]]))).toThrow(e.argument);
    for (const e of errorCases("psiFromHistograms"))
      expect(() => psiFromHistograms(...(e.args as [number[], number[]]))).toThrow(e.argument);
    expect(() => psi([1, Number.NaN], [1])).toThrow(/baseline/);
    expect(() => psi([1], [Number.POSITIVE_INFINITY])).toThrow(/candidate must be finite/);
    expect(() => psiFromCounts([1, 1], [1, Number.NaN])).toThrow(/candidate/);
    expect(() => psi([1, 2], [1], 1)).toThrow(/bins/);
  });
});
