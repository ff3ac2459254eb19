import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  differences,
  generateDocExamples,
  normalise,
  REGENERATE,
  readBlocks,
  writeBlocks,
} from "../../scripts/docs-examples.js";
import { build } from "../manifests/kustomize.js";

describe("scripts/docs-examples.ts", () => {
  it("sets aside times, ids, hashes, ports and run durations, and nothing else", () => {
    const a =
      "2026-11-25T15:21:24.147Z j-022e4e7004f87a981f5c http://127.0.0.1:41415 (pid 15609) /tmp/modelgate-quickstart.cIs4E1 <!-- took -->18 s<!-- /took --> p95 85.6 ms, intact, 2 records, head 457e8935ddb88e7cd777cf5bad3a73e84557d1c5e734e2bef87f272df3b0d3e9";
    const b =
      "2026-12-07T09:00:01.002Z j-9999e4e7004f87a981f5 http://127.0.0.1:8080 (pid 7) /tmp/modelgate-quickstart.Zz9 <!-- took -->41 s<!-- /took --> p95 85.6 ms, intact, 2 records, head 0000000000000000000000000000000000000000000000000000000000000000";
    expect(normalise(a)).toBe(normalise(b));
    // a verdict, a statistic or a count is never set aside
    expect(normalise(a.replace("85.6 ms", "85.7 ms"))).not.toBe(normalise(b));
    expect(normalise(a.replace("2 records", "3 records"))).not.toBe(normalise(b));
    // the wait an inconclusive answer names follows the wall clock; how much more data does not
    const wait = (more: string, time: string, rate: string) =>
      `about ${more} more labelled outcomes needed at the current estimate; ≈ ${time} more at the candidate's ${rate} labelled outcomes/s so far`;
    expect(normalise(wait("5,147", "7 min", "14"))).toBe(normalise(wait("5,147", "6 min", "13.5")));
    expect(normalise(wait("5,147", "7 min", "14"))).not.toBe(normalise(wait("5,148", "7 min", "14")));
  });

  it("reads and rewrites only the named blocks between the markers", () => {
    const page = [
      "intro",
      "<!-- docs-example one -->",
      "```text",
      "old one",
      "```",
      "<!-- /docs-example -->",
      "between",
      "<!-- docs-example two -->",
      "old two",
      "<!-- /docs-example -->",
      "end",
    ].join("\n");
    expect([...readBlocks(page)]).toEqual([
      ["one", "```text\nold one\n```\n"],
      ["two", "old two\n"],
    ]);
    const written = writeBlocks(page, new Map([["two", "new two\n"]]));
    expect(readBlocks(written).get("one")).toBe("```text\nold one\n```\n");
    expect(readBlocks(written).get("two")).toBe("new two\n");
    expect(written.startsWith("intro\n")).toBe(true);
    expect(written.endsWith("\nend")).toBe(true);
  });
});

describe("docs/quickstart.md and docs/walkthrough.md", () => {
  // Runs every documented command against the real server and CLI: minutes on two busy cores.
  it(
    "quote the output a fresh run of their commands prints",
    async () => {
      const fresh = await generateDocExamples();
      expect(fresh.get("docs/quickstart.md")!.size).toBeGreaterThanOrEqual(10);
      const out = differences(fresh);
      expect(out, `docs out of date: run ${REGENERATE} and commit the pages`).toEqual([]);
    },
    15 * 60_000,
  );
});

describe("docs/walkthrough.md", () => {
  it("lists the AnalysisTemplates manifests/templates installs", () => {
    const page = readFileSync(join(import.meta.dirname, "..", "..", "docs", "walkthrough.md"), "utf8");
    const listed = /^# (modelgate-all .*)$/m.exec(page)![1]!.split(/\s+/).sort();
    expect(listed).toEqual(
      build("templates")
        .map((t) => t.metadata.name)
        .sort(),
    );
  });
});
