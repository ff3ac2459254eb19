import { describe, expect, it } from "vitest";
import {
  DEFAULT_ASSUMPTIONS,
  DEFAULT_REGRESSIONS,
  parseAssumptions,
  parseRegressions,
} from "../../src/plan/inputs.js";

const message = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected an error");
};

describe("--assume", () => {
  it("defaults, and every name set in one list or repeated", () => {
    expect(parseAssumptions([])).toEqual(DEFAULT_ASSUMPTIONS);
    expect(
      parseAssumptions([
        "latencyLogSd=0.8,baselineAuc=0.9",
        "prevalence=0.05",
        "selectionRate=0.6, groups=4",
        "errorRate=0",
      ]),
    ).toEqual({
      latencyLogSd: 0.8,
      baselineAuc: 0.9,
      prevalence: 0.05,
      selectionRate: 0.6,
      groups: 4,
      errorRate: 0,
    });
  });

  it("an unknown name is refused naming it and the closest one", () => {
    expect(message(() => parseAssumptions(["prevalance=0.2"]))).toBe(
      "--assume prevalance: unknown name (did you mean prevalence?); known: latencyLogSd, baselineAuc, prevalence, selectionRate, groups, errorRate",
    );
  });

  it("a value out of range names the flag, the name and the range", () => {
    expect(message(() => parseAssumptions(["baselineAuc=0.4"]))).toBe(
      '--assume baselineAuc: must be a number in (0.5, 1), got "0.4"',
    );
    expect(message(() => parseAssumptions(["groups=1.5"]))).toBe(
      '--assume groups: must be an integer in [2, 100], got "1.5"',
    );
    expect(message(() => parseAssumptions(["prevalence=abc"]))).toMatch(/^--assume prevalence: must be/);
    expect(message(() => parseAssumptions(["latencyLogSd=0"]))).toMatch(/^--assume latencyLogSd: must be/);
    expect(message(() => parseAssumptions(["errorRate=0.5"]))).toMatch(/^--assume errorRate: must be/);
    expect(message(() => parseAssumptions(["selectionRate=1"]))).toMatch(/^--assume selectionRate: must be/);
  });

  it("a malformed item or a name given twice is refused", () => {
    expect(message(() => parseAssumptions(["prevalence"]))).toBe(
      '--assume: expects NAME=VALUE, got "prevalence"',
    );
    expect(message(() => parseAssumptions(["groups=3", "groups=4"]))).toBe("--assume groups: is given twice");
  });
});

describe("--regression", () => {
  it("defaults, signed values, and every gate", () => {
    expect(parseRegressions([])).toEqual(DEFAULT_REGRESSIONS);
    expect(parseRegressions(["latency=1.5,auc=-0.1", "fairness=0.7,errors=+0.02,drift=1"])).toEqual({
      latency: 1.5,
      auc: -0.1,
      fairness: 0.7,
      errors: 0.02,
      drift: 1,
    });
  });

  it("unknown gates and values on the wrong side are refused, naming them", () => {
    expect(message(() => parseRegressions(["latncy=1.3"]))).toBe(
      "--regression latncy: unknown name (did you mean latency?); known: drift, latency, auc, fairness, errors",
    );
    expect(message(() => parseRegressions(["auc=0.05"]))).toBe(
      '--regression auc: must be a change of the AUC in (−0.5, 0) (e.g. -0.05), got "0.05"',
    );
    expect(message(() => parseRegressions(["fairness=1.2"]))).toMatch(
      /^--regression fairness: must be a parity ratio/,
    );
    expect(message(() => parseRegressions(["errors=-0.01"]))).toMatch(
      /^--regression errors: must be an increase/,
    );
    expect(message(() => parseRegressions(["drift=0"]))).toMatch(/^--regression drift: must be a PSI/);
    expect(message(() => parseRegressions(["latency=x"]))).toMatch(/^--regression latency: must be a ratio/);
  });
});
