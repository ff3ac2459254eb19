/**
 * The outputs quoted in docs/quickstart.md and docs/walkthrough.md, regenerated from real runs.
 *
 *   npm run docs:examples               run everything, rewrite the blocks whose output changed
 *   npm run docs:examples -- --check    run everything, write nothing, exit 1 naming what differs
 *   npm run docs:examples -- walkthrough   one page only (quickstart | walkthrough)
 *
 * A generated block sits between `<!-- docs-example NAME -->` and `<!-- /docs-example -->`. The
 * commands are the documented ones: the quickstart's scripts as they ship, and the step-by-step
 * commands read from the page's own code blocks (the run fails if the page no longer shows one of
 * them), run from the repository root against a real `modelgate serve` on 127.0.0.1 (a free port
 * and a temporary directory stand in for 8080 and /tmp, and are written back as the page shows
 * them). A block is rewritten only when it differs from the fresh output once timestamps, ids,
 * hashes, ports, process ids, temporary names and run durations are set aside, so rerunning
 * changes nothing that did not change. test/docs/examples.test.ts runs the same and fails on any
 * difference. Takes 2–5 minutes on two busy cores.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { generateTraffic, type TrafficOptions } from "../examples/generate-events.js";
import { verdictEvent } from "../src/k8s/rollout-events.js";
import { startInProcess } from "../test/helpers/in-process-server.js";
import { defaults, resolveArgs } from "../test/manifests/argo.js";
import type { K8sObject } from "../test/manifests/kustomize.js";

export const ROOT = join(import.meta.dirname, "..");
export const DOCS = ["docs/quickstart.md", "docs/walkthrough.md"] as const;
export const REGENERATE = "npm run docs:examples";

// ---------------------------------------------------------------------------------------------
// Blocks: find, normalise, replace

const BLOCK = /<!-- docs-example ([a-z0-9-]+) -->\n([\s\S]*?)<!-- \/docs-example -->/g;

/** The generated blocks of a page: name → content between the markers. */
export function readBlocks(page: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const m of page.matchAll(BLOCK)) blocks.set(m[1]!, m[2]!);
  return blocks;
}

/** The page with each named block's content replaced. */
export function writeBlocks(page: string, fresh: Map<string, string>): string {
  return page.replace(BLOCK, (whole, name: string) =>
    fresh.has(name) ? `<!-- docs-example ${name} -->\n${fresh.get(name)}<!-- /docs-example -->` : whole,
  );
}

/**
 * What may differ between two runs of the same commands: wall-clock times and the values derived
 * from them (timestamps, judgement ids, the audit chain's hashes, the candidate's rate so far and
 * the time an inconclusive answer says it needs at that rate), ports, process ids, temporary
 * names, and how long a run took. Everything else (verdicts, reasons, statistics, counts) must
 * match.
 */
export function normalise(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "<time>")
    .replace(/\bj-[0-9a-f]{20}\b/g, "<judgement>")
    .replace(/\b[0-9a-f]{64}\b/g, "<hash>")
    .replace(/\b(127\.0\.0\.1|localhost):\d+/g, "$1:<port>")
    .replace(/\(pid \d+\)/g, "(pid <pid>)")
    .replace(/modelgate-quickstart\.[A-Za-z0-9]+/g, "modelgate-quickstart.<tmp>")
    .replace(/<!-- took -->[^<]*<!-- \/took -->/g, "<took>")
    .replace(/≈ [^;,]+? more at the candidate's [\d.,]+ /g, "≈ <duration> more at the candidate's <rate> ");
}

// ---------------------------------------------------------------------------------------------
// Running things

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function sh(script: string, opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}) {
  return new Promise<Run>((resolve, reject) => {
    const started = performance.now();
    const child = spawn("bash", ["-c", script], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: opts.timeoutMs ?? 300_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.once("error", reject);
    child.once("close", (code) =>
      resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 }),
    );
  });
}

function expectCode(what: string, run: Run, codes: number[]): Run {
  if (run.code === null || !codes.includes(run.code))
    throw new Error(`${what} exited ${run.code}:\n${run.stdout}\n${run.stderr}`.slice(-6000));
  return run;
}

/**
 * One HTTP request on a connection of its own (as Argo's web provider and curl make them): no
 * keep-alive socket the server may close just as a busy client reuses it.
 */
function httpRequest(
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        text += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs of "sent N% (…)" progress lines folded to the first, "…", and the last. */
function foldProgress(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; ) {
    if (!lines[i]!.startsWith("sent ")) {
      out.push(lines[i++]!);
      continue;
    }
    let j = i;
    while (j < lines.length && lines[j]!.startsWith("sent ")) j++;
    out.push(lines[i]!, ...(j - i > 2 ? ["…"] : []), ...(j - i > 1 ? [lines[j - 1]!] : []));
    i = j;
  }
  return out;
}

/** A fenced block of output (trailing spaces, invisible on the page, left out). */
const fence = (lang: string, body: string) =>
  `\`\`\`${lang}\n${body.replace(/[ \t]+$/gm, "").replace(/\n+$/, "")}\n\`\`\`\n`;

// ---------------------------------------------------------------------------------------------
// docs/quickstart.md

/** `examples/quickstart.sh …` as a reader runs it; the temporary directory shown under /tmp. */
async function quickstartScript(args: string, env: Record<string, string>, work: string) {
  const dir = mkdtempSync(join(work, "qs-"));
  const run = expectCode(
    `examples/quickstart.sh ${args}`,
    await sh(`examples/quickstart.sh ${args}`, { env: { ...env, PORT: "0", TMPDIR: dir } }),
    [0],
  );
  const stdout = run.stdout
    .replaceAll(`${dir}/`, "/tmp/")
    .replace(/http:\/\/127\.0\.0\.1:\d+/g, "http://127.0.0.1:8080");
  return { ...run, stdout };
}

/** The verdict lines of the EVENTS=5000 run: the good candidate's judgement, then the bad one's decision. */
function inconclusiveExcerpt(stdout: string): string {
  const lines = stdout.split("\n");
  const firstJudge = lines.findIndex((l) => l.startsWith("==> curl"));
  const secondJudge = lines.findIndex((l, i) => i > firstJudge && l.startsWith("==> curl"));
  const gatesEnd = lines.findIndex((l, i) => i > firstJudge && l.startsWith("==> modelgate ingest"));
  const verdict = lines.findIndex((l, i) => i > secondJudge && l.startsWith("    verdict:"));
  const ok = lines.find((l) => l.startsWith("==> OK"));
  if ([firstJudge, secondJudge, gatesEnd, verdict].includes(-1) || !ok)
    throw new Error(`unexpected quickstart output:\n${stdout}`);
  return [...lines.slice(firstJudge, gatesEnd), "…", lines[verdict]!, lines[verdict + 1]!, ok].join("\n");
}

/** `examples/ci-gate.sh --demo NAME` in a scratch directory (it writes its files and report there). */
async function ciGateDemo(name: string, work: string) {
  const cwd = mkdtempSync(join(work, `ci-${name}-`));
  const run = expectCode(
    `examples/ci-gate.sh --demo ${name}`,
    await sh(`${join(ROOT, "examples", "ci-gate.sh")} --demo ${name}`, { cwd }),
    [0, 1],
  );
  const decisive = /^decisive: (.*)$/m.exec(run.stdout)?.[1];
  if (!decisive) throw new Error(`no decisive reason from ci-gate --demo ${name}:\n${run.stdout}`);
  return { run, decisive };
}

/** The ci-gate output with its per-gate reasons folded (the decisive one is printed above them). */
function ciGateExcerpt(stdout: string): string {
  const lines = stdout.replace(/\n+$/, "").split("\n");
  const reasons = lines.indexOf("reasons:");
  const report = lines.findIndex((l) => l.startsWith("report: "));
  return [...lines.slice(0, reasons + 1), "  …", ...lines.slice(report)].join("\n");
}

/** The table of --bad regressions with the decisive reason cell of each row from a fresh run. */
function badTable(current: string, reasons: Map<string, string>): string {
  return current
    .split("\n")
    .map((row) => {
      const name = /^\| `([a-z][a-z-]*)`/.exec(row)?.[1];
      if (!name) return row;
      const reason = reasons.get(name);
      if (!reason) throw new Error(`no run for the --bad row "${name}"`);
      const cells = row.split(" | ");
      cells[cells.length - 1] = `\`${reason}\` |`;
      return cells.join(" | ");
    })
    .join("\n");
}

/** A code block of the page that shows `command` (the step-by-step commands are read from there). */
function commandsShown(page: string, first: string): string {
  for (const m of page.matchAll(/```sh\n([\s\S]*?)```/g)) if (m[1]!.includes(first)) return m[1]!;
  throw new Error(`docs/quickstart.md shows no sh block with "${first}": update scripts/docs-examples.ts`);
}

/**
 * Section 2, "The same, step by step": the page's own commands, in order, against one server.
 * Paths under /tmp go to a private directory and 8080 to a free port, both written back.
 */
async function stepByStep(page: string, work: string, blocks: Map<string, string>) {
  const dir = join(work, "steps");
  mkdirSync(dir);
  const port = await freePort();
  const toRun = (s: string) =>
    s
      .replaceAll("/tmp/", `${dir}/`)
      .replaceAll("localhost:8080", `localhost:${port}`)
      .replace(/(serve [^\n]*)/, `$1 --port ${port}`);
  const toShow = (s: string) =>
    s.replaceAll(`${dir}/`, "/tmp/").replaceAll(`:${port}`, ":8080").replace(/\n+$/, "");
  const env = { MODELGATE_URL: `http://127.0.0.1:${port}` };

  const serve = commandsShown(page, "src/cli/main.ts serve").trim();
  // its own process group: npx and the node process it starts stop together
  const server: ChildProcess = spawn("bash", ["-c", `exec ${toRun(serve)}`], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  let log = "";
  server.stderr!.on("data", (d: Buffer) => {
    log += d.toString();
  });
  try {
    for (let i = 0; ; i++) {
      const ready = await httpRequest(`http://127.0.0.1:${port}/readyz`, { method: "GET" }).catch(
        () => undefined,
      );
      if (ready?.status === 200) break;
      if (i > 1200 || server.exitCode !== null)
        throw new Error(`the documented server did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const logLines = log.trim().split("\n");
    const listening = logLines.find((l) => l.includes('"msg":"modelgate listening"'))!;
    blocks.set("quickstart-serve", fence("text", toShow([logLines[0]!, "…", listening].join("\n"))));

    // every later block may use the alias the first one defines
    const traffic = commandsShown(page, "alias modelgate=");
    const aliases = traffic
      .split("\n")
      .filter((l) => l.startsWith("alias "))
      .join("\n");
    const inBash = async (what: string, commands: string, stderr: boolean) => {
      const run = expectCode(
        what,
        await sh(`shopt -s expand_aliases\n${aliases}\n${toRun(commands)}`, { env }),
        [0],
      );
      return toShow(stderr ? `${run.stderr}${run.stdout}` : run.stdout);
    };
    const ingested = await inBash("the traffic and ingest commands", traffic, true);
    blocks.set("quickstart-ingest", fence("text", foldProgress(ingested.split("\n")).join("\n")));

    const versions = commandsShown(page, "/v1/models/fraud/versions").trim();
    blocks.set("quickstart-versions", fence("text", await inBash(versions, versions, false)));
    const judgeGood = commandsShown(page, `"candidate":"v2"}' | jq .summary`).trim();
    blocks.set("quickstart-judge-good", fence("json", await inBash(judgeGood, judgeGood, false)));
    const judgeBad = commandsShown(page, "candidate=v3").trim();
    blocks.set("quickstart-judge-bad", fence("text", await inBash(judgeBad, judgeBad, false)));
    const audit = commandsShown(page, "modelgate audit verify").trim();
    blocks.set("quickstart-audit", fence("text", await inBash(audit, audit, false)));
  } finally {
    const exited = new Promise((r) => (server.exitCode !== null ? r(undefined) : server.once("exit", r)));
    try {
      process.kill(-server.pid!, "SIGTERM");
    } catch {
      // already gone
    }
    await exited;
  }
}

async function quickstart(work: string, log: (s: string) => void): Promise<Map<string, string>> {
  const page = readFileSync(join(ROOT, "docs", "quickstart.md"), "utf8");
  const current = readBlocks(page);
  const blocks = new Map<string, string>();

  log("docs: examples/quickstart.sh");
  const run = await quickstartScript("", {}, work);
  blocks.set("quickstart-run", fence("text", run.stdout));
  blocks.set(
    "quickstart-took",
    `One run took <!-- took -->${Math.round(run.seconds)} s<!-- /took --> on the machine this page was last generated on (two cores shared with other jobs).\n`,
  );

  log("docs: EVENTS=5000 examples/quickstart.sh --bad unfair");
  const small = await quickstartScript("--bad unfair", { EVENTS: "5000" }, work);
  blocks.set("quickstart-inconclusive", fence("text", inconclusiveExcerpt(small.stdout)));

  const reasons = new Map<string, string>();
  for (const name of ["slow", "shifted-scores", "worse-auc", "unfair", "errors"]) {
    log(`docs: examples/ci-gate.sh --demo ${name}`);
    const { run: demo, decisive } = await ciGateDemo(name, work);
    reasons.set(name, decisive);
    if (name === "worse-auc") blocks.set("quickstart-ci-gate", fence("text", ciGateExcerpt(demo.stdout)));
  }
  const table = current.get("quickstart-bad-table");
  if (!table) throw new Error("docs/quickstart.md has no quickstart-bad-table block");
  blocks.set("quickstart-bad-table", badTable(table, reasons));

  log("docs: the step-by-step commands of section 2");
  await stepByStep(page, work, blocks);
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// docs/walkthrough.md: what modelgate answers the single-gate template and puts in Events

/** The hashes the walkthrough's example output uses for the stable and the bad canary ReplicaSets. */
const STABLE = "84c2d7f4b";
const CANARY = "5d8f6c7b9";

async function walkthrough(work: string, log: (s: string) => void): Promise<Map<string, string>> {
  log("docs: the walkthrough's latency judgements");
  // the real server in this process (the judgements are what is quoted, not the process)
  const server = await startInProcess(join(work, "walkthrough"));
  try {
    return await walkthroughJudgements(server.url);
  } finally {
    await server.close();
  }
}

async function walkthroughJudgements(url: string): Promise<Map<string, string>> {
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const traffic = (only: "baseline" | "candidate"): string[] => {
    const options: TrafficOptions = {
      scenario: "slow",
      model: "fraud",
      baselineVersion: STABLE,
      candidateVersion: CANARY,
      baselineEvents: 30_000,
      candidateEvents: 30_000,
      seed: 1,
      now,
      minutes: 5,
      only,
    };
    return [...generateTraffic(options)].map((e) => JSON.stringify(e));
  };
  const post = async (lines: string[]) => {
    const res = await httpRequest(`${url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: `${lines.join("\n")}\n`,
    });
    if (res.status !== 202) throw new Error(`POST /v1/events: ${res.status} ${res.text}`);
  };
  // the request Argo makes for the background analysis's modelgate-latency metric
  const template = parse(
    readFileSync(join(ROOT, "manifests", "templates", "modelgate-latency.yaml"), "utf8"),
  ) as K8sObject;
  const metric = resolveArgs(template.spec.metrics[0], {
    ...defaults(template),
    model: "fraud",
    "stable-hash": STABLE,
    "canary-hash": CANARY,
    "rollout-namespace": "",
    "rollout-name": "",
    "modelgate-url": url,
    "api-token": "unused",
  });
  const look = async () => {
    const web = metric.provider.web;
    const res = await httpRequest(web.url, {
      method: web.method ?? "GET",
      headers: Object.fromEntries(
        (web.headers ?? []).map((h: { key: string; value: string }) => [h.key, h.value]),
      ),
      ...(web.jsonBody ? { body: JSON.stringify(web.jsonBody) } : {}),
    });
    if (res.status !== 200) throw new Error(`the modelgate-latency request answered ${res.status}`);
    return JSON.parse(res.text) as {
      summary: Record<string, unknown> & { verdict: string; reason: string };
      judgement: { baseline: string; candidate: string };
    };
  };
  await post(traffic("baseline"));
  const canary = traffic("candidate");
  // an early look, when the canary has served a few dozen requests, then one after all of them
  await post(canary.slice(0, 40));
  const early = await look();
  await post(canary.slice(40));
  const late = await look();
  if (early.summary.verdict !== "inconclusive" || late.summary.verdict !== "fail")
    throw new Error(`expected inconclusive then fail, got ${early.summary.verdict}, ${late.summary.verdict}`);

  const blocks = new Map<string, string>();
  // Argo stores the jsonPath's object as Go's encoding/json writes a map: keys sorted
  const sorted = Object.fromEntries(Object.entries(late.summary).sort(([a], [b]) => a.localeCompare(b)));
  blocks.set("walkthrough-measurement", fence("text", `Failed\t${JSON.stringify(sorted)}`));
  const inconclusive = verdictEvent(early)!;
  const failed = verdictEvent(late)!;
  const rows = [
    ["Type", "Reason", "Age", "From", "Message"],
    ["----", "------", "----", "----", "-------"],
    ["Normal", "RolloutUpdated", "9m", "rollouts-controller", "Rollout updated to revision 3"],
    [
      "Normal",
      "AnalysisRunRunning",
      "9m",
      "rollouts-controller",
      `Analysis Run 'fraud-model-${CANARY}-3' Status New: 'Running' Previous: ''`,
    ],
    [inconclusive.type, inconclusive.reason, "8m", "modelgate", inconclusive.message],
    [failed.type, failed.reason, "3m", "modelgate", failed.message],
    [
      "Warning",
      "AnalysisRunFailed",
      "3m",
      "rollouts-controller",
      `Analysis Run 'fraud-model-${CANARY}-3' Status New: 'Failed' Previous: 'Running'`,
    ],
    [
      "Warning",
      "RolloutAborted",
      "3m",
      "rollouts-controller",
      `Rollout aborted update to revision 3: Metric "modelgate-latency" assessed Failed due to failed (1) > failureLimit (0)`,
    ],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const table = rows.map(
    (r) => `  ${r.map((cell, c) => (c < 4 ? cell.padEnd(widths[c]!) : cell)).join("  ")}`,
  );
  blocks.set("walkthrough-events", fence("text", ["Events:", ...table].join("\n")));
  return blocks;
}

// ---------------------------------------------------------------------------------------------

/** Every generated block, by page. */
export async function generateDocExamples(
  log: (s: string) => void = () => {},
  only: ReadonlyArray<(typeof DOCS)[number]> = DOCS,
): Promise<Map<(typeof DOCS)[number], Map<string, string>>> {
  const work = mkdtempSync(join(tmpdir(), "modelgate-docs-examples-"));
  const pages = { "docs/quickstart.md": quickstart, "docs/walkthrough.md": walkthrough };
  try {
    const generated = await Promise.all(only.map((doc) => pages[doc](work, log)));
    return new Map(only.map((doc, i) => [doc, generated[i]!]));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The blocks of each page that differ from the fresh output (after normalise), and blocks missing on either side. */
export function differences(fresh: Map<string, Map<string, string>>): string[] {
  const out: string[] = [];
  for (const [doc, blocks] of fresh) {
    const committed = readBlocks(readFileSync(join(ROOT, doc), "utf8"));
    for (const name of new Set([...blocks.keys(), ...committed.keys()])) {
      const now = blocks.get(name);
      const then = committed.get(name);
      if (now === undefined) out.push(`${doc}: block ${name} is on the page but nothing generates it`);
      else if (then === undefined) out.push(`${doc}: block ${name} is generated but not on the page`);
      else if (normalise(now) !== normalise(then))
        out.push(`${doc}: block ${name} differs from a fresh run:\n--- committed\n${then}--- fresh\n${now}`);
    }
  }
  return out;
}

async function main(): Promise<number> {
  const check = process.argv.includes("--check");
  const only = DOCS.filter((d) => process.argv.some((a) => a !== "--check" && d.includes(a)));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const fresh = await generateDocExamples(log, only.length > 0 ? only : DOCS);
  const differing = differences(fresh);
  if (check) {
    for (const d of differing) log(d);
    if (differing.length > 0) log(`\n${differing.length} block(s) out of date: run ${REGENERATE}`);
    return differing.length > 0 ? 1 : 0;
  }
  for (const [doc, blocks] of fresh) {
    const path = join(ROOT, doc);
    const page = readFileSync(path, "utf8");
    const committed = readBlocks(page);
    const changed = new Map(
      [...blocks].filter(([name, b]) => normalise(b) !== normalise(committed.get(name) ?? "")),
    );
    if (changed.size > 0) writeFileSync(path, writeBlocks(page, changed));
    log(`${doc}: ${changed.size === 0 ? "up to date" : `rewrote ${[...changed.keys()].join(", ")}`}`);
  }
  const missing = differing.filter((d) =>
    / is (on the page but nothing generates it|generated but not on the page)/.test(d),
  );
  for (const m of missing) log(m);
  return missing.length > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) process.exitCode = await main();
