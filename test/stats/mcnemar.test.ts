import { describe, expect, it } from "vitest";
import { mcnemar } from "../../src/stats/mcnemar.js";
import { loadClassificationFixture, relativeError } from "./classification-fixture.js";

const fixture = loadClassificationFixture();

describe("mcnemar", () => {
  it(`matches statsmodels' formula with scipy chi2.sf on ${fixture.mcnemar.length} cases`, () => {
    expect(fixture.mcnemar.length).toBeGreaterThanOrEqual(40);
    for (const c of fixture.mcnemar) {
      const result = mcnemar(c.onlyBaselineCorrect, c.onlyCandidateCorrect, c.continuity);
      const label = `${c.onlyBaselineCorrect} vs ${c.onlyCandidateCorrect}, correction ${c.continuity}`;
      expect(relativeError(result.statistic, c.statistic), label).toBeLessThanOrEqual(1e-9);
      expect(relativeError(result.pValue, c.pValue, 0), label).toBeLessThanOrEqual(1e-9);
    }
  });

  it("corrects for continuity by default and is symmetric", () => {
    // (|10 − 20| − 1)² / 30 = 2.7
    expect(mcnemar(10, 20).statistic).toBeCloseTo(2.7, 14);
    expect(mcnemar(10, 20, false).statistic).toBeCloseTo(100 / 30, 14);
    expect(mcnemar(20, 10)).toEqual(mcnemar(10, 20));
  });

  it("returns statistic 0 and p = 1 without discordant pairs", () => {
    expect(mcnemar(0, 0)).toEqual({ statistic: 0, pValue: 1 });
  });

  it("throws naming the bad argument", () => {
    expect(() => mcnemar(-1, 3)).toThrow(/onlyBaselineCorrect/);
    expect(() => mcnemar(1, Number.NaN)).toThrow(/onlyCandidateCorrect/);
  });
});
