import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { wasserstein1, wasserstein1Aligned } from "../../src/stats/wasserstein.js";
import { errorCases, loadDistributionFixture, relErr, worst } from "./distribution-fixture.js";

// Reference: scipy.stats.wasserstein_distance (scipy 1.10) via gen_distribution.py.
describe("wasserstein1", () => {
  it("matches scipy to 1e-12 relative, with and without weights (heavy tails, ties, n up to 20000)", () => {
    const f = loadDistributionFixture();
    expect(f.wasserstein.filter((c) => c.uWeights === undefined).length).toBeGreaterThanOrEqual(30);
    expect(f.wasserstein.filter((c) => c.uWeights !== undefined).length).toBeGreaterThanOrEqual(30);
    const w = worst(
      f.wasserstein,
      (c) =>
        relErr(wasserstein1(f.pairs[c.pair].a, f.pairs[c.pair].b, c.uWeights, c.vWeights), c.value, 1e-15),
      (c) => `${f.pairs[c.pair].name} weighted=${c.uWeights !== undefined}`,
    );
    expect(w.max, w.at).toBeLessThan(1e-12);
  });

  it("hand example: point masses at 0 and 3 are 3 apart; a shift by s moves W by |s|", () => {
    expect(wasserstein1([0], [3])).toBe(3);
    expect(wasserstein1([0, 1], [0, 1], [3, 1], [1, 3])).toBeCloseTo(0.5, 15);
  });

  it("is symmetric, ≥ 0, and 0 on identical samples", () => {
    const sample = fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(sample, sample, (u, v) => {
        const d = wasserstein1(u, v);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(wasserstein1(v, u)).toBeCloseTo(d, 9);
        expect(wasserstein1(u, u)).toBe(0);
      }),
    );
  });

  it("throws naming the empty, NaN or badly weighted argument", () => {
    for (const e of errorCases("wasserstein1"))
      expect(() => wasserstein1(...(e.args as [number[], number[]]))).toThrow(e.argument);
    expect(() => wasserstein1([Number.NaN], [1])).toThrow(/u must be/);
    expect(() => wasserstein1([1], [1], [0])).toThrow(/uWeights/);
    expect(() => wasserstein1([1], [1], undefined, [1, 2])).toThrow(/vWeights/);
  });
});

describe("wasserstein1Aligned (two histograms on one support)", () => {
  it("equals wasserstein1 on the same weighted samples", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(50), fc.nat(50)), { minLength: 2, maxLength: 40 }),
        fc.double({ min: -5, max: 5, noNaN: true }),
        (pairs, start) => {
          const u = pairs.map(([a]) => a);
          const v = pairs.map(([, b]) => b);
          fc.pre(u.some((x) => x > 0) && v.some((x) => x > 0));
          const support = pairs.map((_, k) => start + k * 0.37);
          const expected = wasserstein1(support, support, u, v);
          expect(Math.abs(wasserstein1Aligned(support, u, v) - expected)).toBeLessThanOrEqual(
            1e-12 * Math.max(1, expected),
          );
        },
      ),
    );
  });

  it("refuses a support that is not strictly increasing, and bad weights", () => {
    expect(() => wasserstein1Aligned([0, 0], [1, 1], [1, 1])).toThrow(/strictly increasing/);
    expect(() => wasserstein1Aligned([0, 1], [1, -1], [1, 1])).toThrow(/finite and >= 0/);
    expect(() => wasserstein1Aligned([0, 1], [0, 0], [1, 1])).toThrow(/positive sum/);
  });
});
