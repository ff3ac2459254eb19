import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type SpendingFunction, spentAlpha } from "../../src/stats/alpha-spending.js";
import { loadGroupSequentialFixture } from "./group-sequential-fixture.js";

const fixture = loadGroupSequentialFixture();

describe("Lan–DeMets spending functions", () => {
  it("match scipy at every fixture fraction (norm.sf / log for the two forms)", () => {
    expect(fixture.spendingValues.length).toBeGreaterThan(40);
    for (const { spending, alpha, fraction, spent } of fixture.spendingValues) {
      const actual = spentAlpha(spending, alpha, fraction);
      expect(Math.abs(actual - spent)).toBeLessThanOrEqual(1e-12 * Math.max(spent, 1e-300));
    }
  });

  it("keeps relative accuracy for tiny early O'Brien–Fleming spends", () => {
    // 2·(1 − Φ(z_{0.995}/√0.01)) = 2·Φ̄(25.758) ≈ 2.4e-146: 1 − Φ would round to 0.
    const tiny = spentAlpha("obrien-fleming", 0.01, 0.01);
    expect(tiny).toBeGreaterThan(1e-147);
    expect(tiny).toBeLessThan(1e-145);
  });

  it("spends nothing at t = 0, all of alpha at t = 1 and beyond", () => {
    for (const spending of ["obrien-fleming", "pocock"] as SpendingFunction[]) {
      expect(spentAlpha(spending, 0.05, 0)).toBe(0);
      expect(spentAlpha(spending, 0.05, 1)).toBe(0.05);
      expect(spentAlpha(spending, 0.05, 7.5)).toBe(0.05);
    }
  });

  it("is non-decreasing in t and never above alpha", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<SpendingFunction>("obrien-fleming", "pocock"),
        fc.double({ min: 1e-4, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 1.2, noNaN: true }),
        fc.double({ min: 0, max: 1.2, noNaN: true }),
        (spending, alpha, s, t) => {
          const [early, late] = s <= t ? [s, t] : [t, s];
          const a = spentAlpha(spending, alpha, early);
          const b = spentAlpha(spending, alpha, late);
          return a >= 0 && a <= b && b <= alpha;
        },
      ),
    );
  });

  it("throws naming the bad argument", () => {
    expect(() => spentAlpha("obrien-fleming", 0, 0.5)).toThrow(/alpha/);
    expect(() => spentAlpha("obrien-fleming", 1, 0.5)).toThrow(/alpha/);
    expect(() => spentAlpha("pocock", 0.05, -0.1)).toThrow(/fraction/);
    expect(() => spentAlpha("pocock", 0.05, Number.NaN)).toThrow(/fraction/);
    expect(() => spentAlpha("linear" as SpendingFunction, 0.05, 0.5)).toThrow(/spending/);
  });
});
