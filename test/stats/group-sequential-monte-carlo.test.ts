import { describe, expect, it } from "vitest";
import { spentAlpha } from "../../src/stats/alpha-spending.js";
import { groupSequentialBoundaries } from "../../src/stats/group-sequential.js";
import { operatingCharacteristics } from "../../src/stats/group-sequential-design.js";
import { mulberry32, randomNormal } from "../../src/stats/random.js";

// Brownian paths observed at unequal information levels (one pair close together, where the integrator
// leaves its grid for the refined rule), spending fractions k/K as a declared look schedule would give.
const INFORMATION = [1, 1.7, 3.2, 4, 6.5, 6.8];
const FRACTIONS = INFORMATION.map((_, k) => (k + 1) / INFORMATION.length);
const PATHS = 40_000;

/** Count of first crossings of Z_k = S_k/√I_k ≥ boundary[k], per look, with E[S_k] = θ·I_k. */
function simulate(boundaries: number[], theta: number, seed: number): number[] {
  const random = mulberry32(seed);
  const crossings = boundaries.map(() => 0);
  for (let path = 0; path < PATHS; path++) {
    let sum = 0;
    let previous = 0;
    for (let k = 0; k < INFORMATION.length; k++) {
      const delta = INFORMATION[k] - previous;
      sum += randomNormal(random, theta * delta, Math.sqrt(delta));
      previous = INFORMATION[k];
      if (sum / Math.sqrt(INFORMATION[k]) >= boundaries[k]) {
        crossings[k]++;
        break;
      }
    }
  }
  return crossings;
}

/**
 * 4 binomial standard deviations, plus one path so that a look expected to see less than one crossing
 * (an early O'Brien–Fleming look spends ~1e-6) is not failed by a single one.
 */
function tolerance(p: number): number {
  return 4 * Math.sqrt(PATHS * p * (1 - p)) + 1;
}

describe("group-sequential boundaries against simulated Brownian paths", () => {
  for (const [spending, seed] of [
    ["obrien-fleming", 20240601],
    ["pocock", 20240602],
  ] as const) {
    const alpha = 0.05;
    const boundaries = groupSequentialBoundaries(
      { alpha, spending },
      INFORMATION.map((information, k) => ({ information, fraction: FRACTIONS[k] })),
    );

    it(`${spending}: under H0 each look rejects its spending increment and the total is alpha`, () => {
      const crossings = simulate(boundaries, 0, seed);
      crossings.forEach((count, k) => {
        const increment =
          spentAlpha(spending, alpha, FRACTIONS[k]) -
          (k === 0 ? 0 : spentAlpha(spending, alpha, FRACTIONS[k - 1]));
        expect(Math.abs(count - PATHS * increment)).toBeLessThanOrEqual(tolerance(increment));
      });
      const total = crossings.reduce((a, b) => a + b, 0);
      expect(Math.abs(total - PATHS * alpha)).toBeLessThanOrEqual(tolerance(alpha));
    });

    it(`${spending}: under a drift each look crosses as often as the computed power says`, () => {
      const drift = 2.5; // θ·√I_K
      const theta = drift / Math.sqrt(INFORMATION[INFORMATION.length - 1]);
      const predicted = operatingCharacteristics({ information: INFORMATION, upper: boundaries }, drift);
      const crossings = simulate(boundaries, theta, seed + 100);
      crossings.forEach((count, k) => {
        const p = predicted.upperCrossing[k];
        expect(Math.abs(count - PATHS * p)).toBeLessThanOrEqual(tolerance(p));
      });
      const total = crossings.reduce((a, b) => a + b, 0);
      expect(Math.abs(total - PATHS * predicted.power)).toBeLessThanOrEqual(tolerance(predicted.power));
      expect(predicted.power).toBeGreaterThan(0.5);
    });
  }
});
