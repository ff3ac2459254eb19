import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mannWhitneyU } from "../../src/stats/mann-whitney.js";
import { normalSf } from "../../src/stats/normal.js";
import { errorCases, loadDistributionFixture, relErr, worst } from "./distribution-fixture.js";

// Reference: scipy.stats.mannwhitneyu(method="asymptotic") (scipy 1.10) via gen_distribution.py.
describe("mannWhitneyU", () => {
  const f = loadDistributionFixture();
  const results = new Map(
    f.mannWhitney.map((c) => [
      c,
      mannWhitneyU(f.pairs[c.pair].a, f.pairs[c.pair].b, c.alternative, c.useContinuity),
    ]),
  );
  const run = (c: (typeof f.mannWhitney)[number]) => results.get(c) as ReturnType<typeof mannWhitneyU>;
  const label = (c: (typeof f.mannWhitney)[number]) =>
    `${f.pairs[c.pair].name} ${c.alternative} continuity=${c.useContinuity}`;

  it("U1 and p match scipy to 1e-9 relative for 3 alternatives × continuity on/off", () => {
    expect(f.mannWhitney.length).toBeGreaterThanOrEqual(40);
    for (const alt of ["two-sided", "less", "greater"])
      expect(f.mannWhitney.filter((c) => c.alternative === alt).length).toBeGreaterThanOrEqual(40);
    const u = worst(f.mannWhitney, (c) => relErr(run(c).u1, c.u1, 0), label);
    const p = worst(f.mannWhitney, (c) => relErr(run(c).pValue, c.pValue), label);
    expect(u.max, u.at).toBe(0);
    expect(p.max, p.at).toBeLessThan(1e-9);
  });

  it("z agrees with scipy's p (z = isf(p/f)) where that is well conditioned", () => {
    const withZ = f.mannWhitney.filter((c) => c.z !== null);
    expect(withZ.length).toBeGreaterThanOrEqual(40);
    const z = worst(withZ, (c) => relErr(run(c).z, c.z as number, 1e-12), label);
    expect(z.max, z.at).toBeLessThan(1e-8);
  });

  it("U1 + U2 = n·m, p in [0, 1], and swapping x and y swaps U1 and U2", () => {
    const sample = fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(sample, sample, fc.boolean(), (x, y, continuity) => {
        const r = mannWhitneyU(x, y, "two-sided", continuity);
        expect(r.u1 + r.u2).toBe(x.length * y.length);
        expect(r.pValue).toBeGreaterThanOrEqual(0);
        expect(r.pValue).toBeLessThanOrEqual(1);
        const swapped = mannWhitneyU(y, x, "two-sided", continuity);
        expect(swapped.u1).toBe(r.u2);
        expect(swapped.pValue).toBeCloseTo(r.pValue, 12);
        const greater = mannWhitneyU(x, y, "greater", continuity);
        expect(mannWhitneyU(y, x, "less", continuity).pValue).toBeCloseTo(greater.pValue, 12);
        if (Number.isFinite(greater.z) && greater.z !== 0)
          expect(greater.pValue).toBeCloseTo(normalSf(greater.z), 14);
      }),
    );
  });

  it("all values tied: z = 0 and p = 1 instead of scipy's NaN", () => {
    expect(mannWhitneyU([3, 3], [3, 3, 3])).toEqual({ u1: 3, u2: 3, z: 0, pValue: 1 });
  });

  it("throws naming the empty or NaN argument", () => {
    for (const e of errorCases("mannWhitneyU"))
      expect(() => mannWhitneyU(...(e.args as [number[], number[]]))).toThrow(e.argument);
    expect(() => mannWhitneyU([Number.NaN], [1])).toThrow(/x must not/);
    expect(() => mannWhitneyU([1], [Number.NaN])).toThrow(/y must not/);
  });
});
