import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { headlineOf, README_END, README_START, withHeadline } from "../../bench/readme-headline.js";

const ROOT = join(import.meta.dirname, "..", "..");
const read = (...p: string[]) => readFileSync(join(ROOT, ...p), "utf8");

describe("README's headline figures", () => {
  it("are docs/BENCHMARKS.md's, as npm run bench copied them", () => {
    const lines = headlineOf(read("docs", "BENCHMARKS.md"));
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const readme = read("README.md");
    expect(readme).toContain(README_START);
    expect(
      withHeadline(readme, lines),
      "README's headline differs from docs/BENCHMARKS.md: run npm run bench",
    ).toBe(readme);
  });

  it("replace only the block between the markers, and point section references into the report", () => {
    const readme = `# x\n\nintro\n${README_START}\nold line\n${README_END}\n\n## Usage\n`;
    const report =
      "# Benchmarks\n\n## Headline figures\n\n- a (§0): 1\n- b (§1c): 2\n\n## 0. Next\n\n- not this\n";
    expect(headlineOf(report)).toEqual(["- a (§0): 1", "- b (§1c): 2"]);
    const next = withHeadline(readme, headlineOf(report));
    expect(next.startsWith("# x\n\nintro\n")).toBe(true);
    expect(next.endsWith(`${README_END}\n\n## Usage\n`)).toBe(true);
    expect(next).toContain("- a (BENCHMARKS §0): 1\n- b (BENCHMARKS §1c): 2\n");
    expect(next).not.toContain("old line");
    expect(withHeadline(next, headlineOf(report))).toBe(next);
  });
});
