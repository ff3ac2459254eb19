import { describe, expect, it } from "vitest";
import {
  baselineRatio,
  candidatePerSecond,
  countAt,
  countCurve,
  type Traffic,
  timeToReach,
} from "../../src/plan/traffic.js";

// 200 req/s, a 5% canary, a third of events labelled 15 minutes after them
const traffic: Traffic = { rate: 200, weight: 0.05, labelRate: 1 / 3, labelDelayMs: 15 * 60_000 };

describe("from counts to wall-clock time", () => {
  it("the candidate's events come at rate × weight, its labelled outcomes at rate × weight × label rate", () => {
    expect(candidatePerSecond(traffic, "events")).toBeCloseTo(10, 12);
    expect(candidatePerSecond(traffic, "labelled")).toBeCloseTo(10 / 3, 12);
    expect(baselineRatio(traffic)).toBeCloseTo(19, 12);
    expect(baselineRatio({ ...traffic, weight: 0.5 })).toBe(1);
  });

  it("events need n / (rate × weight); labelled outcomes the label delay on top", () => {
    // 3,000 events at 10/s: 5 minutes
    expect(timeToReach(traffic, "events", 3000)).toBeCloseTo(300_000, 6);
    // 3,000 labelled outcomes at 10/3 per second: 15 minutes, after the 15-minute delay
    expect(timeToReach(traffic, "labelled", 3000)).toBeCloseTo(30 * 60_000, 6);
  });

  it("counts at a time: none labelled before the delay, then growing at the labelled rate", () => {
    expect(countAt(traffic, "events", 60_000)).toBeCloseTo(600, 9);
    expect(countAt(traffic, "labelled", 10 * 60_000)).toBe(0);
    expect(countAt(traffic, "labelled", 15 * 60_000)).toBe(0);
    expect(countAt(traffic, "labelled", 16 * 60_000)).toBeCloseTo(200, 9);
  });

  it("a count curve goes both ways", () => {
    const curve = countCurve(traffic, "labelled");
    for (const n of [1, 250, 12_345]) expect(curve.countAt(curve.timeToReach(n))).toBeCloseTo(n, 6);
  });
});
