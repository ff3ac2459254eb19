import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createServiceMetrics } from "../../src/api/metrics.js";
import { loadConfig } from "../../src/config.js";
import { verifyAuditChain } from "../../src/judge/audit.js";
import { verifyAuditFile } from "../../src/judge/audit-file.js";
import { silentLogger } from "../../src/log.js";
import { startServer } from "../../src/server.js";
import { bearer, startTestServer, tokenLines } from "./harness.js";

describe("DELETE /v1/models/{model}", () => {
  it("erases the model, records who did it in a verifiable audit chain, and stays erased after a restart", async () => {
    const t = await startTestServer({ MODELGATE_TOKENS: tokenLines() });
    const now = Date.now();
    const events = ["credit", "keep"].flatMap((model) =>
      ["stable", "canary"].map((version) => ({ model, version, ts: now - 1000, score: 0.3, latencyMs: 5 })),
    );
    const ingest = await fetch(`${t.url}/v1/events`, {
      method: "POST",
      body: JSON.stringify(events),
      headers: { "content-type": "application/json", ...bearer("kserve") },
    });
    expect(ingest.status).toBe(202);
    const judged = await fetch(`${t.url}/v1/judge?model=credit&baseline=stable&candidate=canary`, {
      headers: bearer("argo"),
    });
    expect(judged.status).toBe(200);

    const del = await fetch(`${t.url}/v1/models/credit`, { method: "DELETE", headers: bearer("ops") });
    expect(del.status).toBe(200);
    const body = (await del.json()) as {
      erased: { store: Record<string, number> };
      audit: { seq: number; hash: string };
    };
    expect(body.erased.store).toEqual({
      model: "credit",
      versions: 2,
      events: 2,
      buckets: 2,
      pendingOutcomes: 0,
      pendingRequests: 0,
    });
    expect(body.audit.seq).toBe(1);
    const again = await fetch(`${t.url}/v1/models/credit`, { method: "DELETE", headers: bearer("ops") });
    expect(again.status).toBe(404);
    const versions = (model: string) =>
      fetch(`${t.url}/v1/models/${model}/versions`, { headers: bearer("viewer") }).then((r) => r.status);
    expect(await versions("credit")).toBe(404);
    expect(await versions("keep")).toBe(200);

    const auditPath = join(t.dataDir, "admin", "audit.jsonl");
    const lines = readFileSync(auditPath, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0]);
    expect(rec).toMatchObject({
      seq: 1,
      hash: body.audit.hash,
      payload: { action: "erase_model", model: "credit", principal: "ops" },
    });
    expect(verifyAuditFile(auditPath)).toMatchObject({ ok: true, records: 1 });
    // altering the record breaks the chain
    expect(verifyAuditChain(lines[0].replace('"principal":"ops"', '"principal":"someone"')).ok).toBe(false);

    // restart on the same data dir: still erased, the audit chain continues, judgements kept
    await t.server.close();
    const restarted = await startServer({
      config: {
        ...loadConfig({ MODELGATE_TOKENS: tokenLines() }),
        host: "127.0.0.1",
        port: 0,
        dataDir: t.dataDir,
      },
      logger: silentLogger,
      metrics: createServiceMetrics({ defaultMetrics: false }),
      handleSignals: false,
    });
    try {
      for (let i = 0; i < 200 && (await fetch(`${restarted.url}/readyz`)).status !== 200; i++)
        await new Promise((r) => setTimeout(r, 25));
      const get = (p: string) =>
        fetch(`${restarted.url}${p}`, { headers: bearer("viewer") }).then((r) => r.status);
      expect(await get("/v1/models/credit/versions")).toBe(404);
      expect(await get("/v1/models/keep/versions")).toBe(200);
      const second = await fetch(`${restarted.url}/v1/models/keep`, {
        method: "DELETE",
        headers: bearer("ops"),
      });
      expect(((await second.json()) as { audit: { seq: number } }).audit.seq).toBe(2);
      expect(verifyAuditFile(auditPath)).toMatchObject({ ok: true, records: 2 });
      expect(verifyAuditFile(join(t.dataDir, "judge", "audit.jsonl"))).toMatchObject({
        ok: true,
        records: 1,
      });
    } finally {
      await restarted.close();
      await t[Symbol.asyncDispose]();
    }
  });
});
