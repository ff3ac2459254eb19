import { describe, expect, it } from "vitest";
import { drawEvent } from "../../bench/sim/analysis-run.js";
import { psiOfShift, type Scenario, scenarios } from "../../bench/sim/world.js";
import { rocAuc } from "../../src/stats/auc.js";
import { psi } from "../../src/stats/psi.js";
import { quantile } from "../../src/stats/quantile.js";
import { mulberry32 } from "../../src/stats/random.js";

/** n events of an arm, drawn exactly as the simulated analysis runs draw them. */
function sample(s: Scenario, arm: "baseline" | "candidate", n: number, seed: number) {
  const random = mulberry32(seed);
  return Array.from({ length: n }, () => drawEvent(s[arm], random, arm, 1, 1));
}

const byLabel = (label: string) => {
  const s = scenarios().ab.find((x) => x.label === label);
  if (!s) throw new Error(`no scenario ${label}`);
  return s;
};

describe("benchmark regressions are the stated sizes (checked on samples with src/stats)", () => {
  it("calibrates the prediction shift to the stated PSI", () => {
    expect(psiOfShift(0)).toBeCloseTo(0, 12);
    const s = byLabel("PSI 0.20");
    const n = 100_000;
    const b = sample(s, "baseline", n, 1).map((e) => e.score as number);
    const c = sample(s, "candidate", n, 2).map((e) => e.score as number);
    // sampling noise of PSI with 10 bins is about (B − 1)(1/n₁ + 1/n₂) = 1.8e-4
    expect(psi(b, c).psi).toBeGreaterThan(0.19);
    expect(psi(b, c).psi).toBeLessThan(0.21);
  });

  it("lowers the AUC by the stated amount and leaves the scores unchanged", () => {
    const s = byLabel("AUC −0.05");
    const n = 100_000;
    const b = sample(s, "baseline", n, 3);
    const c = sample(s, "candidate", n, 4);
    const auc = (es: typeof b) =>
      rocAuc(
        es.map((e) => e.score as number),
        es.map((e) => e.label as number),
      );
    expect(auc(b)).toBeCloseTo(0.8, 2);
    expect(auc(c)).toBeCloseTo(0.75, 2);
    const scores = (es: typeof b) => es.map((e) => e.score as number);
    expect(psi(scores(b), scores(c)).psi).toBeLessThan(0.002);
  });

  it("scales p95 latency by the stated factor", () => {
    const s = byLabel("p95 +30%");
    const p95 = (arm: "baseline" | "candidate", seed: number) =>
      quantile(
        sample(s, arm, 100_000, seed).map((e) => e.latencyMs as number),
        0.95,
      );
    // baseline p95 = 50·exp(0.5·1.645) ≈ 113.9 ms
    expect(p95("baseline", 5)).toBeGreaterThan(111);
    expect(p95("baseline", 5)).toBeLessThan(117);
    expect(p95("candidate", 6) / p95("baseline", 5)).toBeGreaterThan(1.26);
    expect(p95("candidate", 6) / p95("baseline", 5)).toBeLessThan(1.34);
  });

  it("gives group b the stated selection-rate parity ratio and the stated error rate", () => {
    const parity = byLabel("parity ratio 0.7");
    const events = sample(parity, "candidate", 200_000, 7);
    const rate = (g: string) => {
      const inGroup = events.filter((e) => e.groups?.group === g);
      const selected = inGroup.filter((e) => (e.decision ?? ((e.score as number) >= 0.5 ? 1 : 0)) === 1);
      return selected.length / inGroup.length;
    };
    expect(rate("b") / rate("a")).toBeGreaterThan(0.68);
    expect(rate("b") / rate("a")).toBeLessThan(0.72);
    const errors = sample(byLabel("errors 0 → 2%"), "candidate", 200_000, 8).filter((e) => e.error).length;
    expect(errors / 200_000).toBeGreaterThan(0.018);
    expect(errors / 200_000).toBeLessThan(0.022);
  });
});
