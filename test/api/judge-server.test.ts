import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { verifyAuditFile } from "../../src/judge/audit-file.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { seeded } from "../gates/cohorts.js";
import { startInProcess } from "../helpers/in-process-server.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const start = (dataDir: string) => startInProcess(dataDir);

describe("/v1/judge on the real server and embedded store", () => {
  it("judges ingested events (error spike → fail), keeps counting looks after a restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "modelgate-judge-"));
    dirs.push(dataDir);
    const random = seeded(7);
    const ts = Date.now() - 60_000;
    const events: unknown[] = [];
    for (let i = 0; i < 2000; i++) {
      events.push({
        model: "fraud",
        version: "stable",
        ts,
        latencyMs: 100 * Math.exp(0.2 * (random() - 0.5)),
      });
    }
    for (let i = 0; i < 300; i++) {
      events.push({ model: "fraud", version: "canary", ts, latencyMs: 100, error: i % 30 === 0 });
    }
    let server = await start(dataDir);
    try {
      const ingest = await fetch(`${server.url}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(events),
      });
      expect(ingest.status).toBeLessThan(300);
      const body = {
        model: "fraud",
        baseline: "stable",
        candidate: "canary",
        gates: "latency,errors",
        runKey: "r1",
      };
      const first = await fetch(`${server.url}/v1/judge`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(first.status).toBe(200);
      const j1 = (await first.json()) as JudgeResponse;
      expect(j1.gates.errors.n).toEqual({ baseline: 2000, candidate: 300 });
      expect(j1.gates.errors.metrics.candidateErrorRate as number).toBeCloseTo(10 / 300, 12);
      expect(j1.summary.verdict).toBe("fail");
      expect(j1.summary.reason).toMatch(
        /^errors: candidate error rate 3\.33% \(10\/300\) vs baseline 0\.00% \(0\/2000\)/,
      );
      expect(j1.judgement).toMatchObject({ look: 1, source: "embedded", runKey: "r1" });
    } finally {
      await server.close();
    }
    server = await start(dataDir);
    try {
      const r = await fetch(
        `${server.url}/v1/judge?model=fraud&baseline=stable&candidate=canary&gates=latency,errors&runKey=r1`,
      );
      const j2 = (await r.json()) as JudgeResponse;
      expect(j2.judgement.look).toBe(2);
      expect(j2.summary.verdict).toBe("fail");
      const history = (await (await fetch(`${server.url}/v1/judgements?model=fraud`)).json()) as {
        judgements: JudgeResponse[];
      };
      expect(history.judgements).toHaveLength(2);
    } finally {
      await server.close();
    }
    const path = join(dataDir, "judge", "audit.jsonl");
    expect(readFileSync(path, "utf8").trimEnd().split("\n")).toHaveLength(2);
    expect(verifyAuditFile(path)).toMatchObject({ ok: true, records: 2 });
  });
});
