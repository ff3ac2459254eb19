import { describe, expect, it } from "vitest";
import { cli } from "./cli-io.js";

describe("every command checks its flags and names the bad one", () => {
  it.each([
    ["judge", ["--alpha", "0.01", "--alpha", "0.1"], "--alpha"],
    ["template", ["--model", "a", "--model", "b"], "--model"],
    ["ingest", ["f.ndjson", "--url", "http://a", "--url", "http://b"], "--url"],
    ["audit", ["verify", "--file", "a", "--file", "b"], "--file"],
    ["serve", ["--port", "1", "--port", "2"], "--port"],
  ])("%s refuses a value flag given twice instead of keeping the last", async (command, args, flag) => {
    const r = await cli([command, ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`Option '${flag}' is given twice`);
  });

  it("serve refuses a decision threshold outside (0, 1) and an unknown ignore policy, naming the setting", async () => {
    const threshold = await cli(["serve", "--decision-threshold", "2"]);
    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toBe(
      'modelgate serve: invalid setting --decision-threshold: must be a number in (0, 1), got "2"\n',
    );
    const env = await cli(["serve"], { env: { MODELGATE_DECISION_THRESHOLD: "0" } });
    expect(env.stderr).toBe(
      'modelgate serve: invalid setting MODELGATE_DECISION_THRESHOLD: must be a number in (0, 1), got "0"\n',
    );
    const policy = await cli(["serve"], { env: { MODELGATE_UNKNOWN_EVENT_FIELDS: "drop" } });
    expect(policy.code).toBe(2);
    expect(policy.stderr).toBe(
      'modelgate serve: invalid setting MODELGATE_UNKNOWN_EVENT_FIELDS: must be one of reject, ignore, got "drop"\n',
    );
  });
});
