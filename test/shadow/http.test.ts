import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { startInProcess } from "../helpers/in-process-server.js";
import { pairedTraffic } from "./traffic.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const start = (dataDir: string) => startInProcess(dataDir);

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("mode=shadow over HTTP: POST /v1/events, /v1/outcomes, /v1/judge", () => {
  it("pairs mirrored events by id, judges them, and keeps the pairs across a restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "modelgate-shadow-"));
    dirs.push(dataDir);
    const t = pairedTraffic({
      n: 3000,
      seed: 11,
      flipRegion: "east",
      flipRate: 0.08,
      ts: Date.now() - 120_000,
    });
    let server = await start(dataDir);
    try {
      // the baseline's answers, then the mirrored challenger's (with 20 extra requests it alone saw)
      expect((await post(`${server.url}/v1/events`, t.baseline)).status).toBeLessThan(300);
      const extra = t.candidate.slice(0, 20).map((e) => ({ ...e, id: `solo-${e.id}` }));
      expect((await post(`${server.url}/v1/events`, [...t.candidate, ...extra])).status).toBeLessThan(300);
      const outcomes = await post(
        `${server.url}/v1/outcomes`,
        t.labels.map((l) => ({ model: "fraud", ...l })),
      );
      expect(outcomes.status).toBeLessThan(300);

      const body = {
        model: "fraud",
        baseline: "stable",
        candidate: "challenger",
        mode: "shadow",
        runKey: "s1",
      };
      const res = await post(`${server.url}/v1/judge`, body);
      expect(res.status).toBe(200);
      const j = (await res.json()) as JudgeResponse;
      expect(j.judgement).toMatchObject({ mode: "shadow", look: 1, source: "embedded" });
      expect(j.gates.agreement.n).toEqual({ baseline: 3000, candidate: 3000 });
      expect(j.gates.agreement.metrics.pendingCandidate).toBe(20);
      expect(j.gates.accuracy.metrics.labelled).toBe(3000);
      expect(j.gates.fairness.verdict).toBe("fail");
      expect(j.gates.fairness.reason).toMatch(/^group region=east/);
      expect(j.summary.verdict).toBe("fail");

      // the judgement page renders a shadow judgement (its gates, whatever their metrics)
      const page = await fetch(`${server.url}/ui/judgements/${j.judgement.id}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('data-gate="agreement"');

      // one gate, GET with the query string Argo would build
      const one = await fetch(
        `${server.url}/v1/judge/agreement?model=fraud&baseline=stable&candidate=challenger&mode=shadow&agreement.maxFlipRate=0.1`,
      );
      expect(one.status).toBe(200);
      const a = (await one.json()) as JudgeResponse;
      expect(Object.keys(a.gates)).toEqual(["agreement"]);
      expect(a.gates.agreement.verdict).toBe("pass");
      expect(a.gates.agreement.metrics.flipsUp as number).toBeGreaterThan(0);
      // a canary-only gate in shadow mode is a 404 naming the shadow gates
      const bad = await fetch(
        `${server.url}/v1/judge/drift?model=fraud&baseline=stable&candidate=challenger&mode=shadow`,
      );
      expect(bad.status).toBe(404);
      expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/agreement/);

      await server.close();
      server = await start(dataDir);
      const again = (await (await post(`${server.url}/v1/judge`, body)).json()) as JudgeResponse;
      expect(again.judgement.look).toBe(2);
      expect(again.gates.agreement.metrics).toEqual(j.gates.agreement.metrics);
      expect(again.gates.auc.metrics).toEqual(j.gates.auc.metrics);
    } finally {
      await server.close();
    }
  });

  it("counts a stable answer logged in the minute before its mirrored copy in the default window", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "modelgate-shadow-"));
    dirs.push(dataDir);
    // 1,000 stable answers in the 2 s before a minute boundary, their mirrored copies 1–2 s after it
    const boundary = Math.floor((Date.now() - 120_000) / 60_000) * 60_000;
    const t = pairedTraffic({ n: 1000, seed: 5, ts: boundary - 2000, labels: true });
    const candidate = t.candidate.map((e) => ({ ...e, ts: e.ts + 3000 }));
    expect(Math.max(...t.baseline.map((e) => e.ts))).toBeLessThan(boundary);
    expect(Math.min(...candidate.map((e) => e.ts))).toBeGreaterThan(boundary);
    const server = await start(dataDir);
    try {
      expect((await post(`${server.url}/v1/events`, t.baseline)).status).toBe(202);
      expect((await post(`${server.url}/v1/events`, candidate)).status).toBe(202);
      const ask = async (extra: Record<string, string>) => {
        const res = await post(`${server.url}/v1/judge`, {
          model: "fraud",
          baseline: "stable",
          candidate: "challenger",
          mode: "shadow",
          ...extra,
        });
        expect(res.status).toBe(200);
        return (await res.json()) as JudgeResponse;
      };
      // the default window starts at the candidate's first event, after the boundary
      const byDefault = await ask({ runKey: "default" });
      expect(byDefault.summary.reason).not.toMatch(/answered by both/);
      expect(byDefault.gates.agreement.n).toEqual({ baseline: 1000, candidate: 1000 });
      // the same answer as a window reaching well before both
      const wide = await ask({ runKey: "wide", window: "10m" });
      expect(wide.gates.agreement.n).toEqual({ baseline: 1000, candidate: 1000 });
      expect(byDefault.summary.verdict).toBe(wide.summary.verdict);
      // identical answers: the pairs all count, so agreement is proven (the paired AUC at 1,000 labels
      // may still be open: its interval carries the score grid's binning error)
      expect(byDefault.gates.agreement.verdict, byDefault.gates.agreement.reason).toBe("pass");
      expect(byDefault.summary.verdict).not.toBe("fail");
    } finally {
      await server.close();
    }
  });
});
