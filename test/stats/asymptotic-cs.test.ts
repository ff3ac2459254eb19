import { describe, expect, it } from "vitest";
import {
  asymptoticCsDifference,
  asymptoticCsHalfWidth,
  asymptoticCsOneSidedHalfWidth,
  asymptoticCsRho,
} from "../../src/stats/asymptotic-cs.js";

// Test vectors: REFERENCES §2.4 (a)2 (Waudby-Smith et al. 2023 eq. 155, GrowthBook's sequential t-test).
describe("asymptotic confidence sequence", () => {
  it("rho = 0.039840 for alpha .05, N* 5000", () => {
    expect(asymptoticCsRho(0.05, 5000)).toBeCloseTo(0.03984, 6);
    expect(asymptoticCsRho(0.05)).toBeCloseTo(0.03984, 6);
  });

  it("half-width 0.042924 at n = 5000, sigma^2 = 1 (about 1.55x the fixed-n 1.96/sqrt(n))", () => {
    const hw = asymptoticCsHalfWidth(5000, 1, 0.05, 5000);
    expect(hw).toBeCloseTo(0.042924, 6);
    expect(hw / (1.959964 / Math.sqrt(5000))).toBeCloseTo(1.5486, 3);
  });

  it("one-sided half-width is narrower than two-sided and uses rho at 2 alpha", () => {
    const n = 5000;
    const one = asymptoticCsOneSidedHalfWidth(n, 1, 0.05);
    const rho2 = asymptoticCsRho(0.1) ** 2;
    const a = n * rho2 + 1;
    expect(one).toBeCloseTo(Math.sqrt(((2 * a) / (n * n * rho2)) * Math.log(1 + Math.sqrt(a) / 0.1)), 12);
    expect(one).toBeLessThan(asymptoticCsHalfWidth(n, 1, 0.05));
  });

  it("difference: interval centred on candidate - baseline with sigma^2 = n*SE^2; p crosses alpha at the edge", () => {
    const baseline = { mean: 10, variance: 4, n: 3000 };
    const candidate = { mean: 10.3, variance: 9, n: 2000 };
    const cs = asymptoticCsDifference(baseline, candidate, 0.05);
    const se2 = 4 / 3000 + 9 / 2000;
    const hw = asymptoticCsHalfWidth(5000, 5000 * se2, 0.05);
    expect(cs.estimate).toBeCloseTo(0.3, 12);
    expect(cs.lower).toBeCloseTo(0.3 - hw, 12);
    expect(cs.upper).toBeCloseTo(0.3 + hw, 12);
    // Shift the candidate so that 0 sits exactly on the lower edge: p must equal alpha.
    const edge = asymptoticCsDifference(baseline, { ...candidate, mean: 10 + hw }, 0.05);
    expect(edge.pValue).toBeCloseTo(0.05, 9);
    expect(asymptoticCsDifference(baseline, { ...candidate, mean: 10 }, 0.05).pValue).toBe(1);
  });

  it("zero variance gives a degenerate but finite answer", () => {
    const cs = asymptoticCsDifference({ mean: 1, variance: 0, n: 10 }, { mean: 2, variance: 0, n: 10 }, 0.05);
    expect(cs).toEqual({ estimate: 1, lower: 1, upper: 1, pValue: 0 });
  });

  it("throws on invalid input", () => {
    expect(() => asymptoticCsRho(0)).toThrow(/alpha/);
    expect(() => asymptoticCsHalfWidth(0, 1, 0.05)).toThrow(/n must/);
    expect(() => asymptoticCsHalfWidth(10, Number.NaN, 0.05)).toThrow(/sigma2/);
    expect(() =>
      asymptoticCsDifference({ mean: 0, variance: 1, n: 0 }, { mean: 0, variance: 1, n: 5 }, 0.05),
    ).toThrow(/baseline.n/);
  });
});
