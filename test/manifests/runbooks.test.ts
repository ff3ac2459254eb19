/**
 * docs/runbooks/: every alert of the shipped PrometheusRule links a page that exists and names it;
 * every page has the same parts; what the pages tell an on-call engineer to type is real (PromQL
 * that parses and reads known series, modelgate flags its --help lists, API paths docs/api.md
 * documents, `kubectl argo rollouts` subcommands that exist, links that resolve).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run.js";
import { build, ROOT } from "./kustomize.js";
import { promtoolCheckRules } from "./validate.js";

const RUNBOOKS = join(ROOT, "docs", "runbooks");
const DEFAULT_BASE = "https://github.com/modelgate/modelgate/blob/main";
const SECTIONS = ["Symptoms", "Check", "Decide", "Who to tell", "Close"];

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  annotations?: Record<string, string>;
}

const rules = (): Rule[] =>
  build("monitoring")
    .find((o) => o.kind === "PrometheusRule")!
    .spec.groups.flatMap((g: { rules: Rule[] }) => g.rules);
const alerts = () => rules().filter((r) => r.alert);
const pages = () => readdirSync(RUNBOOKS).filter((f) => f.endsWith(".md") && f !== "README.md");
const read = (file: string) => readFileSync(join(RUNBOOKS, file), "utf8");
const allDocs = () => ["README.md", ...pages()].map((f) => ({ file: f, text: read(f) }));

/** Fenced blocks of a language, and the shell commands of sh blocks (continuations joined). */
function blocks(text: string, lang: string): string[] {
  return [...text.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);
}
function shellCommands(text: string): string[] {
  return blocks(text, "sh").flatMap((b) =>
    b
      .replace(/\\\n\s*/g, " ")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#")),
  );
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, "")
        .replace(/ /g, "-"),
    ),
  );
}

describe("runbook links of the alerts", () => {
  it("every alert links its page under docs/runbooks/, and the page names the alert", () => {
    expect(alerts().length).toBeGreaterThanOrEqual(12);
    for (const a of alerts()) {
      const url = a.annotations?.runbook_url ?? "";
      const m = new RegExp(`^${DEFAULT_BASE.replaceAll(".", "\\.")}/docs/runbooks/([a-z-]+\\.md)$`).exec(url);
      expect(m, `${a.alert}: runbook_url ${url}`).not.toBeNull();
      const page = m![1]!;
      expect(existsSync(join(RUNBOOKS, page)), `${a.alert}: ${page} exists`).toBe(true);
      expect(read(page), `${page} names ${a.alert}`).toContain(`\`${a.alert}\``);
    }
  });

  it("every page serves an alert, and the index lists every alert with its page", () => {
    const linked = new Set(alerts().map((a) => a.annotations!.runbook_url!.split("/").pop()));
    expect(pages().sort()).toEqual([...linked].sort());
    const index = read("README.md");
    for (const a of alerts()) {
      const row = index.split("\n").find((l) => l.startsWith("|") && l.includes(`\`${a.alert}\``));
      expect(row, `README lists ${a.alert}`).toBeDefined();
      expect(row).toContain(`(${a.annotations!.runbook_url!.split("/").pop()})`);
    }
  });

  it("docs/kubernetes.md's alert table names every alert the PrometheusRule has, and no other", () => {
    const text = readFileSync(join(ROOT, "docs", "kubernetes.md"), "utf8");
    const table = text.slice(text.indexOf("| alert | fires when |"));
    const rows = table.slice(0, table.search(/\n\s*\n/));
    const named = new Set([...rows.matchAll(/`(ModelGate\w+)`/g)].map((m) => m[1]));
    expect([...named].sort()).toEqual(
      alerts()
        .map((a) => a.alert)
        .sort(),
    );
  });

  it("docs/operations.md links the runbooks", () => {
    expect(readFileSync(join(ROOT, "docs", "operations.md"), "utf8")).toContain("(runbooks/README.md)");
  });
});

describe("runbook pages", () => {
  it("each has Symptoms, Check, Decide, Who to tell and Close, in that order", () => {
    for (const page of pages()) {
      const headings = [...read(page).matchAll(/^## (.+)$/gm)].map((m) => m[1]);
      expect(headings, page).toEqual(SECTIONS);
    }
  });

  it("quote outputs, not placeholders", () => {
    for (const { file, text } of allDocs()) expect(text, file).not.toMatch(/@@|TODO|XXX/);
  });

  it("link files and headings that exist", () => {
    for (const { file, text } of allDocs()) {
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^https?:/.test(target)) continue;
        const [path, anchor] = target.split("#");
        const abs = path ? resolve(RUNBOOKS, path) : join(RUNBOOKS, file);
        expect(existsSync(abs), `${file} → ${target}`).toBe(true);
        if (anchor) expect(anchors(readFileSync(abs, "utf8")).has(anchor), `${file} → ${target}`).toBe(true);
      }
    }
  });

  it("give PromQL that parses and reads series modelgate documents or the rule records", () => {
    const known = new Set([
      ...[
        ...readFileSync(join(ROOT, "docs", "kubernetes.md"), "utf8").matchAll(
          /^\| `(modelgate_[a-z0-9_]+)`/gm,
        ),
      ].map((m) => m[1]!),
      ...[
        ...readFileSync(join(ROOT, "docs", "prometheus.md"), "utf8").matchAll(
          /^\| `(modelgate_[a-z0-9_]+)`/gm,
        ),
      ].map((m) => m[1]!),
      ...rules().flatMap((r) => (r.record ? [r.record] : [])),
      "up",
    ]);
    const queries = allDocs().flatMap(({ file, text }) =>
      blocks(text, "promql").map((q) => ({ file, q: q.trim() })),
    );
    expect(queries.length).toBeGreaterThanOrEqual(10);
    for (const { file, q } of queries) {
      for (const m of q.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)) {
        const name = m[1]!.replace(/_(bucket|sum|count)$/, "");
        if (["by", "without", "on", "ignoring"].includes(name)) continue;
        expect(known.has(name), `${file}: ${name} in ${q}`).toBe(true);
      }
    }
    const { ok, output } = promtoolCheckRules([
      { name: "runbooks", rules: queries.map(({ q }, i) => ({ record: `runbook:query_${i}`, expr: q })) },
    ]);
    expect(output).toContain(`SUCCESS: ${queries.length} rules found`);
    expect(ok).toBe(true);
  });

  it("use modelgate options that the command's --help lists", async () => {
    const helpOf = new Map<string, string>();
    let checked = 0;
    for (const { file, text } of allDocs()) {
      for (const line of shellCommands(text)) {
        const m =
          /(?:^|[\s;&|(])(?:modelgate|node dist\/src\/cli\/main\.js) (serve|judge|ingest|template|audit)\b(.*)$/.exec(
            line,
          );
        if (!m) continue;
        const command = m[1]!;
        if (!helpOf.has(command)) {
          let out = "";
          const io = { env: {}, stdout: (s: string) => (out += s), stderr: (s: string) => (out += s) };
          await runCli([command, ...(command === "audit" ? ["verify"] : []), "--help"], io);
          helpOf.set(command, out);
        }
        for (const flag of m[2]!.match(/--[a-z][a-z-]*/g) ?? []) {
          expect(helpOf.get(command), `${file}: modelgate ${command} ${flag}`).toContain(`${flag} `);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it("call API paths that docs/api.md documents", () => {
    const api = readFileSync(join(ROOT, "docs", "api.md"), "utf8");
    // First cell of each endpoint row: `POST /v1/judge`, `GET /v1/judge?…`, `/ui/models/{model}`, …
    const routes = [...api.matchAll(/^\| (`[^|]*`) \|/gm)]
      .flatMap((m) =>
        [...m[1]!.matchAll(/`(?:(?:GET|POST|PUT|DELETE) )?(\/[^`?]*)[^`]*`/g)].map((x) => x[1]!),
      )
      .map((r) => new RegExp(`^${r.replace(/\{[a-z]+\}/g, "[^/]+")}$`));
    expect(routes.length).toBeGreaterThanOrEqual(15);
    let checked = 0;
    for (const { file, text } of allDocs()) {
      for (const m of text.matchAll(/\$MG(\/[^"?\s]*)/g)) {
        const path = m[1]!.replace(/<[a-z]+>/g, "x");
        expect(
          routes.some((r) => r.test(path)),
          `${file}: ${path}`,
        ).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });

  it("use `kubectl argo rollouts` subcommands the plugin has", () => {
    // The plugin's commands (argo-rollouts pkg/kubectl-argo-rollouts/cmd).
    const plugin = new Set([
      "abort",
      "create",
      "dashboard",
      "get",
      "lint",
      "list",
      "pause",
      "promote",
      "restart",
    ]);
    for (const c of ["resume", "retry", "set", "status", "terminate", "undo", "version"]) plugin.add(c);
    let checked = 0;
    for (const { file, text } of allDocs()) {
      for (const m of text.matchAll(/kubectl argo rollouts (?:-n [\w-]+ )?([a-z]+)/g)) {
        expect(plugin.has(m[1]!), `${file}: kubectl argo rollouts ${m[1]}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(15);
  });
});
