import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rocAuc } from "../../src/stats/auc.js";
import { delong, delongFromBins, delongPaired } from "../../src/stats/delong.js";
import { labelledScores, loadClassificationFixture, relativeError } from "./classification-fixture.js";

const fixture = loadClassificationFixture();

describe("delong", () => {
  it(`matches the classic O(P·N) DeLong variance on ${fixture.delong.length} reference cases`, () => {
    expect(fixture.delong.length).toBeGreaterThanOrEqual(40);
    for (const c of fixture.delong) {
      const result = delong(c.scores, c.labels);
      expect(relativeError(result.auc, c.auc), c.name).toBeLessThanOrEqual(1e-9);
      expect(relativeError(result.variance, c.variance), c.name).toBeLessThanOrEqual(1e-9);
      expect(result.nPositive + result.nNegative).toBe(c.labels.length);
    }
  });

  it("has a non-negative variance and the same AUC as rocAuc", () => {
    fc.assert(
      fc.property(labelledScores(2), ({ scores, labels }) => {
        const result = delong(scores, labels);
        expect(result.variance).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(result.variance)).toBe(true);
        expect(result.auc).toBeCloseTo(rocAuc(scores, labels), 12);
      }),
    );
  });

  it("throws when a class has fewer than 2 cases", () => {
    expect(() => delong([0.1, 0.2, 0.3], [1, 0, 0])).toThrow(/at least 2 positives and 2 negatives/);
    expect(() => delong([0.1, 0.2], [0, 0])).toThrow(/both classes/);
  });
});

describe("delongFromBins", () => {
  it(`matches the classic DeLong variance of the raw scores on ${fixture.binned.length} pre-binned cases`, () => {
    for (const c of fixture.binned) {
      const result = delongFromBins(c.positives, c.negatives);
      expect(relativeError(result.auc, c.auc), c.name).toBeLessThanOrEqual(1e-9);
      expect(relativeError(result.variance, c.variance), c.name).toBeLessThanOrEqual(1e-9);
    }
  });

  it("equals delong on pre-binned (integer) scores", () => {
    fc.assert(
      fc.property(labelledScores(2, true), ({ scores, labels }) => {
        const positives = new Array<number>(7).fill(0);
        const negatives = new Array<number>(7).fill(0);
        scores.forEach((score, i) => {
          if (labels[i] === 1) positives[score]++;
          else negatives[score]++;
        });
        const fromBins = delongFromBins(positives, negatives);
        const fromScores = delong(scores, labels);
        expect(fromBins.auc).toBeCloseTo(fromScores.auc, 12);
        expect(fromBins.variance).toBeCloseTo(fromScores.variance, 12);
        expect(fromBins.nPositive).toBe(fromScores.nPositive);
      }),
    );
  });

  it("throws when a class has fewer than 2 cases", () => {
    expect(() => delongFromBins([1, 0], [3, 4])).toThrow(/at least 2 positives/);
  });
});

describe("delongPaired", () => {
  it(`matches np.cov of classic placement values on ${fixture.delongPaired.length} reference cases`, () => {
    expect(fixture.delongPaired.length).toBeGreaterThanOrEqual(40);
    for (const c of fixture.delongPaired) {
      const result = delongPaired(c.baselineScores, c.candidateScores, c.labels);
      expect(relativeError(result.baseline.auc, c.baseline.auc), c.name).toBeLessThanOrEqual(1e-9);
      expect(relativeError(result.candidate.auc, c.candidate.auc), c.name).toBeLessThanOrEqual(1e-9);
      expect(relativeError(result.baseline.variance, c.baseline.variance), c.name).toBeLessThanOrEqual(1e-9);
      expect(relativeError(result.candidate.variance, c.candidate.variance), c.name).toBeLessThanOrEqual(
        1e-9,
      );
      expect(relativeError(result.covariance, c.covariance), c.name).toBeLessThanOrEqual(1e-9);
      expect(relativeError(result.difference, c.difference), c.name).toBeLessThanOrEqual(1e-9);
      // A difference of variances cancels: compare against the scale of the terms.
      const scale = c.baseline.variance + c.candidate.variance;
      expect(Math.abs(result.differenceVariance - c.differenceVariance) / scale, c.name).toBeLessThanOrEqual(
        1e-9,
      );
    }
  });

  it("gives a zero difference variance for identical models and agrees with unpaired delong", () => {
    fc.assert(
      fc.property(labelledScores(2), ({ scores, labels }) => {
        const paired = delongPaired(scores, scores, labels);
        expect(paired.differenceVariance).toBeCloseTo(0, 14);
        expect(paired.covariance).toBeCloseTo(paired.baseline.variance, 14);
        expect(paired.baseline).toEqual(delong(scores, labels));
      }),
    );
  });

  it("throws naming the mismatched scores", () => {
    expect(() => delongPaired([1, 2, 3, 4], [1, 2, 3], [0, 0, 1, 1])).toThrow(/candidateScores and labels/);
    expect(() => delongPaired([1, 2, Number.NaN, 4], [1, 2, 3, 4], [0, 0, 1, 1])).toThrow(
      /baselineScores\[2\]/,
    );
  });
});
