import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chiSquareSf, logGamma, regularizedGammaQ } from "../../src/stats/gamma.js";
import { loadDistributionFixture, relErr, worst } from "./distribution-fixture.js";

// Reference: scipy.stats.chi2.sf (scipy 1.10) via gen_distribution.py; closed forms below.
describe("gamma functions", () => {
  it("chiSquareSf matches scipy to 1e-11 relative (dof 1-1000, p down to 1e-157)", () => {
    const cases = loadDistributionFixture().chi2Sf;
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const w = worst(
      cases,
      (c) => relErr(chiSquareSf(c.x, c.dof), c.sf),
      (c) => `x=${c.x} dof=${c.dof}`,
    );
    expect(w.max, w.at).toBeLessThan(1e-11);
  });

  it("logGamma: factorials and Γ(1/2) = √π", () => {
    let logFactorial = 0;
    for (let n = 1; n <= 60; n++) {
      expect(Math.abs(logGamma(n) - logFactorial)).toBeLessThan(1e-13 * Math.max(1, logFactorial));
      logFactorial += Math.log(n);
    }
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(logGamma(1e-5)).toBeCloseTo(11.512919692895828, 12); // scipy.special.gammaln(1e-5)
  });

  it("closed forms: Q(1, x) = e^-x; chi2 with 2 dof sf = e^(-x/2)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 600, noNaN: true }), (x) => {
        expect(relErr(regularizedGammaQ(1, x), Math.exp(-x))).toBeLessThan(1e-12);
        expect(relErr(chiSquareSf(x, 2), Math.exp(-x / 2))).toBeLessThan(1e-12);
      }),
    );
  });

  it("rejects bad arguments", () => {
    expect(() => logGamma(0)).toThrow(/x must be/);
    expect(() => regularizedGammaQ(0, 1)).toThrow(/a must be/);
    expect(() => regularizedGammaQ(1, Number.NaN)).toThrow(/x must be/);
    expect(() => chiSquareSf(1, 0)).toThrow(/dof/);
    expect(() => chiSquareSf(Number.NaN, 1)).toThrow(/x must not be NaN/);
  });
});
