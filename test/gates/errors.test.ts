import { describe, expect, it } from "vitest";
import { errorsGate } from "../../src/gates/errors.js";
import { countSequentialPValue } from "../../src/stats/count-evalue.js";
import { lowerByHand, upperByHand } from "./by-hand.js";
import { countCohort } from "./cohorts.js";

const config = errorsGate.parseConfig({});

describe("errors gate", () => {
  it("parses strings and defaults (maxIncrease 0.005 absolute, maxRatio 2, k 1)", () => {
    expect(config).toEqual({ maxIncrease: 0.005, maxRatio: 2, minSamples: 100, k: 1 });
    expect(
      errorsGate.parseConfig({ maxIncrease: "0.01", maxRatio: "3", minSamples: "500", k: "10" }),
    ).toEqual({
      maxIncrease: 0.01,
      maxRatio: 3,
      minSamples: 500,
      k: 10,
    });
    expect(() => errorsGate.parseConfig({ maxRatio: "0.5" })).toThrow(/maxRatio/);
    expect(() => errorsGate.parseConfig({ maxIncrease: "-1" })).toThrow(/maxIncrease/);
  });

  it("catches a spike of a handful of errors when the baseline has none", () => {
    const res = errorsGate.evaluate({
      baseline: countCohort(9000, 0),
      candidate: countCohort(1000, 8),
      config,
      alpha: 0.05,
    });
    // independent: the e-value at shares 0.9/0.1, alpha split in two inside the gate
    const { pValue } = countSequentialPValue([0, 8], [0.9, 0.1], 1);
    expect(pValue).toBeLessThanOrEqual(0.025);
    expect(res.verdict).toBe("fail");
    expect(res.metric).toBe("error_rate_increase");
    expect(res.value).toBeCloseTo(0.008, 12);
    expect(res.metrics.candidateErrorRate).toBeCloseTo(0.008, 12);
    expect(res.metrics.baselineErrorRate).toBe(0);
    expect(res.metrics.errorPValue).toBeCloseTo(pValue, 12);
    expect(res.reason).toMatch(/candidate error rate 0\.800% \(8\/1000\) vs baseline 0\.00% \(0\/9000\)/);
  });

  it("does not fail a significant but tolerated increase", () => {
    const res = errorsGate.evaluate({
      baseline: countCohort(100_000, 1000),
      candidate: countCohort(100_000, 1300),
      config: errorsGate.parseConfig({ maxIncrease: 0.005 }),
      alpha: 0.05,
    });
    expect(res.metrics.errorPValue as number).toBeLessThan(0.001);
    expect(res.verdict).not.toBe("fail");
  });

  it("passes A/A with enough events; the interval is the engine's bound with the variance at the claims' boundary", () => {
    const res = errorsGate.evaluate({
      baseline: countCohort(20_000, 200),
      candidate: countCohort(20_000, 205),
      config,
      alpha: 0.05,
    });
    expect(res.verdict).toBe("pass");
    // variance where "increase = maxIncrease": the baseline's smoothed rate (x + 1)/(n + 2), the
    // candidate's that rate plus the tolerance 0.005
    const pB = 201 / 20_002;
    const pC = pB + 0.005;
    const se = Math.sqrt((pB * (1 - pB)) / 20_000 + (pC * (1 - pC)) / 20_000);
    const increase = 205 / 20_000 - 200 / 20_000;
    // the fail bound at the error rate's share (0.75) of alpha, its difference claim's share (0.8) of
    // that; the pass bound at the gate's alpha; tuned at the tolerance
    expect(res.metrics.errorRateIncreaseLow).toBeCloseTo(
      lowerByHand(increase, se, 0.05 * 0.75 * 0.8, 0.005),
      12,
    );
    expect(res.metrics.errorRateIncreaseHigh).toBeCloseTo(upperByHand(increase, se, 0.05, 0.005), 12);
    expect(res.metrics.errorRateIncreaseHigh as number).toBeLessThanOrEqual(0.005);
    expect(res.interval).toEqual([res.metrics.errorRateIncreaseLow, res.metrics.errorRateIncreaseHigh]);
    // the invalid rate (none in either arm): baseline 1/20,002, at the invalid share (0.25) of alpha
    const qB = 1 / 20_002;
    const qC = qB + 0.005;
    const seInvalid = Math.sqrt((qB * (1 - qB)) / 20_000 + (qC * (1 - qC)) / 20_000);
    expect(res.metrics.invalidRateIncreaseLow).toBeCloseTo(
      lowerByHand(0, seInvalid, 0.05 * 0.25 * 0.8, 0.005),
      12,
    );
    expect(res.metrics.invalidRateIncreaseHigh).toBeCloseTo(upperByHand(0, seInvalid, 0.05, 0.005), 12);
  });

  it("does not fail a small relative increase the count test proves but the tolerance allows", () => {
    // 5.0% → 5.6%: the observed increase is beyond +0.5 points, but neither a 2x ratio nor an
    // increase beyond the tolerance is proven yet, so the gate must not fail (it waits for more data)
    const res = errorsGate.evaluate({
      baseline: countCohort(200_000, 10_000),
      candidate: countCohort(20_000, 1_120),
      config,
      alpha: 0.05,
    });
    expect(res.metrics.candidateErrorRate as number).toBeGreaterThan(0.055);
    expect(res.verdict).toBe("inconclusive");
    // the same +0.6 points proven beyond the tolerance with much more data fails on the interval
    const more = errorsGate.evaluate({
      baseline: countCohort(20_000_000, 1_000_000),
      candidate: countCohort(2_000_000, 112_000),
      config,
      alpha: 0.05,
    });
    expect(more.verdict).toBe("fail");
    expect(more.reason).toMatch(/beyond the limit/);
  });

  it("tiny n is inconclusive with the sample size named", () => {
    const res = errorsGate.evaluate({
      baseline: countCohort(5000, 5),
      candidate: countCohort(40, 0),
      config,
      alpha: 0.05,
    });
    expect(res.verdict).toBe("inconclusive");
    expect(res.reason).toBe("candidate has 40 events, needs 100");
    const none = errorsGate.evaluate({
      baseline: countCohort(0),
      candidate: countCohort(0),
      config,
      alpha: 0.05,
    });
    expect(none.verdict).toBe("inconclusive");
    expect(none.reason).toMatch(/neither cohort has events/);
  });

  it("judges invalid predictions as a second rate", () => {
    const res = errorsGate.evaluate({
      baseline: countCohort(9000, 0, 0),
      candidate: countCohort(1000, 0, 30),
      config,
      alpha: 0.05,
    });
    expect(res.verdict).toBe("fail");
    expect(res.metric).toBe("invalid_rate_increase");
    expect(res.metrics.candidateInvalidRate).toBeCloseTo(0.03, 12);
    expect(res.reason).toMatch(/invalid-prediction rate/);
  });
});
