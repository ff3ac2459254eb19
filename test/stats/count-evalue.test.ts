import { describe, expect, it } from "vitest";
import {
  countLogBayesFactor,
  countRateRatioInterval,
  countSequentialPValue,
} from "../../src/stats/count-evalue.js";
import { loadSequentialFixture, relClose } from "./sequential-fixture.js";

// REFERENCES §2.2: reimplementation of seqabpy sequential_p_value, two arms with shares [.5, .5].
const table: Array<[[number, number], number, number]> = [
  [[0, 5], 1, 0.127],
  [[0, 5], 2, 0.1875],
  [[0, 5], 10, 0.4965],
  [[0, 5], 100, 0.9087],
  [[0, 8], 1, 0.0199],
  [[0, 8], 2, 0.0352],
  [[0, 8], 10, 0.1918],
  [[0, 8], 100, 0.7705],
  [[0, 12], 1, 0.0015],
  [[0, 12], 2, 0.0032],
  [[0, 12], 10, 0.0394],
  [[0, 12], 100, 0.5527],
  [[2, 14], 1, 0.0327],
  [[2, 14], 2, 0.0311],
  [[2, 14], 10, 0.0815],
  [[2, 14], 100, 0.5754],
  [[30, 70], 1, 0.0034],
  [[30, 70], 2, 0.0023],
  [[30, 70], 10, 0.0019],
  [[30, 70], 100, 0.0247],
];

/** Agreement to the number of significant digits the table prints. */
function sameAtPrintedPrecision(actual: number, printed: number): boolean {
  const digits = printed.toString().replace(/^0\.0*/, "").length;
  return Number(actual.toPrecision(digits)) === printed;
}

describe("count e-value (Lindon & Malek 2022 Dirichlet mixture)", () => {
  it.each(table)("counts %j, k = %s gives p = %s", (counts, k, p) => {
    const r = countSequentialPValue([...counts], [0.5, 0.5], k);
    expect(sameAtPrintedPrecision(r.pValue, p), `${r.pValue}`).toBe(true);
  });

  it("10% canary: counts (900, 150), shares (.9, .1), k = 100 gives p = 5.76e-4", () => {
    const r = countSequentialPValue([900, 150], [0.9, 0.1], 100);
    expect(r.pValue).toBeCloseTo(5.76e-4, 6);
    expect(r.logBayesFactor).toBeCloseTo(-Math.log(r.pValue), 12);
  });

  it("matches scipy gammaln on 48 random (counts, shares, k) cases with 2-4 arms", () => {
    const f = loadSequentialFixture();
    expect(f.countEvalue.length).toBeGreaterThanOrEqual(40);
    for (const c of f.countEvalue) {
      const lbf = countLogBayesFactor(c.counts, c.shares, c.k);
      expect(relClose(lbf, c.logBayesFactor, 1e-9), `${JSON.stringify(c)} got ${lbf}`).toBe(true);
      expect(relClose(countSequentialPValue(c.counts, c.shares, c.k).pValue, c.pValue, 1e-9)).toBe(true);
    }
  });

  it("accepts unnormalised shares and no events (BF = 1)", () => {
    expect(countSequentialPValue([0, 0], [9, 1])).toEqual({ logBayesFactor: 0, pValue: 1 });
    expect(countLogBayesFactor([3, 4], [9, 1])).toBeCloseTo(countLogBayesFactor([3, 4], [0.9, 0.1]), 12);
  });

  it("rate-ratio interval contains the observed ratio and its ends sit on BF = 1/alpha", () => {
    const [lo, hi] = countRateRatioInterval(900, 150, 0.9, 0.1, 0.05);
    expect(lo).toBeLessThan(1.5);
    expect(hi).toBeGreaterThan(1.5);
    // The null "ratio = 1" is rejected at .05 by both the test and the interval.
    expect(lo).toBeGreaterThan(1);
    for (const r of [lo, hi]) {
      const theta = (0.1 * r) / (0.9 + 0.1 * r);
      const lbf = countLogBayesFactor([900, 150], [1 - theta, theta], 100, [0.9, 0.1]);
      expect(lbf).toBeCloseTo(Math.log(20), 6);
    }
    expect(countRateRatioInterval(10, 0, 0.5, 0.5, 0.05)[0]).toBe(0);
    expect(countRateRatioInterval(0, 10, 0.5, 0.5, 0.05)[1]).toBe(Number.POSITIVE_INFINITY);
  });

  it("throws on invalid input", () => {
    expect(() => countSequentialPValue([1], [1])).toThrow(/at least 2/);
    expect(() => countSequentialPValue([1, 2], [0.5])).toThrow(/shares has 1/);
    expect(() => countSequentialPValue([1, -2], [0.5, 0.5])).toThrow(/counts/);
    expect(() => countSequentialPValue([1, 2], [0, 1])).toThrow(/shares must/);
    expect(() => countSequentialPValue([1, 2], [0.5, 0.5], 0)).toThrow(/k must/);
  });
});
