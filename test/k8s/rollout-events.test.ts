import { describe, expect, it } from "vitest";
import type { KubeClient, KubeEvent, RolloutRef } from "../../src/k8s/kube-client.js";
import { emitVerdictEvent, verdictEvent } from "../../src/k8s/rollout-events.js";

const reason = "latency: candidate p95 412 ms is 1.38x baseline's 298 ms (limit 1.20x)";
const judgement = (verdict: string) => ({
  summary: { verdict, reason },
  judgement: { baseline: "6b7f9", candidate: "84c2d" },
});

function fakeKube(rejects = false) {
  const sent: { ref: RolloutRef; e: KubeEvent }[] = [];
  const kube: KubeClient = {
    resolveRollout: async () => undefined,
    emitEvent: async (ref, e) => {
      sent.push({ ref, e });
      if (rejects) throw new Error("boom");
    },
  };
  return { kube, sent };
}

describe("verdictEvent", () => {
  it("maps fail to a Warning and inconclusive to a Normal Event, pass to none", () => {
    expect(verdictEvent(judgement("fail"))).toEqual({
      type: "Warning",
      reason: "ModelGateFailed",
      message: `84c2d vs 6b7f9: ${reason}`,
    });
    expect(verdictEvent(judgement("inconclusive"))).toEqual({
      type: "Normal",
      reason: "ModelGateInconclusive",
      message: `84c2d vs 6b7f9: ${reason}`,
    });
    expect(verdictEvent(judgement("pass"))).toBeUndefined();
    expect(verdictEvent({ summary: { verdict: "fail", reason: "r" } })?.message).toBe("r");
  });
});

describe("emitVerdictEvent", () => {
  const ref = { namespace: "ml", name: "fraud-model" };

  it("sends the Event for fail and inconclusive only, and only with a client and a Rollout", async () => {
    const { kube, sent } = fakeKube();
    await emitVerdictEvent(kube, ref, judgement("fail"));
    await emitVerdictEvent(kube, ref, judgement("pass"));
    await emitVerdictEvent(kube, undefined, judgement("fail"));
    await emitVerdictEvent(undefined, ref, judgement("fail"));
    await emitVerdictEvent(kube, ref, judgement("inconclusive"));
    expect(sent.map((s) => [s.ref, s.e.reason])).toEqual([
      [ref, "ModelGateFailed"],
      [ref, "ModelGateInconclusive"],
    ]);
  });

  it("never rejects, even with a client that does", async () => {
    const { kube, sent } = fakeKube(true);
    await expect(emitVerdictEvent(kube, ref, judgement("fail"))).resolves.toBeUndefined();
    expect(sent).toHaveLength(1);
  });
});
