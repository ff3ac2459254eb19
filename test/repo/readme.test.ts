import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseDockerfile, runCommands } from "../manifests/dockerfile.js";

const ROOT = join(import.meta.dirname, "..", "..");
const read = (file: string) => readFileSync(join(ROOT, file), "utf8");

/** The packages an `apt-get install` command names (options left out). */
const aptPackages = (command: string) =>
  command
    .replace(/^.*apt-get install\s+/, "")
    .split(/\s+/)
    .filter((w) => w && !w.startsWith("-"));

describe("README's development prerequisites", () => {
  it("name the toolchain npm ci needs to build better-sqlite3 from source, as the Dockerfile installs it", () => {
    const development = read("README.md").split("## Development")[1]!.split("\n## ")[0]!;
    const dockerToolchain = parseDockerfile(read("Dockerfile"))
      .filter((s) => runCommands(s).some((c) => c.startsWith("npm ci")))
      .flatMap((s) =>
        runCommands(s)
          .filter((c) => c.includes("apt-get install"))
          .flatMap(aptPackages),
      );
    expect(new Set(dockerToolchain)).toEqual(new Set(["python3", "make", "g++"]));
    expect(development).toMatch(/better-sqlite3/);
    const named = development.match(/apt-get install -y python3 make g\+\+/);
    expect(named, "an apt-get line with the same packages").not.toBeNull();
    for (const p of dockerToolchain) expect(development).toContain(p);
    // and better-sqlite3 is what needs them: a native addon among the dependencies
    const pkg = JSON.parse(read("package.json")) as { dependencies: Record<string, string> };
    expect(pkg.dependencies["better-sqlite3"]).toBeDefined();
  });
});
