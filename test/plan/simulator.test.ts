import { describe, expect, it } from "vitest";
import { measureN80 } from "../../bench/efficiency/n80.js";
import { anytimeGrid, plannedDeclared, predictedAnytimeN80 } from "../../bench/efficiency/plan-agreement.js";
import { efficiencyRows } from "../../bench/efficiency/scenarios.js";

/**
 * The plan against the benchmark's simulator (bench/efficiency/): for rows of the efficiency table,
 * the candidate count by which the plan says 80% of runs decide right, on the simulator's own look
 * grid, against the count measured on seeded simulated runs of the gate. Agreement: the ratio within
 * [0.8, 1.25]. bench/efficiency/plan-agreement.ts prints every row with more runs.
 */
const ALPHA = 0.01;
const RUNS = 40;
const row = (gate: string, expect: string) =>
  efficiencyRows().find((r) => r.gate === gate && r.expect === expect)!;

describe("plan vs simulator", () => {
  for (const [gate, expect_] of [
    ["latency", "pass"],
    ["auc", "pass"],
    ["errors", "fail"],
    ["drift", "fail"],
  ] as const) {
    it(`anytime-valid ${gate} ${expect_}: the predicted n80 is within 25% of the simulated`, {
      timeout: 180_000,
    }, () => {
      const r = row(gate, expect_);
      const predicted = predictedAnytimeN80(r, ALPHA, anytimeGrid(r, ALPHA))!;
      const measured = measureN80(r, { runs: RUNS, alpha: ALPHA, seed: 1 });
      expect(measured.wrong).toBe(0);
      expect(measured.n80).not.toBeNull();
      const ratio = predicted / measured.n80!;
      expect(ratio).toBeGreaterThanOrEqual(0.8);
      expect(ratio).toBeLessThanOrEqual(1.25);
    });
  }

  it("declared schedule, latency pass: about 80% of runs have passed by the look the plan names", {
    timeout: 60_000,
  }, () => {
    const r = row("latency", "pass");
    const planned = plannedDeclared(r, ALPHA, 10, "obrien-fleming");
    expect(planned.look).not.toBeNull();
    const measured = measureN80(r, { runs: RUNS, alpha: ALPHA, seed: 1, schedule: planned.schedule });
    const share = measured.rightBy[planned.look! - 1];
    expect(share).toBeGreaterThanOrEqual(0.65);
    expect(share).toBeLessThanOrEqual(0.95);
  });
});
