import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quantile, quantileSorted } from "../../src/stats/quantile.js";
import { errorCases, loadDistributionFixture, relErr, worst } from "./distribution-fixture.js";

// Reference: numpy.quantile (method="linear", type 7) via gen_distribution.py.
describe("quantile (type 7)", () => {
  it("matches numpy.quantile to 1e-15 relative (n = 1…1000, ties, q = 0 and 1)", () => {
    const cases = loadDistributionFixture().quantile;
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const w = worst(
      cases,
      (c) => relErr(quantile(c.values, c.q), c.value, 1e-300),
      (c) => `n=${c.values.length} q=${c.q}`,
    );
    expect(w.max, w.at).toBeLessThanOrEqual(1e-15);
  });

  it("is monotone in q and stays within [min, max]", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, q1, q2) => {
          const sorted = Float64Array.from(values).sort();
          const [lo, hi] = q1 <= q2 ? [q1, q2] : [q2, q1];
          expect(quantileSorted(sorted, lo)).toBeLessThanOrEqual(quantileSorted(sorted, hi));
          expect(quantileSorted(sorted, lo)).toBeGreaterThanOrEqual(sorted[0]);
          expect(quantileSorted(sorted, hi)).toBeLessThanOrEqual(sorted[sorted.length - 1]);
        },
      ),
    );
  });

  it("throws on empty input, NaN and q outside [0, 1]", () => {
    for (const e of errorCases("quantile"))
      expect(() => quantile(...(e.args as [number[], number]))).toThrow(e.argument);
    for (const e of errorCases("quantileSorted"))
      expect(() => quantileSorted(...(e.args as [number[], number]))).toThrow(e.argument);
    expect(() => quantile([1, Number.NaN], 0.5)).toThrow(/values/);
    expect(() => quantile([1, 2], 1.5)).toThrow(/q must be/);
  });
});
