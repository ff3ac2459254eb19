import { describe, expect, it } from "vitest";
import { aucGate } from "../../src/gates/auc.js";
import { GateConfigError } from "../../src/gates/config-parse.js";
import { rocAuc } from "../../src/stats/auc.js";
import {
  addLabelled,
  configErrorField,
  falseFailLimit,
  mulberry32,
  newSummary,
  nonFinite,
} from "./synthetic.js";

const alpha = 0.05;
const config = aucGate.parseConfig({});

function judge(baselineAuc: number, candidateAuc: number, n: number, seed: number) {
  const random = mulberry32(seed);
  const baseline = newSummary();
  const candidate = newSummary();
  const b = addLabelled(baseline, random, n, { auc: baselineAuc });
  const c = addLabelled(candidate, random, n, { auc: candidateAuc });
  return { result: aucGate.evaluate({ baseline, candidate, config, alpha }), b, c };
}

describe("auc gate", () => {
  it("parses config from strings, defaults, and names a bad field", () => {
    expect(aucGate.parseConfig({})).toEqual({ margin: 0.02, minLabelled: 200, floor: 0.5, tuningN: 5000 });
    expect(aucGate.parseConfig({ margin: "0.05", minLabelled: "500", floor: "0.6" })).toMatchObject({
      margin: 0.05,
      minLabelled: 500,
      floor: 0.6,
    });
    expect(aucGate.parseConfig({ minSamples: "300" }).minLabelled).toBe(300);
    expect(() => aucGate.parseConfig({ margin: "abc" })).toThrow(GateConfigError);
    expect(configErrorField(() => aucGate.parseConfig({ minLabelled: "1.5" }))).toBe("minLabelled");
    expect(configErrorField(() => aucGate.parseConfig({ floor: 1 }))).toBe("floor");
  });

  it("fails a candidate whose AUC is 0.05 lower, with enough labels", () => {
    const { result, b, c } = judge(0.8, 0.75, 15_000, 11);
    expect(result.verdict).toBe("fail");
    expect(result.metric).toBe("auc_delta");
    const m = result.metrics as Record<string, number>;
    // binned AUC is within its reported binning bound of the raw-score AUC (sklearn convention)
    expect(Math.abs(m.baselineAuc - rocAuc(b.scores, b.labels))).toBeLessThanOrEqual(m.baselineAucMaxError);
    expect(Math.abs(m.candidateAuc - rocAuc(c.scores, c.labels))).toBeLessThanOrEqual(m.candidateAucMaxError);
    expect(m.baselineAuc).toBeCloseTo(0.8, 1);
    expect(m.aucDelta).toBeCloseTo(m.candidateAuc - m.baselineAuc, 12);
    expect(m.aucDelta).toBeGreaterThan(-0.07);
    expect(m.aucDelta).toBeLessThan(-0.03);
    expect(m.aucDeltaHigh).toBeLessThan(-0.02);
    expect(result.interval).toEqual([m.aucDeltaLow, m.aucDeltaHigh]);
    expect(result.reason).toMatch(/worse than baseline by more than the margin 0\.020/);
    expect(nonFinite(result)).toEqual([]);
  });

  it("computes the bounds as one-sided asymptotic CSs on DeLong variances, widened by the binning bound", () => {
    const { result } = judge(0.8, 0.78, 3000, 5);
    const m = result.metrics as Record<string, number>;
    // Independent evaluation of the one-sided asymptotic CS (REFERENCES.md §2.4 a2, GrowthBook form):
    // half = σ̂·sqrt(2(nρ²+1)/(n²ρ²)·ln(1 + sqrt(nρ²+1)/(2α'))), ρ tuned at 2α', α' = alpha/2, N* = 5000
    const a = alpha / 2;
    const rho2 = (-2 * Math.log(2 * a) + Math.log(1 - 2 * Math.log(2 * a))) / 5000;
    const nB = m.baselinePositives + m.baselineNegatives;
    const nC = m.candidatePositives + m.candidateNegatives;
    const n = nB + nC;
    const sigma2 = n * (m.baselineAucVariance + m.candidateAucVariance);
    const half = Math.sqrt(
      ((sigma2 * 2 * (n * rho2 + 1)) / (n * n * rho2)) * Math.log(1 + Math.sqrt(n * rho2 + 1) / (2 * a)),
    );
    const binning = m.baselineAucMaxError + m.candidateAucMaxError;
    expect(m.aucDeltaLow).toBeCloseTo(m.aucDelta - half - binning, 12);
    expect(m.aucDeltaHigh).toBeCloseTo(m.aucDelta + half + binning, 12);
    expect(result.n).toEqual({ baseline: nB, candidate: nC });
  });

  it("passes an equal candidate with enough labels", () => {
    const { result } = judge(0.8, 0.8, 15_000, 12);
    expect(result.verdict).toBe("pass");
    const m = result.metrics as Record<string, number>;
    expect(m.aucDeltaLow).toBeGreaterThanOrEqual(-0.02);
    expect(Math.abs(m.aucDelta)).toBeLessThan(0.02);
    expect(nonFinite(result)).toEqual([]);
  });

  it("is inconclusive with too few labelled outcomes, naming the count", () => {
    const random = mulberry32(3);
    const baseline = newSummary();
    const candidate = newSummary();
    addLabelled(baseline, random, 5000, { auc: 0.8 });
    addLabelled(candidate, random, 37, { auc: 0.8, prevalence: 0.5 });
    const result = aucGate.evaluate({ baseline, candidate, config, alpha });
    expect(result.verdict).toBe("inconclusive");
    expect(result.reason).toBe("candidate has 37 labelled outcomes, needs 200");
    expect(result.n).toEqual({ baseline: 5000, candidate: 37 });
    expect(nonFinite(result)).toEqual([]);
  });

  it("is inconclusive, not a throw, when a class is missing or a cohort is empty", () => {
    const random = mulberry32(4);
    const baseline = newSummary();
    const candidate = newSummary();
    addLabelled(baseline, random, 1000, { auc: 0.8 });
    addLabelled(candidate, random, 50, { auc: 0.8, prevalence: 0 });
    const r1 = aucGate.evaluate({ baseline, candidate, config, alpha });
    expect(r1.verdict).toBe("inconclusive");
    expect(r1.reason).toMatch(/^candidate has 50 labelled outcomes \(0 positive, 50 negative\)/);
    const r2 = aucGate.evaluate({ baseline: newSummary(), candidate: newSummary(), config, alpha });
    expect(r2.verdict).toBe("inconclusive");
    expect(r2.reason).toMatch(/candidate has 0 labelled outcomes.*baseline has 0 labelled outcomes/);
    expect(nonFinite([r1, r2])).toEqual([]);
  });

  it("fails a candidate no better than chance on the absolute floor", () => {
    const { result } = judge(0.8, 0.4, 5000, 13);
    expect(result.verdict).toBe("fail");
    expect(result.metric).toBe("candidate_auc");
    expect(result.threshold).toBe(0.5);
    expect(result.interval![1]).toBeLessThanOrEqual(0.5);
    expect(result.reason).toMatch(/no better than chance/);
  });

  it("A/A over 200 runs × 10 looks: false-fail fraction ≤ alpha + slack; AUC −0.05 is caught", () => {
    const runs = 200;
    const looks = 10;
    const perLook = 1000;
    const simulate = (candidateAuc: number, seed: number) => {
      const random = mulberry32(seed);
      let everFailed = 0;
      for (let run = 0; run < runs; run++) {
        const baseline = newSummary();
        const candidate = newSummary();
        for (let look = 0; look < looks; look++) {
          addLabelled(baseline, random, perLook, { auc: 0.8 });
          addLabelled(candidate, random, perLook, { auc: candidateAuc });
          const r = aucGate.evaluate({ baseline, candidate, config, alpha });
          expect(nonFinite(r)).toEqual([]);
          if (r.verdict === "fail") {
            everFailed++;
            break;
          }
        }
      }
      return everFailed / runs;
    };
    const falseFail = simulate(0.8, 2024);
    expect(falseFail).toBeLessThanOrEqual(falseFailLimit(alpha, runs));
    const power = simulate(0.75, 2025);
    expect(power).toBeGreaterThan(0.5);
    console.info(
      `auc A/A: false-fail ${falseFail} over ${runs} runs × ${looks} looks; power at −0.05: ${power}`,
    );
  });
});
