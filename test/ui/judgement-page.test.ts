import { describe, expect, it } from "vitest";
import type { GateResult } from "../../src/gates/gate.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { decisiveReason, judgementPage } from "../../src/ui/judgement-page.js";

const gate = (verdict: GateResult["verdict"], reason: string): GateResult => ({
  verdict,
  metric: "m",
  value: 1,
  threshold: 2,
  interval: [0.5, 1.5],
  n: { baseline: 10, candidate: 12 },
  reason,
  metrics: {},
});

function response(
  verdict: GateResult["verdict"],
  gates: Record<string, GateResult>,
  reason: string,
): JudgeResponse {
  return {
    summary: { verdict, pass: verdict === "pass", score: 50, reason },
    gates,
    judgement: {
      id: "j-1",
      model: "m<1>",
      baseline: "a",
      candidate: "b",
      window: "(no events yet)/2026-01-01T00:00:00.000Z",
      look: 3,
      runKey: "k",
      alpha: 0.05,
      gateAlpha: 0.025,
      source: "embedded",
      at: "2026-01-01T00:00:00.000Z",
    },
  };
}

describe("judgement page", () => {
  it("says which gates decided, in words", () => {
    const fail = response(
      "fail",
      { latency: gate("fail", "slow"), errors: gate("fail", "errors"), auc: gate("pass", "ok") },
      "latency: slow (and 1 more failing gate)",
    );
    expect(decisiveReason(fail)).toBe(
      "Rejected: gates latency, errors failed. Decisive: latency: slow (and 1 more failing gate)",
    );
    expect(decisiveReason(response("fail", { auc: gate("fail", "worse") }, "auc: worse"))).toBe(
      "Rejected: the auc gate failed. Decisive: auc: worse",
    );
    expect(
      decisiveReason(
        response("inconclusive", { auc: gate("inconclusive", "more labels") }, "auc: more labels"),
      ),
    ).toBe(
      "Not decided yet (waiting on auc): fail decisions are anytime-valid, so asking again later is safe. Decisive: auc: more labels",
    );
    expect(decisiveReason(response("pass", { auc: gate("pass", "fine") }, "auc: fine"))).toBe(
      "Passed: every required gate passed. auc: fine",
    );
  });

  it("renders gates and meta with every client string escaped, and no script", () => {
    const page = judgementPage({
      response: response(
        "fail",
        { fairness: gate("fail", 'group "<x>" below floor') },
        'fairness: group "<x>" below floor',
      ),
      dataNote: "note <here>",
    });
    expect(page.startsWith("<!doctype html>")).toBe(true);
    expect(page).toContain('<h1 data-model="m&lt;1&gt;">m&lt;1&gt;: a → b');
    expect(page).toContain("group &quot;&lt;x&gt;&quot; below floor");
    expect(page).toContain("[0.500, 1.500]");
    expect(page).toContain('<td class="num">10 / 12</td>');
    expect(page).toContain("3 of run k");
    expect(page).toContain("note &lt;here&gt;");
    expect(page).toContain("No data to plot.");
    expect(page).not.toMatch(/<script|<x>/);
  });
});
