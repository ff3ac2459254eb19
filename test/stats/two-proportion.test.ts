import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { twoProportionZ } from "../../src/stats/two-proportion.js";
import { loadClassificationFixture, relativeError } from "./classification-fixture.js";

const fixture = loadClassificationFixture();

describe("twoProportionZ", () => {
  it(`matches the pooled z-test (scipy norm.sf) on ${fixture.twoProportion.length} cases`, () => {
    expect(fixture.twoProportion.length).toBeGreaterThanOrEqual(40);
    for (const c of fixture.twoProportion) {
      const result = twoProportionZ(c.x1, c.n1, c.x2, c.n2);
      const label = `${c.x1}/${c.n1} vs ${c.x2}/${c.n2}`;
      expect(relativeError(result.difference, c.difference), label).toBeLessThanOrEqual(1e-9);
      expect(relativeError(result.z, c.z), label).toBeLessThanOrEqual(1e-9);
      expect(relativeError(result.pValue, c.pValue, 0), label).toBeLessThanOrEqual(1e-9);
    }
  });

  it("is antisymmetric in the samples and gives p = 1 without variance", () => {
    const sample = fc
      .tuple(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([n, share]) => ({ n, x: Math.round(share * n) }));
    fc.assert(
      fc.property(sample, sample, (first, second) => {
        const forward = twoProportionZ(first.x, first.n, second.x, second.n);
        const backward = twoProportionZ(second.x, second.n, first.x, first.n);
        expect(backward.z).toBeCloseTo(-forward.z, 10);
        expect(backward.pValue).toBeCloseTo(forward.pValue, 12);
        expect(forward.pValue).toBeGreaterThanOrEqual(0);
        expect(forward.pValue).toBeLessThanOrEqual(1);
      }),
    );
    expect(twoProportionZ(0, 10, 0, 20)).toEqual({ difference: 0, z: 0, pValue: 1 });
    expect(twoProportionZ(10, 10, 20, 20)).toEqual({ difference: 0, z: 0, pValue: 1 });
  });

  it("throws naming the bad argument", () => {
    expect(() => twoProportionZ(1, 0, 1, 2)).toThrow(/n1 must be/);
    expect(() => twoProportionZ(1, 2, 3, 2)).toThrow(/x2 must be/);
  });
});
