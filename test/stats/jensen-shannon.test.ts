import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jensenShannon } from "../../src/stats/jensen-shannon.js";
import { errorCases, loadDistributionFixture, relErr, worst } from "./distribution-fixture.js";

// Reference: scipy.spatial.distance.jensenshannon(base=2) (scipy 1.10) via gen_distribution.py.
describe("jensenShannon", () => {
  it("matches scipy to 1e-9 relative (counts and probabilities, zeros, disjoint, identical)", () => {
    const cases = loadDistributionFixture().jensenShannon;
    expect(cases.length).toBeGreaterThanOrEqual(40);
    // Identical inputs give ~1e-8 from scipy's rounding, 0 here: absolute floor 1e-7 for those.
    const w = worst(
      cases,
      (c) => relErr(jensenShannon(c.p, c.q), c.value, 1e-7),
      (c) => JSON.stringify(c.p).slice(0, 60),
    );
    expect(w.max, w.at).toBeLessThan(1e-9);
    expect(jensenShannon([1, 0], [0, 1])).toBe(1);
  });

  it("lies in [0, 1], JS(p, p) = 0, symmetric, and ignores the scale of counts", () => {
    const counts = fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(counts, counts, fc.integer({ min: 1, max: 100 }), (a, b, scale) => {
        const k = Math.min(a.length, b.length);
        const p = a.slice(0, k);
        const q = b.slice(0, k);
        fc.pre(p.some((x) => x > 0) && q.some((x) => x > 0));
        const js = jensenShannon(p, q);
        expect(js).toBeGreaterThanOrEqual(0);
        expect(js).toBeLessThanOrEqual(1 + 1e-15);
        expect(jensenShannon(p, p)).toBe(0);
        expect(jensenShannon(q, p)).toBeCloseTo(js, 14);
        expect(
          jensenShannon(
            p.map((x) => x * scale),
            q,
          ),
        ).toBeCloseTo(js, 12);
      }),
    );
  });

  it("throws naming the empty, zero-total, negative or NaN argument", () => {
    for (const e of errorCases("jensenShannon"))
      expect(() => jensenShannon(...(e.args as [number[], number[]]))).toThrow(e.argument);
    expect(() => jensenShannon([1, -1], [1, 1])).toThrow(/p must be/);
    expect(() => jensenShannon([1, 1], [1, Number.NaN])).toThrow(/q must be/);
    expect(() => jensenShannon([1, 1], [1])).toThrow(/entries/);
  });
});
