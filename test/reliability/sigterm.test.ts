import { mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { request, spawnServer } from "../helpers/server-process.js";
import { newTally, runLoad } from "./load.js";

/** Start an NDJSON upload and return a handle to finish it later (it stays in flight meanwhile). */
function slowUpload(url: string, lines: string[]) {
  const u = new URL(`${url}/v1/events`);
  const req = httpRequest({
    host: u.hostname,
    port: u.port,
    path: u.pathname,
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
  });
  const half = Math.floor(lines.length / 2);
  req.write(`${lines.slice(0, half).join("\n")}\n`);
  return {
    answer,
    finish: () => req.end(`${lines.slice(half).join("\n")}\n`),
  };
}

describe("SIGTERM during load", () => {
  it("finishes in-flight requests, loses nothing acknowledged and exits 0", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "modelgate-sigterm-"));
    try {
      const server = await spawnServer({ dataDir });
      const tally = newTally();
      let stop = false;
      const load = runLoad({
        url: () => server.url,
        model: "term",
        stop: () => stop,
        tally,
        ingesters: 3,
        judges: 1,
      });
      const now = Date.now();
      const slowLines = Array.from({ length: 400 }, (_, i) =>
        JSON.stringify({ model: "term", version: "slow", ts: now, score: (i % 100) / 100 }),
      );
      const slow = slowUpload(server.url, slowLines);
      await new Promise((r) => setTimeout(r, 1500));
      server.child.kill("SIGTERM");
      // the load's requests already sent run to their answers; no new ones are started
      stop = true;
      // the upload is still in flight when the signal lands; it is finished afterwards
      await new Promise((r) => setTimeout(r, 400));
      expect(server.alive(), "the server waits for the in-flight upload").toBe(true);
      slow.finish();
      const slowAnswer = await slow.answer;
      const exit = await server.exited;
      await load;
      expect(slowAnswer.status).toBe(202);
      expect(JSON.parse(slowAnswer.body).accepted).toBe(400);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(server.stderr()).toContain('"msg":"shutting down","signal":"SIGTERM"');
      expect([...tally.statuses.keys()].filter((s) => s >= 500)).toEqual([]);

      await using restarted = await spawnServer({ dataDir });
      const versions = await request(`${restarted.url}/v1/models/term/versions`);
      const stored = new Map<string, number>(
        (versions.json.versions as Array<{ version: string; events: number }>).map((v) => [
          v.version,
          v.events,
        ]),
      );
      expect(stored.get("slow")).toBe(400);
      for (const version of ["stable", "canary"]) {
        const acked = tally.acked.get(version) ?? 0;
        expect(acked).toBeGreaterThan(0);
        expect(stored.get(version)).toBeGreaterThanOrEqual(acked);
        expect(stored.get(version)).toBeLessThanOrEqual(acked + (tally.unanswered.get(version) ?? 0));
      }
      console.log(
        `sigterm test: acked ${tally.acked.get("stable")}+${tally.acked.get("canary")} events, stored ${stored.get("stable")}+${stored.get("canary")}, unanswered ${(tally.unanswered.get("stable") ?? 0) + (tally.unanswered.get("canary") ?? 0)}, in-flight upload 400/400 stored, exit code ${exit.code}`,
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
