import { describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.js";
import { createServiceMetrics } from "../../src/api/metrics.js";
import { createJudgeRouter } from "../../src/api/routes/judge.js";
import { loadConfig } from "../../src/config.js";
import { verifyAuditChain } from "../../src/judge/audit.js";
import { JudgementHistory, memoryAuditStorage } from "../../src/judge/history.js";
import type { CohortSummary } from "../../src/sketch/cohort-summary.js";
import { addErrors, addLatencies, latencyCohort, seeded } from "../gates/cohorts.js";
import { listen } from "../helpers/http.js";
import { memorySource } from "../judge/memory-source.js";

const NOW = Date.parse("2026-11-25T12:00:00Z");

function cohorts(): Record<string, CohortSummary> {
  const r = seeded(42);
  const stable = latencyCohort(r, 20_000, { sigma: 0.25 });
  const same = latencyCohort(r, 20_000, { sigma: 0.25 });
  const slow = latencyCohort(r, 20_000, { sigma: 0.25, scale: 1.5 });
  // error counts on top of the latency events: 0.5% in both arms
  addErrors(stable, r, 0, 0);
  stable.errors = 100;
  same.errors = 104;
  slow.errors = 98;
  const tiny = latencyCohort(r, 37, { sigma: 0.25 });
  const zeros = latencyCohort(r, 0);
  addLatencies(zeros, () => 0.5, 500, { median: 0 });
  return {
    "fraud/stable": stable,
    "fraud/same": same,
    "fraud/slow": slow,
    "fraud/tiny": tiny,
    "fraud/zeros": zeros,
  };
}

async function setup() {
  const source = memorySource(cohorts());
  const storage = memoryAuditStorage();
  const history = new JudgementHistory(storage);
  const metrics = createServiceMetrics({ defaultMetrics: false });
  const router = createJudgeRouter({
    sources: { memory: source },
    defaultSource: "memory",
    history,
    clock: () => NOW,
    metricsRegistry: metrics.registry,
  });
  const app = createApp({ config: loadConfig({}), metrics, routers: [router] });
  const srv = await listen(app);
  const post = async (path: string, body: unknown) => {
    const r = await fetch(`${srv.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: r.status, text: await r.text() };
  };
  const get = async (path: string) => {
    const r = await fetch(`${srv.url}${path}`);
    return { status: r.status, text: await r.text() };
  };
  return { srv, source, storage, history, post, get };
}

/** Paths of nulls outside the places documented as "null = not defined for this data". */
function unexpectedNulls(value: unknown, path = "$"): string[] {
  if (value === null) {
    return /^\$\.gates\.\w+\.(value|threshold|interval|metrics\.\w+)$/.test(path) ? [] : [path];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => unexpectedNulls(v, `${path}[${i}]`));
  if (typeof value === "object")
    return Object.entries(value as object).flatMap(([k, v]) => unexpectedNulls(v, `${path}.${k}`));
  return [];
}

const ARGS = { model: "fraud", baseline: "stable" };

describe("POST/GET /v1/judge", () => {
  it("answers the DESIGN.md shape, accepting numbers as strings (Argo jsonBody)", async () => {
    const t = await setup();
    await using _ = t.srv;
    const r = await t.post("/v1/judge", {
      ...ARGS,
      candidate: "same",
      gates: "latency,errors",
      alpha: "0.05",
      minSamples: "100",
      "latency.maxRatio": "1.2",
      "errors.maxIncrease": "0.005",
    });
    expect(r.status).toBe(200);
    const body = JSON.parse(r.text);
    expect(Object.keys(body).sort()).toEqual(["gates", "judgement", "summary"]);
    expect(Object.keys(body.summary).sort()).toEqual(["pass", "reason", "score", "verdict"]);
    expect(body.summary).toMatchObject({ verdict: "pass", pass: true, score: 100 });
    expect(Object.keys(body.gates)).toEqual(["latency", "errors"]);
    for (const g of Object.values(body.gates) as Array<Record<string, unknown>>) {
      expect(Object.keys(g).sort()).toEqual([
        "interval",
        "metric",
        "metrics",
        "n",
        "reason",
        "threshold",
        "value",
        "verdict",
      ]);
    }
    expect(body.gates.latency.n).toEqual({ baseline: 20_000, candidate: 20_000 });
    expect(body.gates.latency.threshold).toBe(1.2);
    expect(body.gates.errors.metrics).toMatchObject({
      baselineErrorRate: 100 / 20_000,
      candidateErrorRate: 104 / 20_000,
    });
    expect(body.judgement).toMatchObject({
      model: "fraud",
      baseline: "stable",
      candidate: "same",
      look: 1,
      runKey: "fraud/stable/same",
      alpha: 0.05,
      gateAlpha: 0.025,
      source: "memory",
      at: "2026-11-25T12:00:00.000Z",
      window: "2023-11-14T22:13:20.000Z/2026-11-25T12:00:00.000Z",
    });
    expect(body.judgement.id).toMatch(/^j-[0-9a-f]{20}$/);
    // the same run looked at again: look 2, and the history and audit log have both
    const again = JSON.parse(
      (await t.post("/v1/judge", { ...ARGS, candidate: "same", gates: ["latency", "errors"] })).text,
    );
    expect(again.judgement.look).toBe(2);
    const listed = JSON.parse((await t.get("/v1/judgements?model=fraud")).text);
    expect(listed.judgements.map((j: { judgement: { look: number } }) => j.judgement.look)).toEqual([2, 1]);
    const one = JSON.parse((await t.get(`/v1/judgements/${body.judgement.id}`)).text);
    expect(one).toEqual(body);
    expect(verifyAuditChain(t.storage.text)).toMatchObject({ ok: true, records: 2 });
  });

  it("GET with query args gives the same verdicts; fail on +50% latency is still HTTP 200", async () => {
    const t = await setup();
    await using _ = t.srv;
    const r = await t.get(
      "/v1/judge?model=fraud&baseline=stable&candidate=slow&gates=latency,errors&latency.maxRatio=1.2",
    );
    expect(r.status).toBe(200);
    const body = JSON.parse(r.text);
    expect(body.summary.verdict).toBe("fail");
    expect(body.summary.pass).toBe(false);
    expect(body.summary.score).toBe(50);
    expect(body.summary.reason).toMatch(
      /^latency: candidate p95 \d+ ms is 1\.\d\dx baseline's \d+ ms \(limit 1\.20x/,
    );
    expect(body.gates.latency.interval[0]).toBeGreaterThan(1.2);
    expect(body.gates.errors.verdict).toBe("pass");
    const metrics = await t.get("/metrics");
    expect(metrics.text).toMatch(
      /modelgate_judgements_total\{model="fraud",gate="overall",verdict="fail"\} 1/,
    );
    expect(metrics.text).toMatch(
      /modelgate_gate_value\{model="fraud",gate="latency",metric="p95_ratio"\} 1\.\d+/,
    );
  });

  it("one gate per metric: GET|POST /v1/judge/{gate}, looks counted apart from the combined run", async () => {
    const t = await setup();
    await using _ = t.srv;
    const a = JSON.parse(
      (await t.get("/v1/judge/latency?model=fraud&baseline=stable&candidate=slow&runKey=run-1")).text,
    );
    expect(Object.keys(a.gates)).toEqual(["latency"]);
    expect(a.summary.verdict).toBe("fail");
    expect(a.judgement.gateAlpha).toBe(0.05);
    const b = JSON.parse(
      (await t.post("/v1/judge/errors", { ...ARGS, candidate: "slow", runKey: "run-1" })).text,
    );
    expect(Object.keys(b.gates)).toEqual(["errors"]);
    expect(b.judgement.look).toBe(1);
    const c = JSON.parse(
      (await t.post("/v1/judge/latency", { ...ARGS, candidate: "slow", runKey: "run-1" })).text,
    );
    expect(c.judgement.look).toBe(2);
    const unknown = await t.get("/v1/judge/speed?model=fraud&baseline=stable&candidate=slow");
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text).error).toMatchObject({ code: "unknown_gate", field: "gate" });
  });

  it("missing data is inconclusive 200 with a reason, never an error", async () => {
    const t = await setup();
    await using _ = t.srv;
    const tiny = JSON.parse(
      (await t.post("/v1/judge", { ...ARGS, candidate: "tiny", gates: "latency,errors" })).text,
    );
    expect(tiny.summary.verdict).toBe("inconclusive");
    expect(tiny.summary.reason).toBe("latency: candidate has 37 latency samples, needs 100");
    const unseen = await t.post("/v1/judge", { ...ARGS, candidate: "84c2d", gates: "latency,errors" });
    expect(unseen.status).toBe(200);
    const u = JSON.parse(unseen.text);
    expect(u.summary).toMatchObject({ verdict: "inconclusive", pass: false, score: 0 });
    expect(u.summary.reason).toBe('candidate "84c2d" of model "fraud" has no events in the window yet');
    expect(u.gates.latency.n).toEqual({ baseline: 20_000, candidate: 0 });
    const unknownModel = JSON.parse(
      (await t.post("/v1/judge", { model: "nope", baseline: "a", candidate: "b" })).text,
    );
    expect(unknownModel.summary.verdict).toBe("inconclusive");
    expect(unknownModel.summary.reason).toMatch(
      /no events for model "nope" versions "a" \(baseline\) or "b"/,
    );
  });

  it("bad requests are 4xx JSON naming the field", async () => {
    const t = await setup();
    await using _ = t.srv;
    const cases: Array<[unknown, number, string | undefined, RegExp]> = [
      [{ baseline: "stable", candidate: "same" }, 400, "model", /model: is required/],
      [
        { ...ARGS, candidate: "same", "latency.maxRatio": "fast" },
        400,
        "latency.maxRatio",
        /must be a number > 0/,
      ],
      [{ ...ARGS, candidate: "same", latency: { quantile: 1.5 } }, 400, "latency.quantile", /quantile/],
      [{ ...ARGS, candidate: "same", gates: "latency,speed" }, 400, "gates", /unknown gate "speed"/],
      [{ ...ARGS, candidate: "same", "speed.max": 1 }, 400, "speed.max", /unknown gate "speed"/],
      [{ ...ARGS, candidate: "same", alpha: "2" }, 400, "alpha", /alpha/],
      [{ ...ARGS, candidate: "same", minSample: "10" }, 400, "minSample", /unknown field/],
      [{ ...ARGS, candidate: "same", window: "yesterday" }, 400, "window", /duration like 15m/],
      [{ ...ARGS, candidate: "same", source: "prometheus" }, 400, "source", /unknown source "prometheus"/],
      [[1, 2], 400, undefined, /request body must be a JSON object/],
      ["{not json", 400, undefined, /malformed JSON/],
    ];
    for (const [body, status, field, message] of cases) {
      const r = await t.post("/v1/judge", body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      const err = JSON.parse(r.text).error;
      expect(err.field, JSON.stringify(body)).toBe(field);
      expect(err.message).toMatch(message);
    }
    // nothing invalid was recorded
    expect(t.history.list()).toEqual([]);
  });

  it("answers 503 (never a verdict) when the source is unavailable", async () => {
    const t = await setup();
    await using _ = t.srv;
    t.source.down = true;
    const r = await t.post("/v1/judge", { ...ARGS, candidate: "same" });
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text).error).toMatchObject({ code: "source_unavailable" });
    expect(JSON.parse(r.text).error.message).toMatch(/memory: connection refused/);
  });

  it("no response carries NaN, Infinity or an unexpected null, whatever the data", async () => {
    const t = await setup();
    await using _ = t.srv;
    const versions = ["same", "slow", "tiny", "zeros", "missing"];
    let n = 0;
    for (const baseline of ["stable", "zeros", "tiny", "missing"]) {
      for (const candidate of versions) {
        for (const path of ["/v1/judge", "/v1/judge/latency", "/v1/judge/errors"]) {
          const r = await t.post(path, { model: "fraud", baseline, candidate, "latency.sloMs": "200" });
          expect(r.status).toBe(200);
          expect(r.text).not.toMatch(/NaN|Infinity/);
          const body = JSON.parse(r.text);
          expect(unexpectedNulls(body), `${baseline} vs ${candidate} ${path}`).toEqual([]);
          expect(["pass", "fail", "inconclusive"]).toContain(body.summary.verdict);
          expect(typeof body.summary.score).toBe("number");
          n++;
        }
      }
    }
    expect(n).toBe(60);
  });
});
