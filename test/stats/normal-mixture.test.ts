import { describe, expect, it } from "vitest";
import {
  normalMixtureBoundary,
  normalMixtureLogE,
  normalMixturePValue,
  normalMixtureRho,
} from "../../src/stats/normal-mixture.js";

// Test vectors: REFERENCES §2.4 (a)1, from confseq TwoSidedNormalMixture (Howard et al. 2021).
describe("normal mixture", () => {
  const rho = normalMixtureRho(100, 0.05);

  it("tunes rho at v_opt = 100, alpha = .05 to 12.6006", () => {
    expect(rho).toBeCloseTo(12.6006, 4);
  });

  it("gives log M(30, 100) = 2.9014", () => {
    expect(normalMixtureLogE(30, 100, rho)).toBeCloseTo(2.9014, 4);
  });

  it("gives the two-sided boundary 30.352 at v = 100", () => {
    expect(normalMixtureBoundary(100, rho, 0.05)).toBeCloseTo(30.352, 3);
  });

  it("boundary is where log M reaches ln(1/alpha)", () => {
    for (const v of [1, 10, 100, 1e4, 1e6]) {
      const b = normalMixtureBoundary(v, rho, 0.05);
      expect(normalMixtureLogE(b, v, rho)).toBeCloseTo(Math.log(20), 9);
      expect(normalMixturePValue(b, v, rho)).toBeCloseTo(0.05, 9);
      expect(normalMixtureLogE(-b, v, rho)).toBeCloseTo(Math.log(20), 9);
    }
  });

  it("is tightest near v_opt: boundary/sqrt(v) is smaller at 100 than at 10 or 1000 relative to the LIL rate", () => {
    // The ratio boundary/sqrt(v) is minimised around v_opt for this tuning.
    const r = (v: number) => normalMixtureBoundary(v, rho, 0.05) / Math.sqrt(v);
    expect(r(100)).toBeLessThan(r(10));
    expect(normalMixturePValue(0, 100, rho)).toBe(1);
  });

  it("throws on invalid input", () => {
    expect(() => normalMixtureRho(0, 0.05)).toThrow(/vOpt/);
    expect(() => normalMixtureRho(100, 1)).toThrow(/alpha/);
    expect(() => normalMixtureLogE(Number.NaN, 1, 1)).toThrow(/s must/);
    expect(() => normalMixtureBoundary(-1, 1, 0.05)).toThrow(/v must/);
  });
});
