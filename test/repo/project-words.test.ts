import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
/** Not the project's own words: dependencies, build output, and third-party files copied verbatim. */
const SKIP = new Set([
  "node_modules",
  "dist",
  ".git",
  "coverage",
  "test-artifacts",
  "data",
  "test/fixtures/schemas",
]);
const THIS_FILE = relative(ROOT, import.meta.filename);
const TEXT = /\.(ts|js|mjs|md|ya?ml|json|sh|py|txt|html)$|^(Dockerfile|\.dockerignore|\.gitignore)$/;

function* projectFiles(dir = ROOT): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const rel = relative(ROOT, path);
    if (SKIP.has(entry.name) || SKIP.has(rel)) continue;
    if (entry.isDirectory()) yield* projectFiles(path);
    else if (TEXT.test(entry.name) && rel !== THIS_FILE && entry.name !== "package-lock.json") yield rel;
  }
}

/**
 * Words about how the project is worked on rather than about the project: references to its
 * tracker's issues by number ("issue 10"), "the issue", work notes. An upstream reference written
 * owner/repo#N (argoproj/argo-rollouts#3850, spinnaker#6278) names a public source and is fine.
 */
const WORK_WORDS: Array<[string, RegExp]> = [
  ["an issue by number", /\bissues? ?#?\d+/i],
  ['"the issue"', /\bthe issue\b/i],
  ["work notes", /\bwork ?notes?\b/i],
  ["the issue tracker's commands", /\bissues (show|note|resolved|blocked)\b/i],
];

describe("project files speak of the project only", () => {
  it("name no tracker issue, work note or issue command", () => {
    const found: string[] = [];
    for (const file of projectFiles()) {
      readFileSync(join(ROOT, file), "utf8")
        .split("\n")
        .forEach((line, i) => {
          for (const [what, pattern] of WORK_WORDS)
            if (pattern.test(line)) found.push(`${file}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
        });
    }
    expect(found).toEqual([]);
  });

  it("would catch the words it is about (the patterns themselves)", () => {
    const hits = (line: string) => WORK_WORDS.filter(([, p]) => p.test(line)).map(([w]) => w);
    expect(hits("# Bearer tokens accepted by the API (issue 10).")).toEqual(["an issue by number"]);
    expect(hits("the A/B regressions of the issue")).toEqual(['"the issue"']);
    expect(hits("fixed upstream: argoproj/argo-rollouts#3850")).toEqual([]);
  });
});
