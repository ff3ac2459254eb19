import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chiSquareContingency } from "../../src/stats/chi-square.js";
import { errorCases, loadDistributionFixture, relErr, worst } from "./distribution-fixture.js";

// Reference: scipy.stats.chi2_contingency(correction=False) (scipy 1.10) on the table without all-zero
// rows/columns, via gen_distribution.py.
describe("chiSquareContingency", () => {
  it("statistic, p-value and dof match scipy (1e-12 / 1e-9 relative) for 2×2 … 6×8 tables", () => {
    const cases = loadDistributionFixture().chiSquare;
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const label = (c: (typeof cases)[number]) => JSON.stringify(c.table).slice(0, 80);
    const stat = worst(
      cases,
      (c) => relErr(chiSquareContingency(c.table).statistic, c.statistic, 1e-12),
      label,
    );
    const p = worst(cases, (c) => relErr(chiSquareContingency(c.table).pValue, c.pValue), label);
    expect(stat.max, stat.at).toBeLessThan(1e-12);
    expect(p.max, p.at).toBeLessThan(1e-9);
    for (const c of cases) expect(chiSquareContingency(c.table).dof, label(c)).toBe(c.dof);
  });

  it("2×2 without Yates: [[10, 20], [20, 10]] gives X² = 20/3", () => {
    expect(
      chiSquareContingency([
        [10, 20],
        [20, 10],
      ]).statistic,
    ).toBeCloseTo(20 / 3, 13);
  });

  it("X² ≥ 0, p in [0, 1], invariant to transposition", () => {
    const table = fc.array(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 3, maxLength: 3 }), {
      minLength: 2,
      maxLength: 4,
    });
    fc.assert(
      fc.property(table, (t) => {
        fc.pre(t.some((row) => row.some((v) => v > 0)));
        const r = chiSquareContingency(t);
        expect(r.statistic).toBeGreaterThanOrEqual(0);
        expect(r.pValue).toBeGreaterThanOrEqual(0);
        expect(r.pValue).toBeLessThanOrEqual(1);
        const transposed = t[0].map((_, j) => t.map((row) => row[j]));
        expect(chiSquareContingency(transposed).statistic).toBeCloseTo(r.statistic, 9);
      }),
    );
  });

  it("throws naming the table for empty, all-zero, ragged, negative or NaN input", () => {
    for (const e of errorCases("chiSquareContingency"))
      expect(() => chiSquareContingency(...(e.args as [number[][]]))).toThrow(e.argument);
    expect(() => chiSquareContingency([[1, 2], [3]])).toThrow(/table/);
    expect(() =>
      chiSquareContingency([
        [1, -2],
        [3, 4],
      ]),
    ).toThrow(/table/);
    expect(() =>
      chiSquareContingency([
        [1, Number.NaN],
        [3, 4],
      ]),
    ).toThrow(/table/);
  });
});
