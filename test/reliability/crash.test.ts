import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyAuditFile } from "../../src/judge/audit-file.js";
import { request, spawnServer } from "../helpers/server-process.js";
import { newTally, runLoad } from "./load.js";

const TOKENS =
  "ingester ingest ingest-token-crash-0123456789;argo judge judge-token-crash-0123456789;viewer read read-token-crash-0123456789;ops admin admin-token-crash-0123456789";
const H = {
  ingest: { authorization: "Bearer ingest-token-crash-0123456789" },
  judge: { authorization: "Bearer judge-token-crash-0123456789" },
  read: { authorization: "Bearer read-token-crash-0123456789" },
  admin: { authorization: "Bearer admin-token-crash-0123456789" },
};

describe("crash: repeated SIGKILL during sustained ingestion and judging", () => {
  it("after each restart every acknowledged event is counted, erasures hold and both audit chains verify", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "modelgate-crash-"));
    const tally = newTally();
    const env = { MODELGATE_TOKENS: TOKENS, MODELGATE_SNAPSHOT_SECONDS: "1" };
    const rounds: string[] = [];
    try {
      for (let round = 0; round < 3; round++) {
        const server = await spawnServer({ dataDir, env });
        let stop = false;
        const load = runLoad({
          url: () => server.url,
          model: "crash",
          stop: () => stop,
          tally,
          headers: H,
          ingesters: 3,
          judges: 2,
          runKey: "crash-run",
        });
        // an erasure under load: a side model stored, then erased (admin audit record)
        const side = `side-${round}`;
        const sideIngest = await request(`${server.url}/v1/events`, {
          method: "POST",
          body: JSON.stringify([{ model: side, version: "v", ts: Date.now(), score: 0.5 }]),
          headers: { "content-type": "application/json", ...H.ingest },
        });
        expect(sideIngest.status).toBe(202);
        const erased = await request(`${server.url}/v1/models/${side}`, {
          method: "DELETE",
          headers: H.admin,
        });
        expect(erased.status).toBe(200);
        expect(erased.json.audit.seq).toBe(round + 1);
        // kill mid-flight, at a different moment each round (snapshots run every second)
        await new Promise((r) => setTimeout(r, 1200 + round * 450));
        server.child.kill("SIGKILL");
        expect((await server.exited).signal).toBe("SIGKILL");
        stop = true;
        await load;

        await using restarted = await spawnServer({ dataDir, env, readyHeaders: H.read });
        const versions = await request(`${restarted.url}/v1/models/crash/versions`, { headers: H.read });
        expect(versions.status).toBe(200);
        const stored = new Map<string, number>(
          (versions.json.versions as Array<{ version: string; events: number }>).map((v) => [
            v.version,
            v.events,
          ]),
        );
        for (const version of ["stable", "canary"]) {
          const acked = tally.acked.get(version) ?? 0;
          const maybe = tally.unanswered.get(version) ?? 0;
          expect(acked, "some events were acknowledged").toBeGreaterThan(0);
          // nothing acknowledged is lost; at most the unanswered batches were stored besides
          expect(stored.get(version), `${version} after kill ${round + 1}`).toBeGreaterThanOrEqual(acked);
          expect(stored.get(version)).toBeLessThanOrEqual(acked + maybe);
        }
        for (let r = 0; r <= round; r++) {
          expect(
            (await request(`${restarted.url}/v1/models/side-${r}/versions`, { headers: H.read })).status,
          ).toBe(404);
        }
        expect(verifyAuditFile(join(dataDir, "admin", "audit.jsonl"))).toMatchObject({
          ok: true,
          records: round + 1,
        });
        const audit = verifyAuditFile(join(dataDir, "judge", "audit.jsonl"));
        expect(audit.ok, JSON.stringify(audit.error)).toBe(true);
        expect(audit.records).toBeGreaterThanOrEqual(tally.judgementsAcked);
        const history = await request(`${restarted.url}/v1/judgements?model=crash&limit=10000`, {
          headers: H.read,
        });
        expect(history.json.judgements.length).toBe(audit.records);
        rounds.push(
          `kill ${round + 1}: acked ${tally.acked.get("stable")}+${tally.acked.get("canary")} events, stored ${stored.get("stable")}+${stored.get("canary")}, unanswered ${(tally.unanswered.get("stable") ?? 0) + (tally.unanswered.get("canary") ?? 0)}, judgements acked ${tally.judgementsAcked}, audit records ${audit.records}`,
        );
      }
      // the load never saw a server error, only answers and cut connections
      expect([...tally.statuses.keys()].filter((s) => s >= 500)).toEqual([]);
      console.log(`crash test\n  ${rounds.join("\n  ")}`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
