import { describe, expect, it } from "vitest";
import { parseRetryAfter, retryDelayMs } from "../../src/events/backoff.js";
import { judgementCloudEvent } from "../../src/events/cloudevent.js";
import { EventLedger, failsAgainstReferenceProfile } from "../../src/events/triggers.js";
import { driftGate } from "../../src/gates/drift.js";
import type { GateResult } from "../../src/gates/gate.js";
import { parseReferenceProfile } from "../../src/gates/reference-profile.js";
import { JudgementHistory, memoryAuditStorage } from "../../src/judge/history.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { addScores, mulberry32, newSummary } from "../gates/synthetic.js";

const gate = (verdict: GateResult["verdict"], reason = "r"): GateResult => ({
  verdict,
  metric: "m",
  value: null,
  threshold: null,
  interval: null,
  n: { baseline: 1, candidate: 1 },
  reason,
  metrics: {},
});

function response(
  verdict: GateResult["verdict"],
  opts: { runKey?: string; gates?: Record<string, GateResult>; id?: string } = {},
): JudgeResponse {
  return {
    summary: { verdict, pass: verdict === "pass", score: 50, reason: `overall ${verdict}` },
    gates: opts.gates ?? { errors: gate(verdict) },
    judgement: {
      id: opts.id ?? "j-00000000000000000001",
      model: "fraud",
      baseline: "6b7f9",
      candidate: "84c2d",
      window: "2026-01-01T00:00:00.000Z/2026-01-01T00:10:00.000Z",
      look: 1,
      runKey: opts.runKey ?? "run-1",
      alpha: 0.05,
      gateAlpha: 0.05,
      source: "embedded",
      at: "2026-01-01T00:10:00.000Z",
      mode: "canary",
    },
  } as JudgeResponse;
}

describe("EventLedger: what a judgement fires", () => {
  it("a run's verdict fires once when it first becomes pass, and once when it first becomes fail", () => {
    const ledger = new EventLedger();
    expect(ledger.fire(response("inconclusive"))).toEqual([]);
    expect(ledger.fire(response("pass"))).toEqual(["verdict"]);
    expect(ledger.fire(response("pass"))).toEqual([]);
    expect(ledger.fire(response("inconclusive"))).toEqual([]);
    expect(ledger.fire(response("fail"))).toEqual(["verdict"]);
    expect(ledger.fire(response("fail"))).toEqual([]);
    expect(ledger.fire(response("pass"))).toEqual([]);
  });

  it("keeps runs apart: another run key, another gate set (one metric per gate) or another mode", () => {
    const ledger = new EventLedger();
    expect(ledger.fire(response("fail"))).toEqual(["verdict"]);
    expect(ledger.fire(response("fail", { runKey: "run-2" }))).toEqual(["verdict"]);
    expect(ledger.fire(response("fail", { gates: { latency: gate("fail") } }))).toEqual(["verdict"]);
    const shadow = response("fail");
    shadow.judgement.mode = "shadow";
    expect(ledger.fire(shadow)).toEqual(["verdict"]);
  });

  it("forgets the oldest runs beyond its capacity", () => {
    const ledger = new EventLedger(2);
    for (const runKey of ["a", "b", "c"])
      expect(ledger.fire(response("fail", { runKey }))).toEqual(["verdict"]);
    expect(ledger.size).toBe(2);
    expect(ledger.fire(response("fail", { runKey: "c" }))).toEqual([]);
    expect(ledger.fire(response("fail", { runKey: "a" }))).toEqual(["verdict"]);
  });

  it("a restart does not fire again what the audit log shows was fired before it", () => {
    const storage = memoryAuditStorage();
    const before = new JudgementHistory(storage);
    before.record("run-1#errors", response("fail"));
    before.record("run-2#errors", response("inconclusive", { runKey: "run-2" }));
    const ledger = new EventLedger();
    const replayed: string[] = [];
    new JudgementHistory(storage, undefined, (r) => {
      replayed.push(r.judgement.id);
      ledger.seen(r);
    });
    expect(replayed).toHaveLength(2);
    expect(replayed[0]).toMatch(/^j-[0-9a-f]{20}$/);
    expect(ledger.fire(response("fail"))).toEqual([]);
    expect(ledger.fire(response("fail", { runKey: "run-2" }))).toEqual(["verdict"]);
  });
});

describe("a drift fail against the reference profile", () => {
  const random = mulberry32(16);
  const training = newSummary();
  addScores(training, random, 20_000);
  const profile = parseReferenceProfile({ scores: training.scores.toJSON() }, { model: "m", uploadedAt: 0 });
  const like = newSummary();
  const shifted = newSummary();
  addScores(like, random, 5000);
  addScores(shifted, random, 5000, { mean: 0.7 });
  const drift = (baseline: typeof like, candidate: typeof like, raw: Record<string, unknown>) =>
    driftGate.evaluate({ baseline, candidate, config: driftGate.parseConfig(raw), alpha: 0.05 });

  it("is recognised in the drift gate's own answers, and only when the profile comparison failed", () => {
    const vsProfile = drift(like, shifted, { reference: "profile", referenceProfile: profile });
    expect(vsProfile.verdict).toBe("fail");
    expect(failsAgainstReferenceProfile(vsProfile)).toBe(true);
    const both = drift(like, shifted, { reference: "both", referenceProfile: profile });
    expect(both.verdict).toBe("fail");
    expect(failsAgainstReferenceProfile(both)).toBe(true);
    // the candidate drifted from the baseline but not from the profile
    const onlyBaseline = drift(shifted, like, { reference: "both", referenceProfile: profile });
    expect(onlyBaseline.verdict).toBe("fail");
    expect(failsAgainstReferenceProfile(onlyBaseline)).toBe(false);
    expect(failsAgainstReferenceProfile(drift(like, shifted, {}))).toBe(false);
    expect(
      failsAgainstReferenceProfile(drift(like, like, { reference: "profile", referenceProfile: profile })),
    ).toBe(false);
    expect(failsAgainstReferenceProfile(undefined)).toBe(false);
  });

  it("fires once per run, beside the verdict", () => {
    const failed = drift(like, shifted, { reference: "profile", referenceProfile: profile });
    const ledger = new EventLedger();
    expect(ledger.fire(response("fail", { gates: { drift: failed } }))).toEqual([
      "verdict",
      "reference-drift",
    ]);
    expect(ledger.fire(response("fail", { gates: { drift: failed } }))).toEqual([]);
    // drift optional and the overall verdict inconclusive: the drift fail still fires
    expect(ledger.fire(response("inconclusive", { runKey: "run-3", gates: { drift: failed } }))).toEqual([
      "reference-drift",
    ]);
  });
});

describe("the CloudEvent", () => {
  it("has the CloudEvents 1.0 attributes and carries the summary, the judgement and each gate's verdict", () => {
    const r = response("fail", { gates: { errors: gate("fail", "errors: 16.2% vs 4.7%") } });
    const e = judgementCloudEvent(r, "verdict", "/modelgate/prod");
    expect(e).toEqual({
      specversion: "1.0",
      id: "j-00000000000000000001.verdict",
      source: "/modelgate/prod",
      type: "dev.modelgate.judgement.v1",
      subject: "models/fraud/versions/84c2d",
      time: "2026-01-01T00:10:00.000Z",
      datacontenttype: "application/json",
      data: {
        trigger: "verdict",
        summary: r.summary,
        judgement: r.judgement,
        gates: { errors: { verdict: "fail", reason: "errors: 16.2% vs 4.7%" } },
      },
    });
  });
});

describe("retry delays", () => {
  const policy = { initialMs: 100, maxMs: 1000 };
  it("double per retry under full jitter, up to the maximum", () => {
    const top = () => 0.999999;
    expect([1, 2, 3, 4, 5, 9].map((k) => retryDelayMs(k, policy, top))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(retryDelayMs(3, policy, () => 0)).toBe(0);
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(200);
  });

  it("wait at least what Retry-After asks, still capped", () => {
    expect(retryDelayMs(1, policy, () => 0, 700)).toBe(700);
    expect(retryDelayMs(1, policy, () => 0, 60_000)).toBe(1000);
    expect(parseRetryAfter("3", 0)).toBe(3000);
    expect(parseRetryAfter("Thu, 01 Jan 1970 00:00:10 GMT", 4000)).toBe(6000);
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });
});
