import { readFileSync } from "node:fs";

/**
 * Reference values written by test/fixtures/reference/gen_distribution.py (scipy 1.10, numpy 1.24).
 * Cases refer to `pairs` (baseline `a`, candidate `b`) by index to keep the file small.
 */
export interface DistributionFixture {
  pairs: Array<{ name: string; a: number[]; b: number[] }>;
  ks: Array<{
    pair: number;
    method: "auto" | "exact" | "asymp";
    statistic: number;
    pValue: number;
    used: "exact" | "asymp";
  }>;
  ksFromCounts: Array<{ baseline: number[]; candidate: number[]; statistic: number; pValue: number }>;
  kstwo: Array<{ x: number; n: number; sf: number }>;
  mannWhitney: Array<{
    pair: number;
    alternative: "two-sided" | "less" | "greater";
    useContinuity: boolean;
    u1: number;
    pValue: number;
    z: number | null;
  }>;
  hodgesLehmann: Array<{ pair?: number; x?: number[]; y?: number[]; value: number }>;
  psi: Array<{ pair: number; bins: number; psi: number; noiseFloor: number; innerEdges: number[] }>;
  psiFromHistograms: Array<{
    baseline: number[];
    candidate: number[];
    bins: number;
    psi: number;
    noiseFloor: number;
    edges: number[];
  }>;
  wasserstein: Array<{ pair: number; uWeights?: number[]; vWeights?: number[]; value: number }>;
  jensenShannon: Array<{ p: number[]; q: number[]; value: number }>;
  chiSquare: Array<{ table: number[][]; statistic: number; pValue: number; dof: number }>;
  quantile: Array<{ values: number[]; q: number; value: number }>;
  normal: Array<{ z: number; cdf: number; sf: number }>;
  normalPpf: Array<{ p: number; x: number }>;
  chi2Sf: Array<{ x: number; dof: number; sf: number }>;
  errors: Array<{ fn: string; args: unknown[]; argument: string }>;
}

let cached: DistributionFixture | undefined;

export function loadDistributionFixture(): DistributionFixture {
  if (cached === undefined) {
    const url = new URL("../fixtures/reference/distribution.json", import.meta.url);
    cached = JSON.parse(readFileSync(url, "utf8")) as DistributionFixture;
  }
  return cached;
}

/** |actual − expected| / |expected|, or 0 when the gap is within an absolute floor (values near 0). */
export function relErr(actual: number, expected: number, absoluteFloor = 1e-300): number {
  const gap = Math.abs(actual - expected);
  if (gap <= absoluteFloor) return 0;
  return gap / Math.max(Math.abs(expected), Number.MIN_VALUE);
}

/** Largest relative error over cases, with the worst case's label for the failure message. */
export function worst<T>(
  cases: T[],
  error: (c: T) => number,
  label: (c: T) => string,
): { max: number; at: string } {
  let max = 0;
  let at = "";
  for (const c of cases) {
    const e = error(c);
    if (!(e <= max)) {
      max = e;
      at = label(c);
    }
  }
  return { max, at };
}

/** The fixture's error cases for one function. */
export function errorCases(fn: string): Array<{ args: unknown[]; argument: string }> {
  return loadDistributionFixture().errors.filter((e) => e.fn === fn);
}
