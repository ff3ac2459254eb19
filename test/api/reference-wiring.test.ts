import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startInProcess } from "../helpers/in-process-server.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Score values: most of the mass low (baseline-like) or high (drifted). */
function scores(n: number, high: boolean): number[] {
  return Array.from({ length: n }, (_, i) => {
    const u = (i + 0.5) / n;
    return high ? 0.5 + u * 0.5 : u * 0.5;
  });
}

describe("reference profiles in the running server", () => {
  it("stores a profile, lets the drift gate judge against it, and erases it with the model", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "mg-ref-"));
    dirs.push(dataDir);
    const server = await startInProcess(dataDir);
    try {
      const put = await fetch(`${server.url}/v1/models/fraud/reference`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ scores: { values: scores(2000, false) } }),
      });
      expect(put.status).toBe(201);
      const now = Date.now();
      const lines = ["a", "b"].flatMap((version) =>
        scores(2000, true).map((score, i) =>
          JSON.stringify({ model: "fraud", version, score, ts: new Date(now - 60_000 + i).toISOString() }),
        ),
      );
      const ingest = await fetch(`${server.url}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: `${lines.join("\n")}\n`,
      });
      expect(ingest.status).toBe(202);
      // baseline and candidate agree with each other, but both drifted from the training profile
      const judged = await fetch(
        `${server.url}/v1/judge/drift?model=fraud&baseline=a&candidate=b&drift.reference=profile`,
      );
      expect(judged.status).toBe(200);
      const body = (await judged.json()) as { gates: { drift: { verdict: string; reason: string } } };
      expect(body.gates.drift.verdict).toBe("fail");

      const erase = await fetch(`${server.url}/v1/models/fraud`, { method: "DELETE" });
      expect(erase.status).toBe(200);
      const erased = (await erase.json()) as { erased: { reference: boolean } };
      expect(erased.erased.reference).toBe(true);
      expect((await fetch(`${server.url}/v1/models/fraud/reference`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
