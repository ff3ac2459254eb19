import { describe, expect, it } from "vitest";
import {
  constantShapeBoundaries,
  driftForPower,
  operatingCharacteristics,
  planGroupSequential,
} from "../../src/stats/group-sequential-design.js";
import { normalQuantile } from "../../src/stats/normal.js";
import { boundaryOf, loadGroupSequentialFixture } from "./group-sequential-fixture.js";

const fixture = loadGroupSequentialFixture();

// scipy's values carry the Genz integration's noise (relative 1e-5 per probability), about 3e-5 in a
// root-found constant; the tolerances below sit above that and well below the 1e-3 the design needs.
describe("constant-shape designs against Jennison & Turnbull (2000) Tables 2.1–2.4", () => {
  const fixedDrift = normalQuantile(0.975) + normalQuantile(0.9);

  for (const row of fixture.published) {
    const name = `${row.shape}, K = ${row.looks}, two-sided alpha ${row.alpha}`;

    it(`${name}: constant ${row.constant} (scipy ${row.scipyConstant.toFixed(5)})`, () => {
      const { constant, boundaries } = constantShapeBoundaries({
        shape: row.shape,
        looks: row.looks,
        alpha: row.alpha,
        sides: 2,
      });
      expect(Math.abs(constant - row.constant)).toBeLessThanOrEqual(5e-4); // the table's 3 decimals
      expect(Math.abs(constant - row.scipyConstant)).toBeLessThan(1e-4);
      boundaries.forEach((b, k) => {
        expect(Math.abs(b - row.scipyBoundaries[k])).toBeLessThan(2e-4);
      });
      if (row.boundaries !== null)
        expect(boundaries.map((b) => Number(b.toFixed(3)))).toEqual(row.boundaries);
    });

    it(`${name}: one-sided constant at alpha/2 (scipy ${row.scipyOneSidedConstant.toFixed(5)})`, () => {
      const { constant } = constantShapeBoundaries({
        shape: row.shape,
        looks: row.looks,
        alpha: row.alpha / 2,
        sides: 1,
      });
      expect(Math.abs(constant - row.scipyOneSidedConstant)).toBeLessThan(1e-4);
    });

    it(`${name}: inflation factor ${row.inflation} for power ${row.power}`, () => {
      const { boundaries } = constantShapeBoundaries({
        shape: row.shape,
        looks: row.looks,
        alpha: row.alpha,
        sides: 2,
      });
      const information = boundaries.map((_, k) => k + 1);
      const schedule = { information, upper: boundaries, lower: boundaries.map((b) => -b) };
      const inflation = (driftForPower(schedule, row.power) / fixedDrift) ** 2;
      expect(Math.abs(inflation - row.inflation)).toBeLessThanOrEqual(5e-4);
      expect(Math.abs(inflation - row.scipyInflation)).toBeLessThan(1e-4);
    });
  }
});

describe("operating characteristics against scipy's multivariate normal", () => {
  it("crossing probabilities by look, power and expected stopping information under drifts", () => {
    expect(fixture.power.length).toBeGreaterThanOrEqual(9);
    for (const row of fixture.power) {
      const upper = row.boundaries.map(boundaryOf);
      const oc = operatingCharacteristics({ information: row.information, upper }, row.drift);
      oc.upperCrossing.forEach((p, k) => {
        expect(Math.abs(p - row.upperCrossing[k])).toBeLessThanOrEqual(1e-4 * row.upperCrossing[k] + 1e-9);
      });
      expect(Math.abs(oc.power - row.power)).toBeLessThan(1e-5);
      expect(Math.abs(oc.expectedStoppingInformation - row.expectedStoppingInformation)).toBeLessThan(
        1e-5 * row.information[row.information.length - 1],
      );
      expect(oc.lowerCrossing.every((p) => p === 0)).toBe(true);
    }
  });

  it("quantiles of stopping and crossing information follow the cumulative probabilities", () => {
    for (const row of fixture.power) {
      const upper = row.boundaries.map(boundaryOf);
      for (const quantile of [0.1, 0.5, 0.8]) {
        const oc = operatingCharacteristics({ information: row.information, upper }, row.drift, { quantile });
        let crossed = 0;
        let expected: number | null = null;
        row.upperCrossing.forEach((p, k) => {
          crossed += p;
          if (expected === null && crossed >= quantile) expected = row.information[k];
        });
        expect(oc.crossingInformationQuantile).toBe(expected);
        // Stopping counts the last look for runs that never cross, so it is never later than crossing.
        expect(oc.stoppingInformationQuantile).toBeLessThanOrEqual(expected ?? Number.POSITIVE_INFINITY);
      }
    }
  });
});

describe("planning a spending-function design", () => {
  for (const row of fixture.plans) {
    it(`${row.spending}, alpha ${row.alpha}, power ${row.power}: drift ${row.drift.toFixed(4)}, inflation ${row.inflation.toFixed(4)}`, () => {
      const plan = planGroupSequential({
        alpha: row.alpha,
        spending: row.spending,
        fractions: row.fractions,
        power: row.power,
        effect: 0.25,
      });
      plan.boundaries.forEach((b, k) => {
        expect(Math.abs(b - row.boundaries[k])).toBeLessThan(1e-4);
      });
      expect(Math.abs(plan.drift - row.drift)).toBeLessThan(1e-4);
      expect(Math.abs(plan.fixedDrift - row.fixedDrift)).toBeLessThan(1e-12);
      expect(Math.abs(plan.inflation - row.inflation)).toBeLessThan(1e-4);
      expect(plan.maxInformation).toBeCloseTo((plan.drift / 0.25) ** 2, 9);
      const oc = operatingCharacteristics({ information: row.fractions, upper: plan.boundaries }, plan.drift);
      expect(oc.power).toBeCloseTo(row.power, 8);
    });
  }

  it("leaves maxInformation null without an effect", () => {
    const plan = planGroupSequential({ alpha: 0.025, spending: "pocock", fractions: [0.5, 1], power: 0.8 });
    expect(plan.maxInformation).toBeNull();
    expect(plan.inflation).toBeGreaterThan(1);
  });

  it("throws naming the bad argument", () => {
    const good = { alpha: 0.025, spending: "pocock" as const, fractions: [0.5, 1], power: 0.8 };
    expect(() => planGroupSequential({ ...good, fractions: [0.5, 0.9] })).toThrow(/fractions/);
    expect(() => planGroupSequential({ ...good, fractions: [0.6, 0.5, 1] })).toThrow(/fractions\[1\]/);
    expect(() => planGroupSequential({ ...good, power: 1 })).toThrow(/power/);
    expect(() => planGroupSequential({ ...good, effect: -1 })).toThrow(/effect/);
    expect(() => planGroupSequential({ ...good, alpha: 2 })).toThrow(/alpha/);
    expect(() => constantShapeBoundaries({ shape: "pocock", looks: 0, alpha: 0.05, sides: 2 })).toThrow(
      /looks/,
    );
    expect(() =>
      constantShapeBoundaries({ shape: "pocock", looks: 3, alpha: 0.05, sides: 3 as 1 | 2 }),
    ).toThrow(/sides/);
    expect(() => operatingCharacteristics({ information: [1, 1], upper: [2, 2] }, 1)).toThrow(
      /schedule\.information\[1\]/,
    );
    expect(() => operatingCharacteristics({ information: [1, 2], upper: [2] }, 1)).toThrow(/upperBounds/);
    expect(() => operatingCharacteristics({ information: [1, 2], upper: [2, 2] }, Number.NaN)).toThrow(
      /drift/,
    );
    expect(() => driftForPower({ information: [1, 2], upper: [2, 2] }, 0.01)).toThrow(/power/);
  });
});
