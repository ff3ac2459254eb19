import { describe, expect, it } from "vitest";
import type { Gate, GateResult } from "../../src/gates/gate.js";
import { GATES } from "../../src/gates/registry.js";
import { nonFinitePaths } from "../../src/judge/finite.js";
import { JudgementHistory } from "../../src/judge/history.js";
import { runJudgement } from "../../src/judge/judge.js";
import { parseJudgeRequest } from "../../src/judge/request.js";
import { countCohort } from "../gates/cohorts.js";
import { memorySource } from "./memory-source.js";

const result = (over: Partial<GateResult> = {}): GateResult => ({
  verdict: "pass",
  metric: "m",
  value: 1,
  threshold: 1,
  interval: [0, 2],
  n: { baseline: 1, candidate: 1 },
  reason: "ok",
  metrics: {},
  ...over,
});

/** A gate that records what the judge gave it. */
function probe(name: string, make: (alpha: number) => GateResult) {
  const seen: { raw: Record<string, unknown>[]; alpha: number[] } = { raw: [], alpha: [] };
  const gate: Gate<Record<string, unknown>> = {
    name,
    settings: [],
    parseConfig: (raw) => {
      seen.raw.push(raw);
      return raw;
    },
    evaluate: ({ alpha }) => {
      seen.alpha.push(alpha);
      return make(alpha);
    },
  };
  return { gate, seen };
}

const now = Date.parse("2026-11-25T12:00:00Z");
const source = () => memorySource({ "m/a": countCohort(500), "m/b": countCohort(400) });

async function judge(registry: Record<string, Gate<unknown>>, raw: Record<string, unknown>, extra = {}) {
  return runJudgement(
    parseJudgeRequest({ model: "m", baseline: "a", candidate: "b", ...raw }, { registry, now }),
    {
      registry,
      sources: { memory: source() },
      defaultSource: "memory",
      history: new JudgementHistory(),
      clock: () => now,
      ...extra,
    },
  );
}

describe("runJudgement", () => {
  it("gives each gate alpha / K and its own fields", async () => {
    const one = probe("drift", () => result());
    const two = probe("latency", () => result());
    const r = await judge({ drift: one.gate, latency: two.gate }, { alpha: "0.1", "latency.maxRatio": "2" });
    expect(one.seen.alpha).toEqual([0.05]);
    expect(two.seen.alpha).toEqual([0.05]);
    expect(two.seen.raw).toEqual([{ maxRatio: "2" }]);
    expect(r.summary.verdict).toBe("pass");
    expect(r.judgement.gateAlpha).toBe(0.05);
  });

  it("injects the uploaded reference profile into the drift gate only when asked for", async () => {
    const drift = probe("drift", () => result());
    const asked: string[] = [];
    const referenceProfile = async (model: string) => {
      asked.push(model);
      return { profile: model };
    };
    await judge(
      { drift: drift.gate },
      { "drift.reference": "both", "drift.referenceProfile": "x" },
      { referenceProfile },
    );
    await judge({ drift: drift.gate }, {}, { referenceProfile });
    expect(asked).toEqual(["m"]);
    expect(drift.seen.raw).toEqual([{ reference: "both", referenceProfile: { profile: "m" } }, {}]);
  });

  it("a gate that throws is inconclusive with the message; non-finite values become null", async () => {
    const broken = probe("drift", () => {
      throw new RangeError("histogram layouts differ");
    });
    const odd = probe("latency", () =>
      result({
        value: Number.NaN,
        interval: [1, Number.POSITIVE_INFINITY],
        metrics: { x: Number.NEGATIVE_INFINITY },
      }),
    );
    const r = await judge({ drift: broken.gate, latency: odd.gate }, {});
    expect(r.gates.drift).toMatchObject({
      verdict: "inconclusive",
      reason: "could not be computed: histogram layouts differ",
      n: { baseline: 500, candidate: 400 },
    });
    expect(r.summary.verdict).toBe("inconclusive");
    expect(r.gates.latency.value).toBeNull();
    expect(r.gates.latency.interval).toEqual([1, null]);
    expect(r.gates.latency.metrics.x).toBeNull();
    expect(nonFinitePaths(r)).toEqual([]);
    expect(nonFinitePaths({ a: [1, Number.NaN], b: { c: Number.POSITIVE_INFINITY } })).toEqual([
      "$.a[1]",
      "$.b.c",
    ]);
  });
});

describe("runJudgement with a gate that has nothing to judge", () => {
  it("passes on the other gates when no event of either cohort carries a protected attribute, naming fairness", async () => {
    const cohorts = { "m/a": countCohort(20_000), "m/b": countCohort(20_000) };
    const ask = (extra: Record<string, unknown> = {}) =>
      runJudgement(
        parseJudgeRequest(
          { model: "m", baseline: "a", candidate: "b", gates: "errors,fairness", ...extra },
          { registry: GATES, now },
        ),
        {
          registry: GATES,
          sources: { memory: memorySource(cohorts) },
          defaultSource: "memory",
          history: new JudgementHistory(),
          clock: () => now,
        },
      );
    const r = await ask();
    expect(r.gates.errors.verdict).toBe("pass");
    expect(r.gates.fairness).toMatchObject({ verdict: "inconclusive", judged: false });
    expect(r.summary.verdict).toBe("pass");
    expect(r.summary.score).toBe(100);
    expect(r.summary.reason).toMatch(
      /; fairness not judged: no protected-attribute groups recorded in either cohort$/,
    );
    // a named attribute the events do not carry is a blocking inconclusive
    const named = await ask({ "fairness.attributes": "sex" });
    expect(named.gates.fairness.judged).toBeUndefined();
    expect(named.summary.verdict).toBe("inconclusive");
    expect(named.summary.reason).toBe("fairness: fairness sex: fewer than 2 groups have 30 decisions yet");
  });
});
