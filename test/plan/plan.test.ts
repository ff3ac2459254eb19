import { describe, expect, it } from "vitest";
import { GATES } from "../../src/gates/registry.js";
import { anytimeHalfWidth, RESERVE } from "../../src/gates/sequential.js";
import { anytimeCount, anytimeOutcome } from "../../src/plan/anytime.js";
import type { ContrastClaim } from "../../src/plan/claims.js";
import { declaredHorizon, declaredOutcome } from "../../src/plan/declared.js";
import { DEFAULT_ASSUMPTIONS, DEFAULT_REGRESSIONS } from "../../src/plan/inputs.js";
import { oneSidedPower } from "../../src/plan/looks.js";
import { type GateConfigs, makePlan, type PlanRequest } from "../../src/plan/plan.js";
import { countAt } from "../../src/plan/traffic.js";
import { planGroupSequential } from "../../src/stats/group-sequential-design.js";
import { normalQuantile } from "../../src/stats/normal.js";

/** A contrast whose se is sd1/√n: the textbook case. */
const claim = (over: Partial<ContrastClaim> = {}): ContrastClaim => ({
  kind: "contrast",
  claim: "θ > 0",
  effect: 0.1,
  se: (n) => 1 / Math.sqrt(n),
  alpha: 0.01,
  scale: 0.1,
  minN: 1,
  spendsBelowMin: true,
  ...over,
});

describe("anytime-valid", () => {
  it("the single-look count is the smallest n with effect − z₈₀·se(n) ≥ the engine's half-width", () => {
    const c = claim();
    const n = anytimeCount(c, 0.8)!;
    const ok = (m: number) =>
      0.1 - normalQuantile(0.8) / Math.sqrt(m) >= anytimeHalfWidth(1 / Math.sqrt(m), 0.01, 0.1);
    expect(ok(n)).toBe(true);
    expect(ok(n - 1)).toBe(false);
    expect(anytimeCount(claim({ minN: n + 500 }), 0.8)).toBe(n + 500);
  });

  it("one look at the single-look count proves the claim in exactly `power` of runs", () => {
    const c = claim();
    const n = anytimeCount(c, 0.8)!;
    expect(anytimeOutcome(c, [n], 0.8)).toEqual({ power: expect.closeTo(0.8, 2), look: 1 });
    expect(anytimeOutcome(c, [n - 20], 0.8).look).toBeNull();
  });

  it("looking often decides sooner than one look would", () => {
    const c = claim();
    const n = anytimeCount(c, 0.8)!;
    const looks = Array.from({ length: 40 }, (_, j) => ((j + 1) * n) / 40);
    const look = anytimeOutcome(c, looks, 0.8).look!;
    expect(look).toBeLessThan(40);
    expect(look).toBeGreaterThan(20);
  });

  it("a claim on every pair of two groups needs its one-sided version in (1 + power)/2 of runs", () => {
    expect(oneSidedPower(claim({ everyPair: 2 }), 0.8)).toBeCloseTo(0.9, 12);
    expect(oneSidedPower(claim(), 0.8)).toBe(0.8);
    const one = anytimeCount(claim(), 0.9)!;
    expect(anytimeCount(claim({ everyPair: 2 }), 0.8)).toBe(one);
  });
});

describe("declared schedule", () => {
  it("the horizon of K equal looks is planGroupSequential's maximum sample size at (1 − RESERVE)·alpha", () => {
    const c = claim();
    const identity = { countAt: (t: number) => t, timeToReach: (n: number) => n };
    for (const spending of ["obrien-fleming", "pocock"] as const) {
      const plan = planGroupSequential({
        alpha: (1 - RESERVE) * 0.01,
        spending,
        fractions: Array.from({ length: 5 }, (_, j) => (j + 1) / 5),
        power: 0.8,
        effect: 0.1,
      });
      const horizon = declaredHorizon(c, identity, 5, spending, 0.8)!;
      // information 1/se² = n here, and the bisection stops within 1%
      expect(horizon / plan.maxInformation!).toBeGreaterThan(0.995);
      expect(horizon / plan.maxInformation!).toBeLessThan(1.015);
      const counts = Array.from({ length: 5 }, (_, j) => ((j + 1) * horizon) / 5);
      expect(declaredOutcome(c, counts, spending, 0.8).look).toBe(5);
    }
  });

  it("looks below a gate's minimum count are not spent on when the gate skips its bounds there", () => {
    const counts = [100, 200, 300, 400, 500];
    const strong = claim({ effect: 0.4 });
    expect(declaredOutcome({ ...strong, minN: 250, spendsBelowMin: false }, counts, "pocock", 0.8).look).toBe(
      3,
    );
    expect(declaredOutcome({ ...strong, minN: 1000 }, counts, "pocock", 0.8)).toEqual({
      power: 0,
      look: null,
    });
  });
});

const configs = Object.fromEntries(
  Object.entries(GATES).map(([name, gate]) => [name, gate.parseConfig({})]),
) as unknown as GateConfigs;

const request = (over: Partial<PlanRequest> = {}): PlanRequest => ({
  traffic: { rate: 100, weight: 0.1, labelRate: 0.5, labelDelayMs: 10 * 60_000 },
  gates: ["latency", "auc", "errors"],
  optional: [],
  configs,
  assumptions: DEFAULT_ASSUMPTIONS,
  regressions: DEFAULT_REGRESSIONS,
  alpha: 0.03,
  power: 0.8,
  looks: 6,
  spending: "obrien-fleming",
  intervalMs: 60_000,
  ...over,
});

describe("makePlan", () => {
  it("splits alpha over the gates, times every decision at a look, and suggests the slowest required one", () => {
    const plan = makePlan(request());
    expect(plan.gateAlpha).toBeCloseTo(0.01, 15);
    expect(plan.baselineRatio).toBeCloseTo(9, 12);
    expect(plan.decisions.map((d) => `${d.gate} ${d.decision}`)).toEqual([
      "latency fail",
      "latency pass",
      "auc fail",
      "auc pass",
      "errors fail",
      "errors pass",
    ]);
    for (const d of plan.decisions) {
      const at = d.anytime!;
      expect(at.timeMs).toBe(at.look * 60_000);
      // the count is the traffic's at that look: labelled outcomes 10 minutes late, at half the events' rate
      const perMinute = d.unit === "labelled" ? 300 : 600;
      const delay = d.unit === "labelled" ? 10 : 0;
      expect(at.n).toBeCloseTo(Math.max(0, at.look - delay) * perMinute, 6);
      expect(d.declared.suggested!.look).toBeLessThanOrEqual(6);
    }
    const slowest = Math.max(...plan.decisions.map((d) => d.anytime!.look));
    expect(plan.suggestion.anytime!.count).toBe(slowest);
    expect(plan.suggestion.declared!.count).toBe(6);
    // the declared interval is a whole number of intervals that fits the slowest decision's K looks
    const horizon = Math.max(...plan.decisions.map((d) => d.declared.alone!.timeMs));
    const interval = plan.suggestion.declared!.intervalMs;
    expect(interval % 60_000).toBe(0);
    expect(6 * interval).toBeGreaterThanOrEqual(horizon);
    expect(6 * (interval - 60_000)).toBeLessThan(horizon);
    expect(plan.suggestion.missing).toBeNull();
  });

  it("optional gates are planned but not counted in the suggestion", () => {
    const all = makePlan(request());
    const optional = makePlan(request({ optional: ["auc"] }));
    const slowestRequired = Math.max(
      ...all.decisions.filter((d) => d.gate !== "auc").map((d) => d.anytime!.look),
    );
    expect(optional.suggestion.anytime!.count).toBe(slowestRequired);
    expect(optional.decisions.filter((d) => !d.required).map((d) => d.gate)).toEqual(["auc", "auc"]);
  });

  it("a required decision that cannot be made leaves no suggestion, and says why", () => {
    const tight = { ...configs, auc: { ...configs.auc, margin: 0.0001 } };
    const plan = makePlan(request({ configs: tight, regressions: { ...DEFAULT_REGRESSIONS, auc: -0.05 } }));
    expect(plan.suggestion.anytime).toBeNull();
    expect(plan.suggestion.missing).toMatch(/^auc cannot pass an equal model: the score bins' error bound/);
  });

  it("more traffic decides sooner, in proportion", () => {
    const slow = makePlan(request({ gates: ["errors"], intervalMs: 1000 })).decisions[1].anytime!;
    const fast = makePlan(
      request({ gates: ["errors"], intervalMs: 1000, traffic: { ...request().traffic, rate: 400 } }),
    ).decisions[1].anytime!;
    expect(fast.n / slow.n).toBeCloseTo(1, 1);
    expect(fast.timeMs / slow.timeMs).toBeCloseTo(0.25, 1);
    expect(countAt(request().traffic, "events", slow.timeMs)).toBeCloseTo(slow.n, 6);
  });
});
