import { readFileSync } from "node:fs";

/**
 * Reference values written by test/fixtures/reference/gen_sequential.py (scipy 1.10 gammaln/betaln,
 * brentq/minimize_scalar for C_α, numpy for PrPl-EB). Regenerate with `npm run fixtures`.
 */
export interface SequentialFixture {
  countEvalue: Array<{
    counts: number[];
    shares: number[];
    k: number;
    logBayesFactor: number;
    pValue: number;
  }>;
  quantileMixture: Array<{
    propBelow: number;
    n: number;
    p: number;
    tOpt: number;
    alphaOpt: number;
    logE: number;
  }>;
  lilBound: Array<{ alpha: number; C: number; t: number; tMin: number; epsilon: number }>;
  prplEb: Array<{ alpha: number; c: number; x: number[]; lower: number[]; upper: number[] }>;
}

export function loadSequentialFixture(): SequentialFixture {
  const url = new URL("../fixtures/reference/sequential.json", import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as SequentialFixture;
}

/** |actual − expected| ≤ tol·max(1, |expected|) */
export function relClose(actual: number, expected: number, tol: number): boolean {
  return Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected));
}
