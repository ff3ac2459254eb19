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
});
