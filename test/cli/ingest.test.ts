import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { startTestServer } from "../ui/server-harness.js";
import { cli } from "./cli-io.js";
import { tempDir, writeFile } from "./predictions-fixture.js";

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = (i: number, version = "v1") =>
  JSON.stringify({
    model: "ingest-test",
    version,
    id: `r${i}`,
    score: (i % 100) / 100,
    latencyMs: 10 + (i % 7),
  });

describe("modelgate ingest", () => {
  it("streams a long file, shows progress lines off a terminal, reports accepted and rejected lines", async () => {
    await using env = await startTestServer();
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(event(i));
    lines[2] = '{"model":"ingest-test","version":"v1","score":"high"}';
    lines[4] = "{not json";
    const file = writeFile(dir, "events.ndjson", `${lines.join("\n")}\n`);
    const r = await cli(["ingest", file, "--url", env.server.url]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file}: accepted 19998, rejected 2`);
    expect(r.stdout).toMatch(new RegExp(`${file}:3: score: `));
    expect(r.stdout).toMatch(new RegExp(`${file}:5: `));
    // one line per 10% step, in order, ending at 100%
    const steps = [...r.stderr.matchAll(/^sent (\d+)% /gm)].map((m) => Number(m[1]));
    expect(steps.at(-1)).toBe(100);
    expect(steps.length).toBeGreaterThanOrEqual(3);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(new Set(steps).size).toBe(steps.length);
    // the store holds what was accepted
    const versions = (await (await fetch(`${env.server.url}/v1/models/ingest-test/versions`)).json()) as {
      versions: Array<{ version: string; events: number }>;
    };
    expect(versions.versions.find((v) => v.version === "v1")?.events).toBe(19_998);
  });

  it("draws a bar on a terminal and sends outcomes to /v1/outcomes", async () => {
    await using env = await startTestServer();
    const events = writeFile(dir, "few.ndjson", `${[0, 1, 2].map((i) => event(i, "v2")).join("\n")}\n`);
    expect((await cli(["ingest", events, "--url", env.server.url])).code).toBe(0);
    const outcomes = writeFile(
      dir,
      "outcomes.ndjson",
      `${[0, 1, 2].map((i) => JSON.stringify({ model: "ingest-test", id: `r${i}`, label: i % 2 })).join("\n")}\n`,
    );
    const r = await cli(["ingest", outcomes, "--outcomes", "--url", env.server.url, "--json"], { tty: true });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ accepted: 3, rejected: 0, outcomes: { joined: 3 } });
    expect(r.stderr).toMatch(/\r\[#{30}\] 100% /);
    expect(r.stderr.endsWith("\n")).toBe(true);
  });

  it("sends the bearer token, and reports a refusal without one (exit 2)", async () => {
    await using env = await startTestServer({ tokens: "loader ingest s3cret-token-0123456789" });
    const lines: string[] = [];
    for (let i = 0; i < 5000; i++) lines.push(event(i));
    const file = writeFile(dir, "auth.ndjson", `${lines.join("\n")}\n`);
    const refused = await cli(["ingest", file, "--url", env.server.url]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("answered 401");
    const ok = await cli(["ingest", file, "--url", env.server.url], {
      env: { MODELGATE_API_TOKEN: "s3cret-token-0123456789" },
    });
    expect(ok.stdout).toContain("accepted 5000, rejected 0");
    expect(ok.code).toBe(0);
  });

  it("fails with exit 2 and a clear message when the server or file is missing", async () => {
    const file = writeFile(dir, "one.ndjson", `${event(1)}\n`);
    const down = await cli(["ingest", file, "--url", "http://127.0.0.1:9"]);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain("cannot reach http://127.0.0.1:9/v1/events");
    const missing = await cli(["ingest", `${dir}/absent.ndjson`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("absent.ndjson: no such file");
    const none = await cli(["ingest"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("expects exactly one FILE");
  });

  it("reads a CSV file as modelgate judge does and keeps its line numbers in the server's answer", async () => {
    await using env = await startTestServer();
    const csv = [
      "model,version,id,score,label,latencyMs,group.sex,feature.age",
      "ingest-csv,v1,a1,0.4,1,12,f,31",
      "",
      'ingest-csv,v1,a2,high,0,3,"m",40',
      "ingest-csv,v1,a3,0.2,,3,m,",
    ].join("\n");
    const file = writeFile(dir, "events.csv", `${csv}\n`);
    const r = await cli(["ingest", file, "--url", env.server.url]);
    expect(r.stdout).toBe(`${file}: accepted 2, rejected 1\n${file}:4: score: must be a finite number\n`);
    expect(r.code).toBe(1);
    const versions = (await (await fetch(`${env.server.url}/v1/models/ingest-csv/versions`)).json()) as {
      versions: Array<{ version: string; events: number; labelled: number }>;
    };
    expect(versions.versions.map((v) => [v.version, v.events, v.labelled])).toEqual([["v1", 2, 1]]);
    // outcomes too, and --format for a file whose extension does not tell
    const outcomes = writeFile(dir, "labels.txt", "model,id,label\ningest-csv,a3,0\n");
    const o = await cli([
      "ingest",
      outcomes,
      "--outcomes",
      "--format",
      "csv",
      "--url",
      env.server.url,
      "--json",
    ]);
    expect(JSON.parse(o.stdout)).toMatchObject({ accepted: 1, outcomes: { joined: 1 } });
  });

  it("refuses up front what it cannot send: a judge file without model/version, a misspelt column, an empty file", async () => {
    const refused = async (name: string, text: string, message: string) => {
      const file = writeFile(dir, name, text);
      // nothing listens on port 9: a refusal must come before any request
      const r = await cli(["ingest", file, "--url", "http://127.0.0.1:9"]);
      expect(r.code, name).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`modelgate ingest: ${file}${message}\n`);
    };
    const judgeRows = [
      "score,label,latencyMs",
      ...Array.from({ length: 5000 }, (_, i) => `0.${i % 10},${i % 2},12`),
    ];
    await refused(
      "base.csv",
      `${judgeRows.join("\n")}\n`,
      ':1: no "model" and "version" columns: every row sent to the server names its model and version (a file for modelgate judge may leave them out)',
    );
    await refused(
      "typo.csv",
      "model,version,score,lable,latency_ms\nm,v,0.1,1,3\n",
      ':1: unknown column "lable" (did you mean label?); unknown column "latency_ms" (did you mean latencyMs?); columns: model, version, id, ts, score, label, decision, latencyMs, error, group.<attribute>, feature.<name>',
    );
    await refused("cells.csv", "model,version,score\nm,v,0.1\nm,v\n", ":3: 2 cells where the header has 3");
    // one message for an empty file, whatever its format (and modelgate judge says the same)
    await refused("empty.csv", "", ": empty file (no rows)");
    await refused("header-only.csv", "model,version,score\n", ": empty file (no rows)");
    await refused("empty.ndjson", "", ": empty file (no rows)");
    await refused("blank.ndjson", "\n  \n", ": empty file (no rows)");
    const url = await cli(["ingest", writeFile(dir, "u.ndjson", `${event(1)}\n`), "--url", "localhost:8080"]);
    expect(url.stderr).toBe('modelgate ingest: --url must be an http(s) URL, got "localhost:8080"\n');
  });

  it("says which fields the server ignored when it is set to ignore unknown fields", async () => {
    await using env = await startTestServer({ unknownEventFields: "ignore" });
    const file = writeFile(
      dir,
      "extra.ndjson",
      `${JSON.stringify({ model: "ingest-x", version: "v1", score: 0.3, lable: 1 })}\n`,
    );
    const r = await cli(["ingest", file, "--url", env.server.url]);
    expect(r.stdout).toBe(
      `${file}: accepted 1, rejected 0\n${file}: fields not stored (the server ignores unknown fields): lable on 1 line\n`,
    );
    expect(r.code).toBe(0);
  });
});
