import { describe, expect, it } from "vitest";
import { cli } from "./cli-io.js";

const COMMANDS = ["serve", "judge", "ingest", "template", "plan", "audit", "evidence"];

describe("modelgate command dispatch", () => {
  it("lists every command in the root help", async () => {
    const r = await cli(["--help"]);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} +\\S`, "m"));
  });

  it("answers a missing or unknown command with usage and exit 2", async () => {
    expect((await cli([])).code).toBe(2);
    const r = await cli(["jduge"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command "jduge"');
  });

  it.each(COMMANDS)("%s --help shows usage and examples, exit 0", async (c) => {
    const r = await cli([c, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: modelgate ${c}`);
    expect(r.stdout).toMatch(/Examples:\n {2}\S*modelgate /);
  });

  it.each(COMMANDS.filter((c) => c !== "serve"))("%s rejects an unknown option with exit 2", async (c) => {
    const r = await cli([c, "--no-such-option"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--no-such-option");
  });
});
