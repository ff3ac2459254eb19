import { describe, expect, it } from "vitest";
import { aucDifference } from "../../src/stats/auc-difference.js";
import { delongPaired } from "../../src/stats/delong.js";
import { loadClassificationFixture, relativeError } from "./classification-fixture.js";

const fixture = loadClassificationFixture();

describe("aucDifference", () => {
  it(`matches the scipy.stats.norm z-test on ${fixture.aucDifference.length} paired and unpaired cases`, () => {
    expect(fixture.aucDifference.length).toBeGreaterThanOrEqual(40);
    for (const c of fixture.aucDifference) {
      const result = aucDifference(c.baseline, c.candidate, c.confidence, c.covariance);
      expect(relativeError(result.difference, c.difference), c.name).toBeLessThanOrEqual(1e-9);
      expect(relativeError(result.se, c.se), c.name).toBeLessThanOrEqual(1e-9);
      expect(relativeError(result.z, c.z), c.name).toBeLessThanOrEqual(1e-9);
      expect(relativeError(result.pValue, c.pValue, 0), c.name).toBeLessThanOrEqual(1e-9);
      expect(relativeError(result.interval[0], c.interval[0]), c.name).toBeLessThanOrEqual(1e-9);
      expect(relativeError(result.interval[1], c.interval[1]), c.name).toBeLessThanOrEqual(1e-9);
    }
  });

  it("uses the paired covariance: identical models give no difference and p = 1", () => {
    const labels = [0, 0, 0, 1, 1, 1];
    const scores = [0.1, 0.5, 0.3, 0.4, 0.8, 0.9];
    const paired = delongPaired(scores, scores, labels);
    const result = aucDifference(paired.baseline, paired.candidate, 0.95, paired.covariance);
    expect(result).toEqual({ difference: 0, se: 0, z: 0, pValue: 1, interval: [0, 0] });
  });

  it("returns finite values when both AUCs have zero variance", () => {
    const perfect = { auc: 1, variance: 0, nPositive: 5, nNegative: 5 };
    const inverted = { auc: 0, variance: 0, nPositive: 5, nNegative: 5 };
    const result = aucDifference(perfect, inverted);
    expect(result.difference).toBe(-1);
    expect(result.pValue).toBe(0);
    expect(Number.isFinite(result.z) && result.z < 0).toBe(true);
  });

  it("throws naming the bad argument", () => {
    const ok = { auc: 0.7, variance: 0.001, nPositive: 50, nNegative: 50 };
    expect(() => aucDifference(ok, ok, 1)).toThrow(/confidence/);
    expect(() => aucDifference({ ...ok, variance: Number.NaN }, ok)).toThrow(/baseline.variance/);
    expect(() => aucDifference(ok, { ...ok, auc: 1.5 })).toThrow(/candidate.auc/);
    expect(() => aucDifference(ok, ok, 0.95, Number.POSITIVE_INFINITY)).toThrow(/covariance/);
  });
});
