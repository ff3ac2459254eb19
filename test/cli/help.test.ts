import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { SETTINGS } from "../../src/config.js";
import { build, one, ROOT } from "../manifests/kustomize.js";
import { cli } from "./cli-io.js";

/** Every MODELGATE_* name the sources read, with the files that read it. */
function variablesInSources(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) {
        for (const m of readFileSync(path, "utf8").matchAll(/\bMODELGATE_[A-Z0-9_]*[A-Z0-9]\b/g)) {
          found.set(m[0], [...(found.get(m[0]) ?? []), relative(ROOT, path)]);
        }
      }
    }
  };
  walk(join(ROOT, "src"));
  return found;
}

/** Variables of the client commands (not the service), each documented in its command's help. */
const CLIENT_VARIABLES: Record<string, string> = {
  MODELGATE_URL: "ingest",
  MODELGATE_API_TOKEN: "ingest",
};

describe("modelgate serve --help", () => {
  it("lists every setting of src/config.ts with its flag, variable and default", async () => {
    const { code, stdout } = await cli(["serve", "--help"]);
    expect(code).toBe(0);
    expect(stdout).not.toContain("[object Object]");
    for (const s of SETTINGS) {
      const line = stdout.split("\n").find((l) => l.startsWith(`  --${s.flag} `));
      expect(line, s.flag).toBeDefined();
      expect(line).toContain(`env ${s.env}`);
      if (s.defaultHelp !== undefined) expect(line).toContain(`default ${s.defaultHelp}]`);
      else if (s.default === undefined) expect(line).not.toContain("default");
      else expect(line).toContain(`default ${String(s.default)}]`);
    }
    // the naming contract's default is an object: help says what it is, in words
    expect(stdout).toMatch(/--prometheus-naming .*default the built-in names of docs\/prometheus\.md\]/);
  });

  it("is the settings table: every MODELGATE_* variable the service reads is a setting in it", async () => {
    const { stdout: serveHelp } = await cli(["serve", "--help"]);
    const unlisted: string[] = [];
    for (const [name, files] of variablesInSources()) {
      const client = CLIENT_VARIABLES[name];
      if (client) {
        const { stdout } = await cli([client, "--help"]);
        expect(stdout, `${client} --help names ${name}`).toContain(name);
      } else if (!serveHelp.includes(`env ${name}`)) unlisted.push(`${name} (${files.join(", ")})`);
    }
    expect(unlisted).toEqual([]);
    // the Kubernetes client's settings are among them (they were read beside the table before)
    expect(serveHelp).toMatch(/--kubeconfig .*env MODELGATE_KUBECONFIG\]/);
    expect(serveHelp).toMatch(/--kube-timeout-ms .*env MODELGATE_KUBE_TIMEOUT_MS, default 2000\]/);
  });
});

describe("modelgate audit --help", () => {
  it("shows kubectl commands that fit manifests/base: namespace, Deployment, data directory, start command", async () => {
    const { stdout } = await cli(["audit", "--help"]);
    const base = build("base");
    const deployment = one(base, "Deployment");
    const dataDir = one(base, "ConfigMap", "modelgate").data.MODELGATE_DATA_DIR as string;
    const kubectl = stdout.split("\n").filter((l) => l.trim().startsWith("kubectl"));
    expect(kubectl.length).toBeGreaterThan(0);
    for (const line of kubectl) {
      expect(line).toContain(
        `-n ${deployment.metadata.namespace} exec deploy/${deployment.metadata.name} -- `,
      );
      for (const path of line.match(/\/\S+\/judge\/audit\.jsonl/g) ?? [])
        expect(path).toBe(`${dataDir}/judge/audit.jsonl`);
    }
    // the image's CMD starts the CLI the same way the first command does
    const cmd = /^CMD (\[.*\])$/m.exec(readFileSync(join(ROOT, "Dockerfile"), "utf8"))![1]!;
    const [node, main] = JSON.parse(cmd) as string[];
    expect(kubectl[0]).toContain(`-- ${node} ${main} audit verify`);
    expect(stdout).not.toMatch(/modelgate-0|:\/data\//);
  });
});
