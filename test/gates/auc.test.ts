import { describe, expect, it } from "vitest";
import { aucGate } from "../../src/gates/auc.js";
import { GateConfigError } from "../../src/gates/config-parse.js";
import { rocAuc } from "../../src/stats/auc.js";
import { binnedDelong, lowerByHand, upperByHand } from "./by-hand.js";
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
    expect(aucGate.parseConfig({})).toEqual({ margin: 0.02, minLabelled: 200, floor: 0.5 });
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

  it("bounds the AUC difference as one contrast (DeLong variances add), widened by both arms' binning bound", () => {
    const { result } = judge(0.8, 0.78, 3000, 5);
    const m = result.metrics as Record<string, number>;
    const candidate = newSummary();
    const baseline = newSummary();
    // the same draws again, to read the histograms the gate read
    const random = mulberry32(5);
    addLabelled(baseline, random, 3000, { auc: 0.8 });
    addLabelled(candidate, random, 3000, { auc: 0.78 });
    const b = binnedDelong(baseline.scoresPositive.counts, baseline.scoresNegative.counts);
    const c = binnedDelong(candidate.scoresPositive.counts, candidate.scoresNegative.counts);
    expect(m.baselineAuc).toBeCloseTo(b.auc, 12);
    expect(m.candidateAuc).toBeCloseTo(c.auc, 12);
    expect(m.baselineAucVariance).toBeCloseTo(b.variance, 15);
    expect(m.candidateAucVariance).toBeCloseTo(c.variance, 15);
    expect(m.baselineAucMaxError).toBeCloseTo(b.maxError, 15);
    // at 1000 bins the binning bound is well under a tenth of the default margin
    expect(b.maxError + c.maxError).toBeLessThan(0.002);
    // one sequence for candidate − baseline, tuned at the margin; the margin claim at 90% of the fail
    // alpha, the floor claim on the candidate's own AUC at 10%; the pass bound at the gate's alpha
    const scale = 0.02;
    const delta = c.auc - b.auc;
    const se = Math.sqrt(b.variance + c.variance);
    const binning = b.maxError + c.maxError;
    expect(m.aucDelta).toBeCloseTo(delta, 12);
    expect(m.aucDeltaLow).toBeCloseTo(lowerByHand(delta, se, alpha, scale) - binning, 12);
    expect(m.aucDeltaHigh).toBeCloseTo(upperByHand(delta, se, 0.9 * alpha, scale) + binning, 12);
    const own = Math.sqrt(c.variance);
    expect(m.candidateAucLow).toBeCloseTo(lowerByHand(c.auc, own, alpha, scale) - c.maxError, 12);
    expect(m.candidateAucHigh).toBeCloseTo(upperByHand(c.auc, own, 0.1 * alpha, scale) + c.maxError, 12);
    expect(result.interval).toEqual([m.aucDeltaLow, m.aucDeltaHigh]);
    expect(result.n).toEqual({ baseline: b.positives + b.negatives, candidate: c.positives + c.negatives });
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
