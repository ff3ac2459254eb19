import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { rocAuc } from "../../src/stats/auc.js";
import { labelledScores, loadClassificationFixture, relativeError } from "./classification-fixture.js";

const fixture = loadClassificationFixture();

describe("rocAuc", () => {
  it(`matches sklearn roc_auc_score on ${fixture.rocAuc.length} reference cases`, () => {
    expect(fixture.rocAuc.length).toBeGreaterThanOrEqual(40);
    for (const c of fixture.rocAuc) {
      expect(relativeError(rocAuc(c.scores, c.labels), c.auc), c.name).toBeLessThanOrEqual(1e-9);
    }
  });

  it("counts ties as one half (hand-computed)", () => {
    // pairs (pos, neg): (2>1) 1, (2=2) ½, (3>1) 1, (3>2) 1 → 3.5 / 4
    expect(rocAuc([1, 2, 2, 3], [0, 0, 1, 1])).toBe(0.875);
    expect(rocAuc([5, 5, 5], [1, 0, 1])).toBe(0.5);
  });

  it("lies in [0, 1] and flipping the labels gives 1 − AUC", () => {
    fc.assert(
      fc.property(labelledScores(), ({ scores, labels }) => {
        const auc = rocAuc(scores, labels);
        expect(auc).toBeGreaterThanOrEqual(0);
        expect(auc).toBeLessThanOrEqual(1);
        const flipped = labels.map((label) => 1 - label);
        expect(rocAuc(scores, flipped)).toBeCloseTo(1 - auc, 12);
      }),
    );
  });

  it("throws naming the bad argument", () => {
    expect(() => rocAuc([0.1, 0.2], [1, 1])).toThrow(/labels must contain both classes/);
    expect(() => rocAuc([0.1, 0.2, 0.3], [1, 0])).toThrow(/scores and labels must have the same length/);
    expect(() => rocAuc([0.1, Number.NaN], [1, 0])).toThrow(/scores\[1\] is not finite/);
    expect(() => rocAuc([0.1, 0.2], [1, 2])).toThrow(/labels\[1\] must be 0 or 1/);
    expect(() => rocAuc([], [])).toThrow(/labels must contain both classes/);
  });
});
