import { describe, expect, it } from "vitest";
import type { GroupCounts } from "../../src/sketch/group-counts.js";
import { fairnessBetweenGroups, groupRates } from "../../src/stats/fairness.js";
import { loadClassificationFixture, relativeError } from "./classification-fixture.js";

const fixture = loadClassificationFixture();

function expectCloseOrNull(actual: number | null, expected: number | null, label: string): void {
  if (expected === null) expect(actual, label).toBeNull();
  else {
    expect(actual, label).not.toBeNull();
    expect(relativeError(actual as number, expected), label).toBeLessThanOrEqual(1e-9);
  }
}

const metrics = [
  "demographicParityDifference",
  "demographicParityRatio",
  "equalizedOddsDifference",
  "equalizedOddsRatio",
  "equalOpportunityDifference",
] as const;

describe("fairnessBetweenGroups", () => {
  it(`matches fairlearn's between_groups definitions (numpy/sklearn) on ${fixture.fairness.length} cases`, () => {
    expect(fixture.fairness.length).toBeGreaterThanOrEqual(40);
    for (const c of fixture.fairness) {
      const summary = fairnessBetweenGroups(c.groups, c.minCount);
      for (const metric of metrics) expectCloseOrNull(summary[metric], c[metric], `${c.name} ${metric}`);
      expect(summary.excluded, c.name).toEqual(c.excluded);
      for (const [group, rates] of Object.entries(c.byGroup)) {
        const label = `${c.name} ${group}`;
        expectCloseOrNull(
          summary.byGroup[group].selectionRate,
          rates.selectionRate,
          `${label} selectionRate`,
        );
        expectCloseOrNull(summary.byGroup[group].tpr, rates.tpr, `${label} tpr`);
        expectCloseOrNull(summary.byGroup[group].fpr, rates.fpr, `${label} fpr`);
        expect(summary.byGroup[group].n).toBe(rates.n);
      }
    }
  });

  it("reports hand-computed gaps (four-fifths rule example)", () => {
    const groups: Record<string, GroupCounts> = {
      a: { n: 100, selected: 50, tp: 40, fn: 10, fp: 10, tn: 40 },
      b: { n: 100, selected: 30, tp: 20, fn: 20, fp: 10, tn: 50 },
      tiny: { n: 3, selected: 3, tp: 1, fn: 0, fp: 2, tn: 0 },
    };
    const summary = fairnessBetweenGroups(groups, 10);
    expect(summary.excluded).toEqual(["tiny"]);
    expect(summary.demographicParityDifference).toBeCloseTo(0.2, 15);
    expect(summary.demographicParityRatio).toBeCloseTo(0.6, 15);
    // TPR 0.8 vs 0.5, FPR 0.2 vs 1/6
    expect(summary.equalOpportunityDifference).toBeCloseTo(0.3, 15);
    expect(summary.equalizedOddsDifference).toBeCloseTo(0.3, 15);
    expect(summary.equalizedOddsRatio).toBeCloseTo(0.625, 15);
  });

  it("gives difference 0 and ratio 1 for one group or all-zero rates, null without data", () => {
    const one = fairnessBetweenGroups({ a: { n: 10, selected: 0, tp: 0, fn: 2, fp: 0, tn: 8 } });
    expect(one.demographicParityDifference).toBe(0);
    expect(one.demographicParityRatio).toBe(1);
    const none = fairnessBetweenGroups({ a: { n: 0, selected: 0, tp: 0, fn: 0, fp: 0, tn: 0 } });
    expect(none.demographicParityDifference).toBeNull();
    expect(none.equalizedOddsRatio).toBeNull();
    expect(none.excluded).toEqual(["a"]);
  });

  it("throws naming the bad count", () => {
    expect(() => groupRates({ n: 1, selected: 0, tp: -1, fn: 0, fp: 0, tn: 0 })).toThrow(/tp must be/);
    expect(() => fairnessBetweenGroups({}, Number.NaN)).toThrow(/minCount/);
  });
});
