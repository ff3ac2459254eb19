import { describe, expect, it } from "vitest";
import { GATES } from "../../src/gates/registry.js";
import {
  anytimeHalfWidth,
  lowerBound,
  RESERVE,
  type Sequence,
  tuningInformation,
  upperBound,
} from "../../src/gates/sequential.js";
import { lookKeyOf } from "../../src/judge/assembly.js";
import { JudgementHistory, memoryAuditStorage } from "../../src/judge/history.js";
import { runJudgement } from "../../src/judge/judge.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { parseJudgeRequest } from "../../src/judge/request.js";
import { SequentialRuns } from "../../src/judge/sequential-runs.js";
import type { SpendingFunction } from "../../src/stats/alpha-spending.js";
import {
  type GroupSequentialDesign,
  type GroupSequentialLook,
  groupSequentialBoundaries,
  startGroupSequential,
  stepGroupSequential,
} from "../../src/stats/group-sequential.js";
import { normalCdf } from "../../src/stats/normal.js";
import { oneSidedMixtureBoundary, oneSidedMixtureRho } from "../../src/stats/one-sided-normal-mixture.js";
import { memorySource } from "../judge/memory-source.js";
import { countCohort } from "./cohorts.js";

/**
 * The shared decision engine (src/gates/sequential.ts) against hand calculation: the tuning
 * information, the anytime-valid half-width b(V)/V, and with a declared look schedule the
 * group-sequential boundary at (1 − RESERVE)·alpha beside the anytime reserve at RESERVE·alpha.
 * Normal quantiles are scipy's (scipy.stats.norm.ppf / isf, quoted below).
 */
const Z = { "0.99": 2.3263478740408408, "0.95": 1.6448536269514722, "0.8": 0.8416212335729143 };

/** The documented tuning: 2·((z_{1−α} + z_{0.8})/scale)², the information a fixed test needs × 2. */
const tuning = (z: number, scale: number) => 2 * ((z + Z["0.8"]) / scale) ** 2;

/** ρ = v⋆/(l + ln(1 + l)), l = 2 ln(1/(2α)) (one-sided-normal-mixture.ts, written out). */
const rhoByHand = (vStar: number, alpha: number) => {
  const l = 2 * Math.log(1 / (2 * alpha));
  return vStar / (l + Math.log(1 + l));
};

/** b(V)/V of the one-sided mixture tuned at v⋆. */
function mixtureHalfWidth(se: number, alpha: number, vStar: number): number {
  const v = 1 / (se * se);
  const rho = rhoByHand(vStar, alpha);
  expect(oneSidedMixtureRho(vStar, alpha)).toBeCloseTo(rho, 12);
  const b = oneSidedMixtureBoundary(v, rho, alpha);
  // b solves ln M⁺(b, V) = ln(1/α), M⁺ = 2·√(ρ/(V+ρ))·exp(b²/(2(V+ρ)))·Φ(b/√(V+ρ))
  const w = v + rho;
  const logM = Math.LN2 + 0.5 * Math.log(rho / w) + (b * b) / (2 * w) + Math.log(normalCdf(b / Math.sqrt(w)));
  expect(logM).toBeCloseTo(Math.log(1 / alpha), 9);
  return b / v;
}

/**
 * The boundaries the judge's runs use: each look takes its look-ahead level's boundary where its
 * information falls among the levels (src/stats/group-sequential.ts), else the exact one.
 */
function judgeBoundaries(design: GroupSequentialDesign, looks: GroupSequentialLook[]): number[] {
  let state = startGroupSequential(design);
  return looks.map((look) => {
    const step = stepGroupSequential(state, look, { levels: true });
    state = step.next();
    return step.boundary();
  });
}

/** A run of one gate's contrasts as the judge keeps it: a context per look, observations recorded. */
function run(looks: number, spending: SpendingFunction) {
  const runs = new SequentialRuns();
  let look = 0;
  return {
    /** The next look's context, and a function recording what it observed. */
    next() {
      look++;
      const design = { look, looks, spending };
      const context = runs.contextFor("run", "gate", design);
      const record = () =>
        runs.observe("run", {
          gates: { gate: { sequential: { ...design, observed: Object.fromEntries(context.observed) } } },
        } as unknown as JudgeResponse);
      return { context, record, sequence: { context, key: "k" } as Sequence };
    },
  };
}

describe("anytime-valid bound", () => {
  it("tunes the mixture at twice the information a fixed one-sided test needs for 80% power at the scale", () => {
    // alpha 0.01, scale ln 1.2: 2·((2.32635 + 0.84162)/0.18232)² ≈ 603.83
    expect(tuningInformation(0.01, Math.log(1.2))).toBeCloseTo(tuning(Z["0.99"], Math.log(1.2)), 9);
    expect(tuningInformation(0.01, Math.log(1.2))).toBeCloseTo(603.83, 2);
    expect(tuningInformation(0.05, 0.02)).toBeCloseTo(tuning(Z["0.95"], 0.02), 6);
  });

  it("half-width is b(V)/V of the one-sided mixture at the tuning information, and the bounds are θ̂ ∓ it", () => {
    for (const [se, alpha, scale, z] of [
      [0.05, 0.01, Math.log(1.2), Z["0.99"]],
      [0.004, 0.05, 0.02, Z["0.95"]],
      [0.3, 0.01, 0.5, Z["0.99"]],
    ]) {
      const half = mixtureHalfWidth(se, alpha, tuning(z, scale));
      expect(anytimeHalfWidth(se, alpha, scale)).toBeCloseTo(half, 12);
      // wider than the fixed-sample bound z·se: the price of holding at every look
      expect(half).toBeGreaterThan(z * se);
      const c = { estimate: 0.1, se };
      expect(lowerBound(c, alpha, scale)).toBeCloseTo(0.1 - half, 12);
      expect(upperBound(c, alpha, scale)).toBeCloseTo(0.1 + half, 12);
    }
  });

  it("an undefined standard error or estimate gives an uninformative bound, never NaN", () => {
    expect(anytimeHalfWidth(0, 0.01, 0.1)).toBe(Number.POSITIVE_INFINITY);
    expect(anytimeHalfWidth(Number.NaN, 0.01, 0.1)).toBe(Number.POSITIVE_INFINITY);
    expect(lowerBound({ estimate: 1, se: 0 }, 0.01, 0.1)).toBe(Number.NEGATIVE_INFINITY);
    expect(upperBound({ estimate: Number.NaN, se: 1 }, 0.01, 0.1)).toBe(Number.POSITIVE_INFINITY);
    expect(lowerBound({ estimate: Number.POSITIVE_INFINITY, se: 1 }, 0.01, 0.1)).toBe(
      Number.NEGATIVE_INFINITY,
    );
  });
});

describe("declared look schedule (SequentialContext from SequentialRuns)", () => {
  const alpha = 0.01;
  const scale = 0.1;
  const reserveHalf = (se: number) => mixtureHalfWidth(se, RESERVE * alpha, tuning(3.090232306167813, scale));

  it("first look: the tighter of the group-sequential boundary at (1 − RESERVE)·alpha and the reserve", () => {
    // RESERVE·alpha = 0.001: z_{0.999} = 3.090232306167813 (scipy) sets the reserve's tuning
    expect(RESERVE).toBe(0.1);
    const se = 0.02;
    const information = 1 / (se * se);
    // O'Brien–Fleming, look 1 of 10: spent 2·sf(ppf(1 − 0.0045)/√0.1) = 1.456e-16, c₁ = isf(spent) = 8.1769
    // Pocock, look 1 of 2: spent 0.009·ln(1 + (e − 1)/2) = 0.005581, c₁ = isf(spent) = 2.5376 (scipy)
    for (const [spending, looks, c1, reserveWins] of [
      ["obrien-fleming", 10, 8.176897234031733, true],
      ["pocock", 2, 2.5375838942441202, false],
    ] as const) {
      const fraction = 1 / looks;
      const [first] = groupSequentialBoundaries({ alpha: (1 - RESERVE) * alpha, spending }, [
        { information, fraction },
      ]);
      expect(first).toBeCloseTo(c1, spending === "pocock" ? 9 : 5);
      const group = first * se;
      const reserve = reserveHalf(se);
      expect(reserve < group).toBe(reserveWins);
      const { context, sequence } = run(looks, spending).next();
      const c = { estimate: 0.3, se };
      expect(lowerBound(c, alpha, scale, sequence)).toBeCloseTo(0.3 - Math.min(group, reserve), 12);
      // the same state serves the other side: the upper bound is symmetric
      expect(upperBound(c, alpha, scale, sequence)).toBeCloseTo(0.3 + Math.min(group, reserve), 12);
      expect(context.observed.get("k")).toEqual({ information, fraction });
    }
  });

  it("a look without more information spends nothing and reuses the last boundary", () => {
    const spending = "pocock";
    const design = { alpha: (1 - RESERVE) * alpha, spending } as const;
    const r = run(4, spending);
    const se1 = 0.02;
    const se3 = 0.012;
    const c = (se: number) => ({ estimate: 0, se });

    const one = r.next();
    const half1 = -lowerBound(c(se1), alpha, scale, one.sequence);
    one.record();
    const [b1] = groupSequentialBoundaries(design, [{ information: 1 / se1 ** 2, fraction: 0.25 }]);
    expect(half1).toBeCloseTo(Math.min(b1 * se1, reserveHalf(se1)), 12);

    // look 2 sees the same data: nothing observed, the same bound
    const two = r.next();
    expect(-lowerBound(c(se1), alpha, scale, two.sequence)).toBeCloseTo(half1, 12);
    expect(two.context.observed.size).toBe(0);
    two.record();

    // look 3 continues from look 1 alone: the boundary of the design with looks at t = 0.25 and 0.75
    const three = r.next();
    const half3 = -lowerBound(c(se3), alpha, scale, three.sequence);
    const [, b3] = groupSequentialBoundaries(design, [
      { information: 1 / se1 ** 2, fraction: 0.25 },
      { information: 1 / se3 ** 2, fraction: 0.75 },
    ]);
    expect(b3 * se3).toBeLessThan(reserveHalf(se3));
    expect(half3).toBeCloseTo(b3 * se3, 9);
    expect(three.context.history("k")).toEqual([{ information: 1 / se1 ** 2, fraction: 0.25 }]);
  });

  it("looks beyond the declared count use only the reserve", () => {
    const spending = "obrien-fleming";
    const r = run(10, spending);
    const seAt = (look: number) => 0.05 / Math.sqrt(look);
    const schedule: { information: number; fraction: number }[] = [];
    for (let look = 1; look <= 14; look++) {
      const se = seAt(look);
      const { sequence, record } = r.next();
      const half = -lowerBound({ estimate: 0, se }, alpha, scale, sequence);
      record();
      if (look <= 10) {
        schedule.push({ information: 1 / se ** 2, fraction: look / 10 });
        const design = { alpha: (1 - RESERVE) * alpha, spending } as const;
        const boundaries = judgeBoundaries(design, schedule);
        expect(half).toBeCloseTo(Math.min(boundaries[look - 1] * se, reserveHalf(se)), 9);
        if (look === 10) expect(boundaries[9] * se).toBeLessThan(reserveHalf(se));
        // equal information steps land on a look-ahead level: at most the margin above the exact design
        const exact = groupSequentialBoundaries(design, schedule)[look - 1];
        expect(boundaries[look - 1]).toBeGreaterThanOrEqual(exact);
        expect(boundaries[look - 1] - exact).toBeLessThan(1e-3);
      } else {
        // all of (1 − RESERVE)·alpha was spent by look 10: the group-sequential part cannot decide
        expect(half).toBeCloseTo(reserveHalf(se), 12);
      }
    }
  });

  it("a look answers with its boundary; the state after it is computed on idle turns, once per history", async () => {
    const spending = "obrien-fleming";
    const runs = new SequentialRuns();
    const context = (look: number) => runs.contextFor("idle", "gate", { look, looks: 4, spending });
    const record = (look: number, c: ReturnType<typeof context>) =>
      runs.observe("idle", {
        gates: {
          gate: { sequential: { look, looks: 4, spending, observed: Object.fromEntries(c.observed) } },
        },
      } as unknown as JudgeResponse);
    const design = { alpha: (1 - RESERVE) * alpha, spending } as const;
    // look 1: two contrasts with the same information (a ratio and its inverse) and one with more
    const one = context(1);
    for (const key of ["a/b", "b/a"])
      lowerBound({ estimate: 0, se: 0.02 }, alpha, scale, { context: one, key });
    lowerBound({ estimate: 0, se: 0.01 }, alpha, scale, { context: one, key: "c" });
    record(1, one);
    // two histories, so two states to compute: not yet computed (nothing has yielded) …
    expect(runs.settle()).toBe(2);
    // … and look 2's states are left to the idle turns of the event loop
    const two = context(2);
    const half = -lowerBound({ estimate: 0, se: 0.015 }, alpha, scale, { context: two, key: "a/b" });
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs.settle()).toBe(0);
    // look 2 came after the idle turns had prepared it: its boundary is its look-ahead level's, at or
    // just above the exact one
    const schedule = [
      { information: 1 / 0.02 ** 2, fraction: 0.25 },
      { information: 1 / 0.015 ** 2, fraction: 0.5 },
    ];
    const [, b2] = judgeBoundaries(design, schedule);
    const [, exact2] = groupSequentialBoundaries(design, schedule);
    expect(b2 * 0.015).toBeLessThan(reserveHalf(0.015));
    expect(half).toBeCloseTo(b2 * 0.015, 12);
    expect(b2).toBeGreaterThanOrEqual(exact2);
    expect(b2 - exact2).toBeLessThan(0.01);
    // a look taken without the idle turns (nothing prepared) has the same boundary
    const other = new SequentialRuns();
    const first = other.contextFor("cold", "gate", { look: 1, looks: 4, spending });
    lowerBound({ estimate: 0, se: 0.02 }, alpha, scale, { context: first, key: "a/b" });
    other.observe("cold", {
      gates: {
        gate: { sequential: { look: 1, looks: 4, spending, observed: Object.fromEntries(first.observed) } },
      },
    } as unknown as JudgeResponse);
    const cold = other.contextFor("cold", "gate", { look: 2, looks: 4, spending });
    const unprepared = -lowerBound({ estimate: 0, se: 0.015 }, alpha, scale, { context: cold, key: "a/b" });
    expect(unprepared).toBe(half);
  });

  it("the run's state survives a restart: JudgementHistory replays the observed information from the audit log", async () => {
    const now = 1_800_000_000_000;
    const baseline = countCohort(0);
    const candidate = countCohort(0);
    const source = memorySource({ "m/stable": baseline, "m/canary": candidate });
    const raw = {
      model: "m",
      baseline: "stable",
      candidate: "canary",
      gates: "errors",
      runKey: "restart",
      looks: "5",
    };
    const deps = (history: JudgementHistory) => ({
      registry: GATES,
      sources: { memory: source },
      defaultSource: "memory",
      history,
      clock: () => now,
    });
    const ask = (history: JudgementHistory) =>
      runJudgement(parseJudgeRequest(raw, { registry: GATES, now }), deps(history));
    const grow = (look: number) => {
      Object.assign(baseline, { events: 4000 * look, errors: 40 * look + (look % 3) });
      Object.assign(candidate, { events: 1000 * look, errors: 11 * look });
    };
    const storage = memoryAuditStorage();
    const before = new JudgementHistory(storage);
    const uninterrupted = new JudgementHistory();
    const observed: unknown[] = [];
    for (let look = 1; look <= 3; look++) {
      grow(look);
      const a = await ask(before);
      const b = await ask(uninterrupted);
      expect(a.gates.errors.sequential).toEqual(b.gates.errors.sequential);
      expect(a.gates.errors.sequential?.look).toBe(look);
      observed.push(a.gates.errors.sequential?.observed.error);
    }
    // the process restarts: a new history over the same audit log
    const after = new JudgementHistory(storage);
    const request = parseJudgeRequest(raw, { registry: GATES, now });
    const replayed = after.sequences
      .contextFor(lookKeyOf(request, "canary"), "errors", { look: 4, looks: 5, spending: "obrien-fleming" })
      .history("error");
    expect(replayed).toEqual(observed);
    expect(replayed).toHaveLength(3);

    grow(4);
    const resumed = await ask(after);
    const continued = await ask(uninterrupted);
    expect(resumed.judgement.look).toBe(4);
    expect(resumed.gates.errors.sequential).toEqual(continued.gates.errors.sequential);
    expect(resumed.gates.errors.interval).toEqual(continued.gates.errors.interval);
    expect(resumed.gates.errors.metrics).toEqual(continued.gates.errors.metrics);
    // not vacuous: a run that forgot its looks would bound this look differently
    const forgetful = await ask(new JudgementHistory());
    expect(forgetful.gates.errors.sequential?.look).toBe(1);
    expect(forgetful.gates.errors.interval).not.toEqual(continued.gates.errors.interval);
  });
});
