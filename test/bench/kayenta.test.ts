import { describe, expect, it } from "vitest";
import {
  classifyMetric,
  classifyScore,
  kayentaScore,
  wilcoxonInterval,
} from "../../bench/baselines/kayenta.js";
import { hodgesLehmann } from "../../src/stats/hodges-lehmann.js";
import { mulberry32, randomNormal } from "../../src/stats/random.js";

const normals = (seed: number, n: number, mean: number, sd: number) => {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => randomNormal(r, mean, sd));
};

const pairwise = (x: number[], y: number[]) => x.flatMap((a) => y.map((b) => a - b)).sort((a, b) => a - b);

describe("Kayenta NetflixACAJudge baseline", () => {
  it("passes spinnaker/spinnaker#6278: 7 of 10 canary values at 100 against an all-1 control", () => {
    const experiment = [100, 100, 100, 100, 100, 100, 100, 1, 1, 1];
    const control = Array.from({ length: 10 }, () => 1);
    const ci = wilcoxonInterval(experiment, control);
    // spinnaker#6278 reports CI = [6.8e-5, 99] and HL ≈ 99: the lower bound 0 < 0.25·99 so the rule passes
    expect(ci.lower).toBeGreaterThanOrEqual(0);
    expect(ci.lower).toBeLessThan(1e-3);
    expect(ci.upper).toBeCloseTo(99, 6);
    expect(ci.hl).toBeCloseTo(99, 6);
    expect(classifyMetric(experiment, control, { direction: "increase" })).toBe("Pass");
  });

  it("flags a clear shift High (or Low) in the configured direction only", () => {
    const control = normals(1, 40, 100, 5);
    const up = normals(2, 40, 120, 5);
    const down = normals(3, 40, 80, 5);
    expect(classifyMetric(up, control, { direction: "either" })).toBe("High");
    expect(classifyMetric(up, control, { direction: "decrease" })).toBe("Pass");
    expect(classifyMetric(down, control, { direction: "either" })).toBe("Low");
    // meanRatio 1.2 is below an allowedIncrease of 1.5, so the significant shift is tolerated
    expect(classifyMetric(up, control, { direction: "increase", allowedIncrease: 1.5 })).toBe("Pass");
  });

  it("matches the textbook interval [d_(k), d_(mn+1-k)] of pairwise differences, HL between the middle ones", () => {
    const experiment = normals(4, 24, 3, 2);
    const control = normals(5, 16, 2, 2);
    const m = experiment.length;
    const n = control.length;
    const d = pairwise(experiment, control);
    const sigma = Math.sqrt((m * n * (m + n + 1)) / 12);
    // continuity-corrected normal approximation: k = ceil(mn/2 − 0.5 − z_0.99·σ) (1-based)
    const k = Math.ceil((m * n) / 2 - 0.5 - 2.3263478740408408 * sigma);
    const ci = wilcoxonInterval(experiment, control);
    expect(ci.lower).toBeCloseTo(d[k - 1], 9);
    expect(ci.upper).toBeCloseTo(d[m * n - k], 9);
    const mid = (m * n) / 2; // mn is even here: the two middle differences are d[mid-1], d[mid]
    expect(ci.hl).toBeGreaterThanOrEqual(d[mid - 1] - 1e-9);
    expect(ci.hl).toBeLessThanOrEqual(d[mid] + 1e-9);
    expect(Math.abs(ci.hl - hodgesLehmann(experiment, control))).toBeLessThanOrEqual(
      (d[mid] - d[mid - 1]) / 2 + 1e-9,
    );
  });

  it("returns Nodata for an empty arm and Pass for identical data", () => {
    expect(classifyMetric([], [1, 2], { direction: "either" })).toBe("Nodata");
    expect(classifyMetric([Number.NaN], [1, 2], { direction: "either" })).toBe("Nodata");
    expect(classifyMetric([3, 1, 2], [2, 3, 1], { direction: "either" })).toBe("Pass");
  });

  it("scores groups like WeightedSumScorer with equal weights and classifies by thresholds", () => {
    expect(kayentaScore({ latency: ["High"], errors: ["Pass"], fairness: ["Pass", "Low"] })).toBeCloseTo(
      50,
      10,
    );
    // a group with only Error counts 100; Nodata on half the metrics zeroes the score
    expect(kayentaScore({ a: ["Error"], b: ["High"] })).toBe(50);
    expect(kayentaScore({ a: ["Nodata"], b: ["Pass"] })).toBe(0);
    expect(classifyScore(80, { pass: 95, marginal: 75 })).toBe("Marginal");
    expect(classifyScore(95, { pass: 95, marginal: 75 })).toBe("Pass");
    expect(classifyScore(60, { pass: 95, marginal: 75 })).toBe("Fail");
  });
});
