import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { wilsonInterval } from "../../src/stats/wilson.js";
import { loadClassificationFixture, relativeError } from "./classification-fixture.js";

const fixture = loadClassificationFixture();

describe("wilsonInterval", () => {
  it(`matches the statsmodels Wilson formula (scipy norm.isf) on ${fixture.wilson.length} cases`, () => {
    expect(fixture.wilson.length).toBeGreaterThanOrEqual(40);
    for (const c of fixture.wilson) {
      const [lower, upper] = wilsonInterval(c.successes, c.n, c.confidence);
      const label = `${c.successes}/${c.n} at ${c.confidence}`;
      expect(relativeError(lower, c.lower), label).toBeLessThanOrEqual(1e-9);
      expect(relativeError(upper, c.upper), label).toBeLessThanOrEqual(1e-9);
    }
  });

  it("contains p̂ and stays inside [0, 1]", () => {
    const counts = fc
      .tuple(fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([n, share]) => ({ n, successes: Math.round(share * n) }));
    fc.assert(
      fc.property(
        counts,
        fc.double({ min: 0.5, max: 0.9999, noNaN: true }),
        ({ n, successes }, confidence) => {
          const [lower, upper] = wilsonInterval(successes, n, confidence);
          expect(lower).toBeGreaterThanOrEqual(0);
          expect(upper).toBeLessThanOrEqual(1);
          expect(lower).toBeLessThanOrEqual(successes / n);
          expect(upper).toBeGreaterThanOrEqual(successes / n);
        },
      ),
    );
  });

  it("throws naming the bad argument", () => {
    expect(() => wilsonInterval(1, 0)).toThrow(/n must be/);
    expect(() => wilsonInterval(5, 4)).toThrow(/successes must be/);
    expect(() => wilsonInterval(Number.NaN, 4)).toThrow(/successes must be/);
    expect(() => wilsonInterval(1, 4, 0)).toThrow(/confidence/);
  });
});
