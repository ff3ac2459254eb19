import { describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.js";
import { createServiceMetrics } from "../../src/api/metrics.js";
import { createJudgeRouter } from "../../src/api/routes/judge.js";
import { loadConfig } from "../../src/config.js";
import { JudgementHistory, memoryAuditStorage } from "../../src/judge/history.js";
import { latencyCohort, seeded } from "../gates/cohorts.js";
import { listen } from "../helpers/http.js";
import { memorySource } from "../judge/memory-source.js";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const ARGS = { model: "fraud", baseline: "stable", candidate: "canary" };

/** the fields of a 400 or a 200 answer these tests read */
type Answer = {
  error: { field?: string; message: string };
  gates: Record<string, { threshold: number | null }>;
};

async function setup() {
  const r = seeded(7);
  const source = memorySource({
    "fraud/stable": latencyCohort(r, 2000, { sigma: 0.25 }),
    "fraud/canary": latencyCohort(r, 2000, { sigma: 0.25 }),
  });
  const history = new JudgementHistory(memoryAuditStorage());
  const router = createJudgeRouter({
    sources: { memory: source },
    defaultSource: "memory",
    history,
    clock: () => NOW,
  });
  const metrics = createServiceMetrics({ defaultMetrics: false });
  const srv = await listen(createApp({ config: loadConfig({}), metrics, routers: [router] }));
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${srv.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Answer };
  };
  const get = async (path: string) => {
    const res = await fetch(`${srv.url}${path}`);
    return { status: res.status, body: (await res.json()) as Answer };
  };
  return { srv, history, post, get };
}

describe("unknown gate settings over HTTP", () => {
  it("answers 400 naming a mistyped setting, its gate's settings and the closest one, and records nothing", async () => {
    const t = await setup();
    await using _ = t.srv;
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      ["/v1/judge/latency", { "latency.maxRaatio": 0.5 }, "latency.maxRaatio", "maxRatio"],
      ["/v1/judge/latency", { "latency.maxratio": 0.5 }, "latency.maxratio", "maxRatio"],
      ["/v1/judge/latency", { latency: { maxRaatio: 0.5 } }, "latency.maxRaatio", "maxRatio"],
      // a setting of a gate the per-gate route does not run is still checked
      ["/v1/judge/latency", { "errors.maxIncreas": 0.5 }, "errors.maxIncreas", "maxIncrease"],
      ["/v1/judge/latency", { "drift.maxPSI": 0.5 }, "drift.maxPSI", "maxPsi"],
      ["/v1/judge", { "auc.margn": 0.01 }, "auc.margn", "margin"],
      ["/v1/judge", { fairness: { minParityRatoi: 0.8 } }, "fairness.minParityRatoi", "minParityRatio"],
      ["/v1/judge", { mode: "shadow", "agreement.maxFlip": 0.1 }, "agreement.maxFlip", "maxFlipRate"],
      ["/v1/judge", { mode: "shadow", "scores.maxMeanShfit": 0.1 }, "scores.maxMeanShfit", "maxMeanShift"],
    ];
    for (const [path, fields, field, hint] of cases) {
      const r = await t.post(path, { ...ARGS, ...fields });
      expect(r.status, JSON.stringify(fields)).toBe(400);
      expect(r.body.error.field).toBe(field);
      expect(r.body.error.message).toContain(`${field}: unknown setting`);
      expect(r.body.error.message).toContain(`(did you mean ${hint}?)`);
      expect(r.body.error.message).toMatch(/; its settings: .*weight$/);
    }
    const q = await t.get("/v1/judge?model=fraud&baseline=stable&candidate=canary&latency.maxRaatio=2");
    expect(q.status).toBe(400);
    expect(q.body.error.field).toBe("latency.maxRaatio");
    expect(t.history.list()).toEqual([]);
  });

  it("keeps accepting the settings the judge reads: weight of every gate and the shared minSamples", async () => {
    const t = await setup();
    await using _ = t.srv;
    const ok = await t.post("/v1/judge", {
      ...ARGS,
      gates: "latency,fairness",
      minSamples: 50,
      "latency.maxRatio": "1.3",
      "latency.weight": 2,
      fairness: { weight: 0.5, minGroupSize: 40 },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.gates.latency.threshold).toBe(1.3);
    // the fairness gate has no minSamples of its own: asked for by name it is a typo, not the shared one
    const own = await t.post("/v1/judge", { ...ARGS, gates: "fairness", "fairness.minSamples": 50 });
    expect(own.status).toBe(400);
    expect(own.body.error.field).toBe("fairness.minSamples");
  });
});
