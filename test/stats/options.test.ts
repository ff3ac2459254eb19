import { describe, expect, it } from "vitest";
import { cdfBandPValue } from "../../src/stats/cdf-band.js";
import { delongBinPlacements } from "../../src/stats/delong.js";
import { groupRates } from "../../src/stats/fairness.js";
import { ks2samp } from "../../src/stats/ks.js";
import { smirnovSf } from "../../src/stats/kstwo.js";
import { mannWhitneyU } from "../../src/stats/mann-whitney.js";
import { mcnemar } from "../../src/stats/mcnemar.js";
import { psiNoiseFloor } from "../../src/stats/psi.js";

// Options as they arrive from configuration or another language: TypeScript's literal types are gone
// at run time, so these casts are what a caller outside the type system passes.
const any = (v: unknown) => v as never;
const x = [0.1, 0.4, 0.35, 0.8, 0.9, 0.55];
const y = [0.2, 0.3, 0.25, 0.6, 0.45, 0.15, 0.05];

describe("statistics check their options at run time, naming the argument", () => {
  it("mannWhitneyU: an unknown alternative would have halved the two-sided p-value", () => {
    expect(() => mannWhitneyU(x, y, any("two_sided"))).toThrow(
      'mannWhitneyU: alternative must be one of "two-sided", "less", "greater", got "two_sided"',
    );
    expect(() => mannWhitneyU(x, y, "two-sided", any("x"))).toThrow(
      'mannWhitneyU: useContinuity must be true or false, got "x"',
    );
    expect(() => mannWhitneyU(x, y, "two-sided", any(1))).toThrow(
      "useContinuity must be true or false, got 1",
    );
    // the documented options still work, and "two-sided" is twice the smaller one-sided p
    const two = mannWhitneyU(x, y, "two-sided", false).pValue;
    const greater = mannWhitneyU(x, y, "greater", false).pValue;
    const less = mannWhitneyU(x, y, "less", false).pValue;
    expect(two).toBeCloseTo(2 * Math.min(greater, less), 12);
  });

  it("ks2samp: an unknown method is an error, not the exact method", () => {
    expect(() => ks2samp(x, y, any("bogus"))).toThrow(
      'ks2samp: method must be one of "auto", "exact", "asymp", got "bogus"',
    );
    expect(ks2samp(x, y, "asymp").method).toBe("asymp");
  });

  it("cdfBandPValue and mcnemar: alternative and continuity", () => {
    const buckets: Array<[number, number]> = [
      [1, 10],
      [2, 10],
    ];
    expect(() => cdfBandPValue(buckets, buckets, any("less"))).toThrow(
      'cdfBandPValue: alternative must be one of "two-sided", "greater", got "less"',
    );
    expect(() => mcnemar(10, 20, any("false"))).toThrow(
      'mcnemar: continuity must be true or false, got "false"',
    );
    // (|10 − 20| − 1)² / 30 = 2.7 with the correction, 100/30 without
    expect(mcnemar(10, 20, true).statistic).toBeCloseTo(2.7, 12);
    expect(mcnemar(10, 20, false).statistic).toBeCloseTo(100 / 30, 12);
  });

  it("groupRates: more selected than decisions is an error, not a selection rate of 2", () => {
    expect(() => groupRates({ n: 1, selected: 2, tp: 0, fp: 0, fn: 0, tn: 0 })).toThrow(
      "groupRates: selected (2) must not exceed n (1)",
    );
    expect(groupRates({ n: 2, selected: 2, tp: 0, fp: 0, fn: 0, tn: 0 }).selectionRate).toBe(1);
    // labelled counts may exceed n (outcomes that carry their own decision): still rates in [0, 1]
    expect(groupRates({ n: 1, selected: 1, tp: 3, fp: 1, fn: 1, tn: 3 })).toEqual({
      selectionRate: 1,
      tpr: 0.75,
      fpr: 0.25,
      n: 1,
    });
  });

  it("counts: smirnovSf's n, psiNoiseFloor's bins, and totals that must match their bins", () => {
    expect(() => smirnovSf(2.5, 0.3)).toThrow("smirnovSf: n must be an integer >= 1, got 2.5");
    expect(() => smirnovSf(5, Number.NaN)).toThrow("smirnovSf: x must not be NaN");
    expect(smirnovSf(1, 1.5)).toBe(0); // was 1 − x = −0.5
    expect(smirnovSf(1, -0.5)).toBe(1); // was 1.5
    expect(() => psiNoiseFloor(2.5, 100, 100)).toThrow(
      "psiNoiseFloor: bins must be an integer >= 1, got 2.5",
    );
    expect(psiNoiseFloor(10, 100, 100)).toBeCloseTo(9 * 0.02, 12);
    expect(() => delongBinPlacements([1, 2], [2, 1], 3, 4)).toThrow(
      "delongBinPlacements: nPositive 3 and nNegative 4 must be the bins' totals (3 and 3)",
    );
    expect(delongBinPlacements([1, 2], [2, 1], 3, 3).arm.auc).toBeCloseTo((1 * 1 + 2 * (2 + 0.5)) / 9, 12);
  });
});
