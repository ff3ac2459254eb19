import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rocAuc } from "../../src/stats/auc.js";
import { aucFromBins } from "../../src/stats/auc-binned.js";
import { labelledScores, loadClassificationFixture, relativeError } from "./classification-fixture.js";

const fixture = loadClassificationFixture();

/** Per-label counts of scores falling into `bins` equal-width bins on [low, high]. */
function histogram(scores: number[], labels: number[], bins: number, low: number, high: number) {
  const positives = new Array<number>(bins).fill(0);
  const negatives = new Array<number>(bins).fill(0);
  scores.forEach((score, i) => {
    const b = Math.min(bins - 1, Math.floor(((score - low) / (high - low)) * bins));
    if (labels[i] === 1) positives[b]++;
    else negatives[b]++;
  });
  return { positives, negatives };
}

describe("aucFromBins", () => {
  it(`equals sklearn roc_auc_score on ${fixture.binned.length} pre-binned cases, maxError = brute-force tied pairs`, () => {
    expect(fixture.binned.length).toBeGreaterThanOrEqual(40);
    for (const c of fixture.binned) {
      const { auc, maxError } = aucFromBins(c.positives, c.negatives);
      expect(relativeError(auc, c.auc), c.name).toBeLessThanOrEqual(1e-9);
      expect(relativeError(maxError, c.maxError), c.name).toBeLessThanOrEqual(1e-9);
    }
  });

  it("equals the exact AUC when each bin is one tied value", () => {
    fc.assert(
      fc.property(labelledScores(1, true), ({ scores, labels }) => {
        const { positives, negatives } = histogram(scores, labels, 7, 0, 7);
        expect(aucFromBins(positives, negatives).auc).toBeCloseTo(rocAuc(scores, labels), 12);
      }),
    );
  });

  it("stays within maxError of the exact AUC on arbitrary scores", () => {
    fc.assert(
      fc.property(labelledScores(), fc.integer({ min: 1, max: 40 }), ({ scores, labels }, bins) => {
        const { positives, negatives } = histogram(scores, labels, bins, -5, 5);
        const { auc, maxError } = aucFromBins(positives, negatives);
        expect(Math.abs(rocAuc(scores, labels) - auc)).toBeLessThanOrEqual(maxError + 1e-12);
        expect(maxError).toBeLessThanOrEqual(0.5);
      }),
    );
  });

  it("throws naming the bad argument", () => {
    expect(() => aucFromBins([1, 2], [1])).toThrow(/same number of bins/);
    expect(() => aucFromBins([0, 0], [1, 2])).toThrow(/positives are all zero/);
    expect(() => aucFromBins([1, 2], [0, 0])).toThrow(/negatives are all zero/);
    expect(() => aucFromBins([1, Number.NaN], [1, 1])).toThrow(/positives\[1\]/);
    expect(() => aucFromBins([1, 1], [-1, 3])).toThrow(/negatives\[0\]/);
  });
});
