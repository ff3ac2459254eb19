import { readFileSync } from "node:fs";
import type { SpendingFunction } from "../../src/stats/alpha-spending.js";

/**
 * Reference values written by test/fixtures/reference/gen_group_sequential.py: boundaries, crossing
 * probabilities, power and drifts from scipy 1.10 multivariate_normal.cdf (Genz) and brentq, and the
 * Jennison & Turnbull (2000) table values the script re-derives. Regenerate with `npm run fixtures`.
 * JSON has no infinity: a null boundary is +∞.
 */
export interface GroupSequentialFixture {
  published: Array<{
    shape: "pocock" | "obrien-fleming";
    looks: number;
    alpha: number;
    sides: 2;
    power: number;
    constant: number;
    inflation: number;
    boundaries: number[] | null;
    scipyConstant: number;
    scipyBoundaries: number[];
    scipyInflation: number;
    scipyOneSidedConstant: number;
  }>;
  spendingValues: Array<{ spending: SpendingFunction; alpha: number; fraction: number; spent: number }>;
  spending: Array<{
    spending: SpendingFunction;
    alpha: number;
    information: number[];
    fractions: number[];
    spent: number[];
    boundaries: Array<number | null>;
    crossing: number[];
  }>;
  power: Array<{
    information: number[];
    boundaries: Array<number | null>;
    drift: number;
    upperCrossing: number[];
    power: number;
    expectedStoppingInformation: number;
  }>;
  plans: Array<{
    spending: SpendingFunction;
    alpha: number;
    fractions: number[];
    power: number;
    boundaries: number[];
    drift: number;
    fixedDrift: number;
    inflation: number;
  }>;
}

export function loadGroupSequentialFixture(): GroupSequentialFixture {
  const url = new URL("../fixtures/reference/group_sequential.json", import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as GroupSequentialFixture;
}

/** A fixture boundary with null read back as +∞. */
export function boundaryOf(b: number | null): number {
  return b === null ? Number.POSITIVE_INFINITY : b;
}
