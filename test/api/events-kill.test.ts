import { afterEach, describe, expect, it } from "vitest";
import { type ServerProcess, spawnServer } from "../helpers/server-process.js";
import { tempDir } from "../store/harness.js";

const servers: ServerProcess[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) await s[Symbol.asyncDispose]();
});

/** The real `modelgate serve` in its own process, snapshotting every second; killed after each test. */
async function startServer(dataDir: string): Promise<ServerProcess> {
  const server = await spawnServer({ dataDir, args: ["--snapshot-interval", "1"] });
  servers.push(server);
  return server;
}

function batch(start: number, n: number): string {
  let s = "";
  for (let i = start; i < start + n; i++) {
    s += `${JSON.stringify({ model: "fraud", version: "v1", id: `k${i}`, score: (i % 100) / 100, latencyMs: 3 })}\n`;
  }
  return s;
}

const post = (url: string, body: string) =>
  fetch(`${url}/v1/events`, { method: "POST", body, headers: { "content-type": "application/x-ndjson" } });

async function storedEvents(url: string): Promise<number> {
  const r = await fetch(`${url}/v1/models/fraud/versions`);
  if (r.status === 404) return 0;
  const j = (await r.json()) as { versions: Array<{ events: number }> };
  return j.versions.reduce((n, v) => n + v.events, 0);
}

describe("durability against kill -9 (real child process, real files)", () => {
  it("keeps every acknowledged event across repeated SIGKILLs mid-ingestion", {
    timeout: 120_000,
  }, async () => {
    using dir = tempDir();
    const BATCH = 500;
    let next = 0;
    let acked = 0;
    let maybe = 0; // events of batches in flight at the kill: stored or not, never half
    for (let round = 0; round < 3; round++) {
      const { url, child, exited } = await startServer(dir.path);
      const stored = await storedEvents(url);
      expect(stored).toBeGreaterThanOrEqual(acked);
      expect(stored - acked === 0 || stored - acked === maybe).toBe(true);
      acked = stored;
      maybe = 0;
      for (let b = 0; b < 8; b++) {
        const r = await post(url, batch(next, BATCH));
        next += BATCH;
        expect(r.status).toBe(202);
        expect(((await r.json()) as { accepted: number }).accepted).toBe(BATCH);
        acked += BATCH;
      }
      // one more batch in flight, then kill -9 right after the last acknowledgement
      const inflight = post(url, batch(next, BATCH)).catch(() => undefined);
      next += BATCH;
      maybe = BATCH;
      child.kill("SIGKILL");
      await exited;
      const r = await inflight;
      if (r?.status === 202) {
        acked += BATCH;
        maybe = 0;
      }
    }
    const { url } = await startServer(dir.path);
    const stored = await storedEvents(url);
    expect(stored - acked === 0 || stored - acked === maybe).toBe(true);
    expect(stored).toBeGreaterThanOrEqual(24 * BATCH);
  });
});
