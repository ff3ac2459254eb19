import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnServer } from "../helpers/server-process.js";

const dir = mkdtempSync(join(tmpdir(), "modelgate-serve-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The "modelgate listening" record of a server's log, parsed. */
function listeningRecord(log: string): Record<string, unknown> {
  const line = log.split("\n").find((l) => l.includes('"msg":"modelgate listening"'));
  if (!line) throw new Error(`no listening record in:\n${log}`);
  return JSON.parse(line) as Record<string, unknown>;
}

describe("modelgate serve's start record", () => {
  it("says 0.0.0.0 and every interface when bound to 0.0.0.0, and where a local client reaches it", async () => {
    await using server = await spawnServer({ dataDir: join(dir, "all"), args: ["--host", "0.0.0.0"] });
    const record = listeningRecord(server.stderr());
    const port = new URL(String(record.url)).port;
    expect(record.url).toBe(`http://0.0.0.0:${port}`);
    expect(record.interfaces).toBe("all");
    expect(record.localUrl).toBe(`http://127.0.0.1:${port}`);
    expect((await fetch(`${record.localUrl}/readyz`)).status).toBe(200);
  });

  it("names the one address it is bound to otherwise", async () => {
    await using server = await spawnServer({ dataDir: join(dir, "loopback") });
    const record = listeningRecord(server.stderr());
    expect(record.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(record.url).toBe(server.url);
    expect(record.interfaces).toBeUndefined();
  });
});
