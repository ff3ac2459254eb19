import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalCdf, normalQuantile, normalSf } from "../../src/stats/normal.js";
import { loadDistributionFixture, relErr, worst } from "./distribution-fixture.js";

// Reference: scipy.stats.norm.cdf / sf / ppf (scipy 1.10) via gen_distribution.py.
describe("normal distribution", () => {
  const f = loadDistributionFixture();

  it("cdf and sf match scipy to 1e-12 relative over z in [-37.5, 35] (tails included)", () => {
    expect(f.normal.length).toBeGreaterThanOrEqual(40);
    const cdf = worst(
      f.normal,
      (c) => relErr(normalCdf(c.z), c.cdf),
      (c) => `z=${c.z}`,
    );
    const sf = worst(
      f.normal,
      (c) => relErr(normalSf(c.z), c.sf),
      (c) => `z=${c.z}`,
    );
    expect(cdf.max, cdf.at).toBeLessThan(1e-12);
    expect(sf.max, sf.at).toBeLessThan(1e-12);
  });

  it("quantile matches scipy ppf to 1e-12 relative for p from 1e-300 to 1 - 1e-14", () => {
    expect(f.normalPpf.length).toBeGreaterThanOrEqual(40);
    const q = worst(
      f.normalPpf,
      (c) => relErr(normalQuantile(c.p), c.x, 1e-300),
      (c) => `p=${c.p}`,
    );
    expect(q.max, q.at).toBeLessThan(1e-12);
  });

  it("textbook values", () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 15);
    expect(normalSf(0)).toBe(0.5);
  });

  it("cdf + sf = 1, cdf(-z) = sf(z), and quantile inverts cdf", () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), (z) => {
        expect(normalCdf(z) + normalSf(z)).toBeCloseTo(1, 14);
        expect(relErr(normalCdf(-z), normalSf(z))).toBeLessThan(1e-14);
        const p = normalCdf(z);
        if (p > 1e-12 && p < 1 - 1e-12)
          expect(Math.abs(normalQuantile(p) - z)).toBeLessThan(1e-8 * Math.max(1, Math.abs(z)));
      }),
    );
  });

  it("rejects NaN and p outside (0, 1)", () => {
    expect(() => normalCdf(Number.NaN)).toThrow(/z/);
    expect(() => normalSf(Number.NaN)).toThrow(/z/);
    for (const p of [0, 1, -0.1, 1.5, Number.NaN]) expect(() => normalQuantile(p)).toThrow(/p must be in/);
  });
});
