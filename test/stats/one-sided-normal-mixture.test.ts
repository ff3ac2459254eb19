import { describe, expect, it } from "vitest";
import {
  oneSidedMixtureBoundary,
  oneSidedMixtureLogE,
  oneSidedMixtureRho,
} from "../../src/stats/one-sided-normal-mixture.js";
import { psiVariance } from "../../src/stats/psi-variance.js";
import fixture from "../fixtures/reference/decisions.json" with { type: "json" };

// Reference values: test/fixtures/reference/gen_decisions.py (scipy 1.10 quad over the half-normal
// mixing density, brentq for the boundary; numpy Monte Carlo for the PSI variance).

describe("one-sided normal mixture (Howard et al. 2021)", () => {
  it("ln M⁺ in closed form equals the numerically integrated mixture", () => {
    for (const c of fixture.oneSidedMixture) {
      expect(oneSidedMixtureLogE(c.s, c.v, c.rho)).toBeCloseTo(c.logE, 9);
    }
  });

  it("the boundary solves ln M⁺ = ln(1/α), and matches scipy's brentq on the integrated mixture", () => {
    for (const c of fixture.oneSidedBoundary) {
      expect(oneSidedMixtureRho(c.vOpt, c.alpha)).toBeCloseTo(c.rho, 10);
      const b = oneSidedMixtureBoundary(c.v, c.rho, c.alpha);
      expect(Math.abs(b - c.boundary) / c.boundary).toBeLessThan(1e-8);
    }
  });

  it("is tightest near the tuned intrinsic time (per unit of √V)", () => {
    const alpha = 0.01;
    const rho = oneSidedMixtureRho(1000, alpha);
    const perRootV = (v: number) => oneSidedMixtureBoundary(v, rho, alpha) / Math.sqrt(v);
    expect(perRootV(1000)).toBeLessThan(perRootV(100));
    expect(perRootV(1000)).toBeLessThan(perRootV(100_000));
  });

  it("refuses bad arguments naming them", () => {
    expect(() => oneSidedMixtureBoundary(10, 1, 0.6)).toThrow(/alpha/);
    expect(() => oneSidedMixtureRho(0, 0.01)).toThrow(/vOpt/);
    expect(() => oneSidedMixtureLogE(Number.NaN, 1, 1)).toThrow(/s must be finite/);
    expect(() => oneSidedMixtureLogE(1, -1, 1)).toThrow(/v must/);
    expect(() => oneSidedMixtureLogE(1, 1, 0)).toThrow(/rho/);
  });
});

describe("PSI variance (delta method)", () => {
  it("agrees with the Monte Carlo variance of the PSI estimate within its sampling error", () => {
    for (const c of fixture.psiVariance) {
      const v = psiVariance(
        c.baseline.map((p) => p * c.m),
        c.candidate.map((p) => p * c.n),
      );
      // the MC variance has relative sd ≈ √(2/draws) ≈ 0.7%; the delta method is first order, so 5%
      expect(Math.abs(v - c.variance) / c.variance).toBeLessThan(0.05);
    }
  });

  it("is 0 for equal distributions and refuses malformed counts", () => {
    expect(psiVariance([10, 20, 30], [1, 2, 3])).toBe(0);
    expect(() => psiVariance([1, 2], [1])).toThrow(/equal length/);
    expect(() => psiVariance([1, -2], [1, 2])).toThrow(/finite/);
    expect(() => psiVariance([0, 0], [1, 2])).toThrow(/positive total/);
  });
});
