import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../store/harness.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  children.length = 0;
});

// The real `modelgate serve` command (src/cli/serve.ts) in its own process, without going
// through the command dispatcher, so that this test depends only on the serve path.
const SERVE = `
const { serveCommand } = await import("./src/cli/serve.ts");
process.exitCode = await serveCommand.run(process.argv.slice(1), {
  env: {}, stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s),
});`;

/** Start the real server; resolve its URL once it logs it and /readyz answers 200. */
async function startServer(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      SERVE,
      "--",
      "--host",
      "127.0.0.1",
      "--port",
      "0",
      "--data-dir",
      dataDir,
      "--snapshot-interval",
      "1",
    ],
    { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] },
  );
  children.push(child);
  const url = await new Promise<string>((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (c: Buffer) => {
      err += c.toString();
      const m = /"msg":"modelgate listening","url":"(http:\/\/[^"]+)"/.exec(err);
      if (m) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
  for (;;) {
    if ((await fetch(`${url}/readyz`)).status === 200) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { url, child };
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
      const { url, child } = await startServer(dir.path);
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
      await new Promise((r) => child.once("exit", r));
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
