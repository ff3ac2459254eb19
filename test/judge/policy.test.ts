import { describe, expect, it } from "vitest";
import type { GateResult, Verdict } from "../../src/gates/gate.js";
import { alphaPerGate, combine } from "../../src/judge/policy.js";

const gate = (verdict: Verdict, reason = `${verdict} because`): GateResult => ({
  verdict,
  metric: "m",
  value: 1,
  threshold: 1,
  interval: [0, 2],
  n: { baseline: 1, candidate: 1 },
  reason,
  metrics: {},
});

describe("verdict policy", () => {
  it("fails when any gate fails, naming the first failing gate", () => {
    const s = combine([
      ["drift", gate("pass")],
      ["latency", gate("fail", "p95 1.38x (limit 1.20x)")],
      ["errors", gate("inconclusive")],
      ["auc", gate("fail", "auc down")],
    ]);
    expect(s).toEqual({
      verdict: "fail",
      pass: false,
      score: 25,
      reason: "latency: p95 1.38x (limit 1.20x) (and 1 more failing gate)",
    });
  });

  it("is inconclusive when nothing fails but a required gate is inconclusive", () => {
    const s = combine([
      ["latency", gate("pass")],
      ["errors", gate("inconclusive", "candidate has 40 events, needs 100")],
    ]);
    expect(s).toEqual({
      verdict: "inconclusive",
      pass: false,
      score: 50,
      reason: "errors: candidate has 40 events, needs 100",
    });
  });

  it("passes only when every required gate passes; optional gates may be inconclusive", () => {
    expect(combine([["latency", gate("pass", "ok 1.01x")]]).verdict).toBe("pass");
    const s = combine(
      [
        ["latency", gate("pass", "ok 1.01x")],
        ["auc", gate("inconclusive")],
      ],
      { optional: ["auc"] },
    );
    expect(s).toEqual({
      verdict: "pass",
      pass: true,
      score: 50,
      reason: "latency: ok 1.01x; 1 optional gate inconclusive",
    });
    expect(combine([["auc", gate("inconclusive")]], { optional: ["auc"] }).verdict).toBe("inconclusive");
  });

  it("scores like Kayenta: 100 × weighted share of passing gates, rounded to 2 decimals", () => {
    const s = combine(
      [
        ["latency", gate("pass")],
        ["errors", gate("fail")],
        ["drift", gate("pass")],
      ],
      { weights: { latency: 3, errors: 2, drift: 1 } },
    );
    // (3 + 1) / 6
    expect(s.score).toBe(66.67);
    expect(s.verdict).toBe("fail");
    // the verdict does not follow the score
    expect(
      combine(
        [
          ["a", gate("pass")],
          ["b", gate("fail")],
        ],
        { weights: { a: 99, b: 1 } },
      ).verdict,
    ).toBe("fail");
  });

  it("a gate with nothing to judge (judged: false) neither blocks a pass nor counts as one; the reason names it", () => {
    const nothing = {
      ...gate("inconclusive", "no protected-attribute groups recorded in either cohort"),
      judged: false as const,
    };
    expect(
      combine([
        ["latency", gate("pass", "ok 1.01x")],
        ["fairness", nothing],
      ]),
    ).toEqual({
      verdict: "pass",
      pass: true,
      score: 100,
      reason:
        "latency: ok 1.01x; fairness not judged: no protected-attribute groups recorded in either cohort",
    });
    // not a pass either: it leaves the score's denominator, so one failing gate scores 0
    expect(
      combine([
        ["errors", gate("fail", "errors up")],
        ["fairness", nothing],
      ]),
    ).toEqual({ verdict: "fail", pass: false, score: 0, reason: "errors: errors up" });
    // a required inconclusive gate still blocks, and the reason names both
    expect(
      combine([
        ["latency", gate("inconclusive", "more data needed")],
        ["fairness", nothing],
      ]),
    ).toEqual({
      verdict: "inconclusive",
      pass: false,
      score: 0,
      reason:
        "latency: more data needed; fairness not judged: no protected-attribute groups recorded in either cohort",
    });
    // the same inconclusive answer without judged: false blocks a pass
    expect(
      combine([
        ["latency", gate("pass", "ok 1.01x")],
        ["fairness", gate("inconclusive", "fairness sex: fewer than 2 groups have 30 decisions yet")],
      ]).verdict,
    ).toBe("inconclusive");
  });

  it("is inconclusive when no gate had anything to judge, naming each", () => {
    const nothing = (reason: string) => ({ ...gate("inconclusive", reason), judged: false as const });
    expect(
      combine([
        ["fairness", nothing("no groups")],
        ["drift", nothing("no scores")],
      ]),
    ).toEqual({
      verdict: "inconclusive",
      pass: false,
      score: 0,
      reason: "no gate had anything to judge; fairness not judged: no groups; drift not judged: no scores",
    });
    // with only optional gates left undecided beside it, still no pass
    expect(
      combine(
        [
          ["auc", gate("inconclusive", "needs labels")],
          ["fairness", nothing("no groups")],
        ],
        { optional: ["auc"] },
      ),
    ).toEqual({
      verdict: "inconclusive",
      pass: false,
      score: 0,
      reason: "no gate could decide (all are optional); fairness not judged: no groups",
    });
  });

  it("splits alpha by Bonferroni", () => {
    expect(alphaPerGate(0.05, 5)).toBeCloseTo(0.01, 15);
    expect(alphaPerGate(0.05, 1)).toBe(0.05);
    expect(() => alphaPerGate(0, 2)).toThrow(/alpha/);
    expect(() => alphaPerGate(0.05, 0)).toThrow(/gates/);
    expect(() => combine([])).toThrow(/at least one/);
  });
});
