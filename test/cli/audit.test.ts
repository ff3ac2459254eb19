import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fileAuditStorage } from "../../src/judge/audit-file.js";
import { JudgementHistory } from "../../src/judge/history.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { cli, cliProcess } from "./cli-io.js";
import { tempDir } from "./predictions-fixture.js";

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function response(look: number): JudgeResponse {
  return {
    summary: { verdict: "inconclusive", pass: false, score: 0, reason: "waiting" },
    gates: {},
    judgement: {
      id: "",
      model: "m",
      baseline: "a",
      candidate: "b",
      window: "2026-01-01T00:00:00.000Z/2026-01-01T01:00:00.000Z",
      look,
      runKey: "m/a/b",
      alpha: 0.05,
      gateAlpha: 0.05,
      source: "embedded",
      at: "2026-01-01T01:00:00.000Z",
    },
  };
}

describe("modelgate audit verify", () => {
  const dataDir = join(dir, "data");
  const log = join(dataDir, "judge", "audit.jsonl");
  const history = new JudgementHistory(fileAuditStorage(log));
  const ids = [1, 2, 3].map((look) => history.record("m/a/b#all", response(look)).judgement.id);

  it("reports an intact chain with its record count and head (exit 0)", async () => {
    const r = await cli(["audit", "verify", "--data-dir", dataDir]);
    expect(r.code).toBe(0);
    const head = JSON.parse(readFileSync(log, "utf8").trim().split("\n")[2]).hash as string;
    expect(r.stdout).toBe(`${log}: intact, 3 records, head ${head}\n`);
    expect(ids[2]).toBe(`j-${head.slice(0, 20)}`);
    const json = await cli(["audit", "verify", "--file", log, "--json"], {});
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, records: 3, head });
  });

  it("finds the line of an altered record (exit 1, also as a real process)", async () => {
    const copy = join(dir, "tampered.jsonl");
    const lines = readFileSync(log, "utf8").split("\n");
    lines[1] = lines[1].replace('"reason":"waiting"', '"reason":"all good"');
    writeFileSync(copy, lines.join("\n"));
    const r = await cli(["audit", "verify", "--file", copy]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${copy}:2: BROKEN: hash does not match the record's content`);
    expect(r.stdout).toContain("1 records verified before it");
    expect(cliProcess(["audit", "verify", "--file", copy]).code).toBe(1);
  });

  it("uses MODELGATE_DATA_DIR, and answers a missing log or subcommand with exit 2", async () => {
    expect((await cli(["audit", "verify"], { env: { MODELGATE_DATA_DIR: dataDir } })).code).toBe(0);
    const missing = await cli(["audit", "verify", "--data-dir", join(dir, "nowhere")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("does not exist");
    expect((await cli(["audit"])).stderr).toContain("missing subcommand: verify");
    expect((await cli(["audit", "check"])).code).toBe(2);
  });
});
