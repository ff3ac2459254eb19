import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SpendingFunction } from "../../src/stats/alpha-spending.js";
import {
  advanceGroupSequential,
  expectedRatio,
  type GroupSequentialLook,
  type GroupSequentialState,
  groupSequentialBoundaries,
  LOOK_AHEAD_STEPS,
  lookAhead,
  startGroupSequential,
  stepGroupSequential,
  validateGroupSequentialState,
} from "../../src/stats/group-sequential.js";
import { crossingProbabilities } from "../../src/stats/group-sequential-integration.js";
import { normalSf } from "../../src/stats/normal.js";
import { boundaryOf, loadGroupSequentialFixture } from "./group-sequential-fixture.js";

const fixture = loadGroupSequentialFixture();
const noLower = (n: number) => Array.from({ length: n }, () => Number.NEGATIVE_INFINITY);

/** Schedules of 2–8 looks with increasing information and fractions k/K (the declared-look convention). */
const schedules = fc
  .record({
    spending: fc.constantFrom<SpendingFunction>("obrien-fleming", "pocock"),
    alpha: fc.constantFrom(0.005, 0.01, 0.025, 0.05, 0.1),
    steps: fc.array(fc.double({ min: 0.05, max: 5, noNaN: true }), { minLength: 2, maxLength: 8 }),
  })
  .map(({ spending, alpha, steps }) => {
    let information = 0;
    const looks: GroupSequentialLook[] = steps.map((step, k) => {
      information += step;
      return { information, fraction: (k + 1) / steps.length };
    });
    return { spending, alpha, looks };
  });

describe("group-sequential boundaries (Lan–DeMets spending, recursive integration)", () => {
  it("match boundaries root-found on scipy's multivariate normal CDF to 1e-4", () => {
    expect(fixture.spending.length).toBeGreaterThanOrEqual(10);
    for (const schedule of fixture.spending) {
      const looks = schedule.information.map((information, k) => ({
        information,
        fraction: schedule.fractions[k],
      }));
      const boundaries = groupSequentialBoundaries(schedule, looks);
      schedule.boundaries.forEach((expected, k) => {
        if (expected === null) expect(boundaries[k]).toBe(Number.POSITIVE_INFINITY);
        else expect(Math.abs(boundaries[k] - expected)).toBeLessThan(1e-4);
      });
    }
  });

  it("give scipy's crossing probabilities at scipy's boundaries (relative 1e-4)", () => {
    for (const schedule of fixture.spending) {
      const upper = schedule.boundaries.map(boundaryOf);
      const { upper: crossing } = crossingProbabilities(
        schedule.information,
        noLower(upper.length),
        upper,
        0,
      );
      crossing.forEach((p, k) => {
        expect(Math.abs(p - schedule.crossing[k])).toBeLessThanOrEqual(1e-4 * schedule.crossing[k] + 1e-12);
      });
    }
  });

  it("spend exactly the increments of the spending function at each look", () => {
    for (const schedule of fixture.spending) {
      const looks = schedule.information.map((information, k) => ({
        information,
        fraction: schedule.fractions[k],
      }));
      const upper = groupSequentialBoundaries(schedule, looks);
      const { upper: crossing } = crossingProbabilities(
        schedule.information,
        noLower(upper.length),
        upper,
        0,
      );
      crossing.forEach((p, k) => {
        const increment = schedule.spent[k] - (k === 0 ? 0 : schedule.spent[k - 1]);
        expect(Math.abs(p - increment)).toBeLessThanOrEqual(1e-9 * increment + 1e-15);
      });
    }
  });

  it("answers +∞ when a look spends nothing, and after alpha is used up", () => {
    const design = { alpha: 0.025, spending: "pocock" as const };
    const boundaries = groupSequentialBoundaries(design, [
      { information: 1, fraction: 0.5 },
      { information: 2, fraction: 0.5 },
      { information: 3, fraction: 1.3 },
      { information: 4, fraction: 1.6 },
    ]);
    // The first look alone: P(Z_1 ≥ c_1) = α·ln(1 + (e − 1)/2) = 0.015512 gives c_1 = 2.1566.
    expect(normalSf(boundaries[0])).toBeCloseTo(0.025 * Math.log1p((Math.E - 1) / 2), 14);
    expect(boundaries[1]).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isFinite(boundaries[2])).toBe(true);
    expect(boundaries[3]).toBe(Number.POSITIVE_INFINITY);
  });

  it("uses only ratios of information", () => {
    const looks = [1, 1.7, 3.2, 4].map((information, k) => ({ information, fraction: (k + 1) / 4 }));
    const scaled = looks.map((look) => ({ ...look, information: look.information * 3721.5 }));
    const design = { alpha: 0.01, spending: "obrien-fleming" as const };
    const a = groupSequentialBoundaries(design, looks);
    const b = groupSequentialBoundaries(design, scaled);
    a.forEach((x, k) => {
      expect(b[k]).toBeCloseTo(x, 9);
    });
  });

  describe("properties", () => {
    it("O'Brien–Fleming-type boundaries fall look by look for equally spaced looks", () => {
      // Not for every spacing: a last look close to the one before (t = 0.99 then 1) needs a higher
      // boundary, as scipy confirms in the fixture's two-look schedule at 0.99 and 1.
      fc.assert(
        fc.property(
          fc.integer({ min: 2, max: 40 }),
          fc.double({ min: 0.001, max: 0.2, noNaN: true }),
          fc.double({ min: 0.01, max: 100, noNaN: true }),
          (looks, alpha, unit) => {
            const schedule = Array.from({ length: looks }, (_, k) => ({
              information: (k + 1) * unit,
              fraction: (k + 1) / looks,
            }));
            const b = groupSequentialBoundaries({ alpha, spending: "obrien-fleming" }, schedule);
            return b.every((x, k) => k === 0 || x < b[k - 1]);
          },
        ),
        { numRuns: 40 },
      );
    });

    it("spend all of alpha by t = 1", () => {
      fc.assert(
        fc.property(schedules, ({ spending, alpha, looks }) => {
          const b = groupSequentialBoundaries({ alpha, spending }, looks);
          const information = looks.map((look) => look.information);
          const { upper } = crossingProbabilities(information, noLower(b.length), b, 0, 32);
          const total = upper.reduce((sum, p) => sum + p, 0);
          return Math.abs(total - alpha) < 1e-5 * alpha;
        }),
        { numRuns: 60 },
      );
    });

    it("the incremental state through JSON equals the batch computation exactly", () => {
      fc.assert(
        fc.property(schedules, ({ spending, alpha, looks }) => {
          const batch = groupSequentialBoundaries({ alpha, spending }, looks);
          let stored = JSON.stringify(startGroupSequential({ alpha, spending }));
          return looks.every((look, k) => {
            const { boundary, state } = advanceGroupSequential(JSON.parse(stored), look);
            stored = JSON.stringify(state);
            return Object.is(boundary, batch[k]);
          });
        }),
        { numRuns: 60 },
      );
    });

    it("a state survives serialise/deserialise unchanged", () => {
      fc.assert(
        fc.property(schedules, ({ spending, alpha, looks }) => {
          let state = startGroupSequential({ alpha, spending });
          for (const look of looks) {
            state = advanceGroupSequential(state, look).state;
            const copy = JSON.parse(JSON.stringify(state)) as GroupSequentialState;
            expect(copy).toEqual(state);
            validateGroupSequentialState(copy);
          }
        }),
        { numRuns: 40 },
      );
    });
  });

  it("a step's bracket holds its boundary, and its boundary and state are computed once, on demand", () => {
    for (const spending of ["obrien-fleming", "pocock"] as const) {
      let state = startGroupSequential({ alpha: 0.009, spending });
      for (let k = 1; k <= 10; k++) {
        const step = stepGroupSequential(state, { information: 50 * k ** 1.3, fraction: k / 10 });
        const [lo, hi] = step.bracket;
        const c = step.boundary();
        expect(lo).toBeLessThanOrEqual(c + 1e-6);
        expect(c).toBeLessThanOrEqual(hi + 1e-9);
        if (k === 1) expect(lo).toBe(hi);
        expect(step.boundary()).toBe(c);
        const next = step.next();
        expect(step.next()).toBe(next);
        expect(next.boundary).toBe(c);
        state = next;
      }
    }
  });

  it("look-ahead levels: a level's boundary is at least the exact one, the same whether prepared or not, and the run spends at most alpha", () => {
    // steady growth (ratios the table expects, between its levels) and two irregular looks outside it
    const ratios = [1, 1.97, 1.52, 1.07, 1.27, 1.2, 12, 1.085, 1.074, 1.065];
    for (const spending of ["obrien-fleming", "pocock"] as const) {
      const alpha = 0.009;
      let state = startGroupSequential({ alpha, spending });
      let information = 80;
      const informations: number[] = [];
      const boundaries: number[] = [];
      let tabled = 0;
      for (let k = 1; k <= ratios.length; k++) {
        information *= ratios[k - 1];
        const fraction = k / ratios.length;
        const look = { information, fraction };
        const ahead = k > 1 ? lookAhead(state, fraction) : undefined;
        const exact = stepGroupSequential(state, look).boundary();
        const step = stepGroupSequential(state, look, { levels: true, ahead });
        const c = step.boundary();
        // not prepared: the level's boundary is solved then, the same number (answers never depend on
        // whether the look-ahead was ready, nor on a restart replaying the run)
        const unprepared = stepGroupSequential(state, look, { levels: true });
        expect(unprepared.boundary()).toBe(c);
        // and the bracket given before any integration holds it
        expect(unprepared.bracket[0]).toBeLessThanOrEqual(c + 1e-6);
        expect(c).toBeLessThanOrEqual(unprepared.bracket[1]);
        const expected = k > 1 ? expectedRatio(state) : 0;
        const inRange =
          k > 1 &&
          ratios[k - 1] >= (expected * LOOK_AHEAD_STEPS[0]) / 1.02 &&
          ratios[k - 1] <= expected * LOOK_AHEAD_STEPS.at(-1)!;
        // a prepared look knows its boundary at once (the first look's bracket is exact anyway)
        if (k > 1) expect(step.bracket[0] === c && step.bracket[1] === c).toBe(inRange);
        if (inRange) {
          tabled++;
          expect(c).toBeGreaterThanOrEqual(exact);
          expect(c - exact).toBeLessThan(0.03);
        } else expect(c).toBeCloseTo(exact, 12);
        // the state counts the whole increment as spent; the look's boundary crosses at most that
        const next = step.next();
        const { upper } = crossingProbabilities(
          [...informations, information],
          [...boundaries, c].map(() => -Infinity),
          [...boundaries, c],
          0,
        );
        expect(upper.reduce((a, x) => a + x, 0)).toBeLessThanOrEqual(next.spent * (1 + 1e-6));
        informations.push(information);
        boundaries.push(c);
        state = next;
      }
      expect(tabled).toBe(5); // looks 2, 3, 6, 9 and 10 grew as the table expected
      const { upper } = crossingProbabilities(
        informations,
        boundaries.map(() => -Infinity),
        boundaries,
        0,
      );
      const total = upper.reduce((a, x) => a + x, 0);
      // the run spends nearly all of alpha, and never more: the levels' spacing leaves a little unspent
      expect(total).toBeLessThanOrEqual(alpha * (1 + 1e-6));
      expect(total).toBeGreaterThan(alpha * 0.95);
    }
  });

  describe("state", () => {
    const after = (looks: GroupSequentialLook[]) => {
      let state = startGroupSequential({ alpha: 0.05, spending: "obrien-fleming" });
      for (const look of looks) state = advanceGroupSequential(state, look).state;
      return state;
    };
    const two = after([
      { information: 10, fraction: 0.25 },
      { information: 21, fraction: 0.5 },
    ]);

    it("is small: one number per grid point and a few scalars", () => {
      expect(two.density.length).toBeLessThanOrEqual(400);
      expect(JSON.stringify(two).length).toBeLessThan(6000);
      expect(two).toMatchObject({ looks: 2, information: 21, fraction: 0.5, gridPointsPerSd: 16 });
      expect(two.spent).toBeCloseTo(2 * normalSf(1.959963984540054 / Math.sqrt(0.5)), 15);
    });

    it("rejects malformed or tampered states, naming the field", () => {
      const bad = (patch: Record<string, unknown>) => ({ ...two, ...patch }) as GroupSequentialState;
      const look = { information: 30, fraction: 0.75 };
      expect(() => advanceGroupSequential(bad({ extra: 1 }), look)).toThrow(/state\.extra/);
      expect(() => advanceGroupSequential(bad({ alpha: 2 }), look)).toThrow(/state\.alpha/);
      expect(() => advanceGroupSequential(bad({ spending: "linear" }), look)).toThrow(/spending/);
      expect(() => advanceGroupSequential(bad({ gridPointsPerSd: 3 }), look)).toThrow(/gridPointsPerSd/);
      expect(() => advanceGroupSequential(bad({ looks: -1 }), look)).toThrow(/state\.looks/);
      expect(() => advanceGroupSequential(bad({ information: 0 }), look)).toThrow(/state\.information/);
      expect(() => advanceGroupSequential(bad({ spent: 0.2 }), look)).toThrow(/state\.spent/);
      expect(() => advanceGroupSequential(bad({ boundary: "x" }), look)).toThrow(/state\.boundary/);
      expect(() => advanceGroupSequential(bad({ density: two.density.slice(1) }), look)).toThrow(
        /state\.density/,
      );
      expect(() => advanceGroupSequential(bad({ density: two.density.map(() => -1) }), look)).toThrow(
        /state\.density/,
      );
    });

    it("rejects looks that go back in information or fraction", () => {
      expect(() => advanceGroupSequential(two, { information: 21, fraction: 0.75 })).toThrow(/information/);
      expect(() => advanceGroupSequential(two, { information: Number.NaN, fraction: 0.75 })).toThrow(
        /information/,
      );
      expect(() => advanceGroupSequential(two, { information: 30, fraction: 0.4 })).toThrow(/fraction/);
      expect(() =>
        advanceGroupSequential(two, { information: 30, fraction: Number.POSITIVE_INFINITY }),
      ).toThrow(/fraction/);
    });

    it("rejects a bad design", () => {
      expect(() => startGroupSequential({ alpha: 0, spending: "pocock" })).toThrow(/alpha/);
      expect(() => startGroupSequential({ alpha: 0.05, spending: "pocock", gridPointsPerSd: 2.5 })).toThrow(
        /gridPointsPerSd/,
      );
    });
  });
});
