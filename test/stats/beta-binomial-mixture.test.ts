import { describe, expect, it } from "vitest";
import { betaBinomialLogE, quantileMixtureLogE } from "../../src/stats/beta-binomial-mixture.js";
import { normalMixtureLogE, normalMixtureRho } from "../../src/stats/normal-mixture.js";
import { loadSequentialFixture, relClose } from "./sequential-fixture.js";

describe("beta-binomial quantile mixture (Howard & Ramdas 2022 Thm 5)", () => {
  it("p = .95, n = 1000, below = .93, t_opt = 100, alpha_opt = .05 gives log M = 1.20235 (REFERENCES b2)", () => {
    expect(quantileMixtureLogE(0.93, 1000, 0.95, 100, 0.05)).toBeCloseTo(1.20235, 5);
  });

  it("matches scipy betaln on 41 cases", () => {
    for (const c of loadSequentialFixture().quantileMixture) {
      const got = quantileMixtureLogE(c.propBelow, c.n, c.p, c.tOpt, c.alphaOpt);
      expect(relClose(got, c.logE, 1e-8), `${JSON.stringify(c)} got ${got}`).toBe(true);
    }
  });

  it("approaches the normal mixture for p = 1/2 and many observations", () => {
    // Increments in [-1/2, 1/2] are sub-Gaussian; for large v the two mixtures agree closely.
    const v = 0.25 * 1e5;
    const rho = normalMixtureRho(0.25 * 1000, 0.05);
    const s = 120;
    const bb = betaBinomialLogE(s, v, 0.5, 0.5, rho - 0.25);
    expect(Math.abs(bb - normalMixtureLogE(s, v, rho))).toBeLessThan(0.01);
  });

  it("throws on invalid input", () => {
    expect(() => quantileMixtureLogE(0.5, 10, 1, 100)).toThrow(/p must/);
    expect(() => quantileMixtureLogE(1.5, 10, 0.5, 100)).toThrow(/propBelow/);
    expect(() => betaBinomialLogE(100, 1, 0.5, 0.5, 1)).toThrow(/s must/);
  });
});
