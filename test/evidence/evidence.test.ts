import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvidenceDocument } from "../../src/evidence/document.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import type { RunningServer } from "../../src/server.js";
import { cli, cliProcess, ROOT } from "../cli/cli-io.js";
import { makeRows, type Row } from "../cli/predictions-fixture.js";
import { startInProcess } from "../helpers/in-process-server.js";
import {
  figureWithInterval,
  judgementBlocks,
  section,
  shown,
  tables,
  unescapeMarkdown,
} from "./markdown-parse.js";

const schema = JSON.parse(readFileSync(join(ROOT, "docs", "evidence.schema.json"), "utf8"));
const validate = new Ajv({ allErrors: true }).compile<EvidenceDocument>(schema);
const expectValid = (doc: unknown) => {
  const ok = validate(doc);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
};

/** A group value that must stay text in HTML and Markdown tables. */
const HOSTILE = "so|uth <b>*x*</b>";
const MODEL = "fraud";
const start = Date.now() - 40 * 60_000;

interface Event {
  model: string;
  version: string;
  ts: number;
  score: number;
  label: 0 | 1;
  latencyMs: number;
  error: boolean;
  groups: { region: string };
}

const region = (r: Row) => (r.group === "a" ? "north" : HOSTILE);
const events = (version: string, rows: Row[], model = MODEL): Event[] =>
  rows.map((r) => ({
    model,
    version,
    ts: r.ts as number,
    score: r.score,
    label: r.label,
    latencyMs: r.latencyMs,
    error: r.error,
    groups: { region: region(r) },
  }));

const v1 = makeRows({ n: 1200, seed: 31, startTs: start, stepMs: 1000 });
const v2 = makeRows({ n: 1200, seed: 32, startTs: start + 400, stepMs: 1000, groupBShift: -1 });
const v3 = makeRows({ n: 400, seed: 33, startTs: start + 800, stepMs: 1000 });

const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** Canonical JSON (keys sorted at every depth), written here again to recompute hashes independently. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  return `{${Object.keys(v)
    .sort()
    .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
    .join(",")}}`;
}

/** Wilson 95% interval by its formula (statsmodels' proportion_confint(method="wilson")). */
function wilson(x: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const p = x / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [x === 0 ? 0 : c - h, x === n ? 1 : c + h];
}

let dir: string;
let dataDir: string;
let server: RunningServer;
/** judgements of v2 as answered by /v1/judgements, oldest first */
let ofV2: JudgeResponse[];
let auditLines: Array<{ seq: number; prev: string; hash: string; payload: unknown }>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "modelgate-evidence-"));
  dataDir = join(dir, "data");
  server = await startInProcess(dataDir);
  const ingest = await post(`${server.url}/v1/events`, [
    ...events("v1", v1),
    ...events("v2", v2),
    ...events("v3", v3),
    ...events("v1", v1.slice(0, 300), "other"),
    ...events("v2", v2.slice(0, 300), "other"),
  ]);
  expect(ingest.status).toBe(202);
  const since = new Date(start - 60_000).toISOString();
  const judge = async (body: Record<string, unknown>) => {
    const res = await post(`${server.url}/v1/judge`, { since, ...body });
    expect(res.status).toBe(200);
  };
  await judge({
    model: MODEL,
    baseline: "v1",
    candidate: "v2",
    runKey: "canary-1",
    rollout: "ml/fraud-scorer",
  });
  await judge({ model: "other", baseline: "v1", candidate: "v2" });
  await judge({
    model: MODEL,
    baseline: "v1",
    candidate: "v2",
    runKey: "canary-1",
    rollout: "ml/fraud-scorer",
  });
  await judge({ model: MODEL, baseline: "v1", candidate: "v2", mode: "shadow", gates: "agreement" });
  await judge({
    model: MODEL,
    baseline: "v2",
    candidate: "v3",
    runKey: "canary-2",
    gates: "errors,fairness",
  });
  await judge({ model: MODEL, baseline: "v1", candidate: "v3", gates: "errors" });
  const list = (await (await fetch(`${server.url}/v1/judgements?model=${MODEL}`)).json()) as {
    judgements: JudgeResponse[];
  };
  ofV2 = list.judgements
    .filter((j) => j.judgement.baseline === "v2" || j.judgement.candidate === "v2")
    .reverse();
  auditLines = readFileSync(join(dataDir, "judge", "audit.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const evidenceUrl = (version: string, query = "") =>
  `${server.url}/v1/models/${MODEL}/versions/${encodeURIComponent(version)}/evidence${query}`;

async function getEvidence(version: string, query = ""): Promise<EvidenceDocument> {
  const res = await fetch(evidenceUrl(version, query));
  expect(res.status).toBe(200);
  return (await res.json()) as EvidenceDocument;
}

describe("GET /v1/models/{model}/versions/{version}/evidence", () => {
  it("lists every judgement of the version as recorded, with its audit record, valid against the schema", async () => {
    const doc = await getEvidence("v2");
    expectValid(doc);
    expect(ofV2).toHaveLength(4);
    expect(doc.judgements.map((j) => j.id)).toEqual(ofV2.map((j) => j.judgement.id));
    for (const [k, e] of doc.judgements.entries()) {
      const r = ofV2[k];
      expect(e).toMatchObject({
        at: r.judgement.at,
        verdict: r.summary.verdict,
        score: r.summary.score,
        reason: r.summary.reason,
        look: r.judgement.look,
        window: r.judgement.window,
        mode: r.judgement.mode,
        rollout: r.judgement.rollout ?? null,
        role: r.judgement.candidate === "v2" ? "candidate" : "baseline",
        against: r.judgement.candidate === "v2" ? r.judgement.baseline : r.judgement.candidate,
      });
      expect(Object.keys(e.gates)).toEqual(Object.keys(r.gates));
      for (const [name, g] of Object.entries(r.gates)) {
        // everything but the metrics (they stay in the audit log) and the look's per-contrast information
        const { metrics: _m, sequential, ...shown } = g;
        const seq = sequential && {
          look: sequential.look,
          looks: sequential.looks,
          spending: sequential.spending,
        };
        expect(e.gates[name]).toEqual(seq ? { ...shown, sequential: seq } : shown);
      }
      // the audit record: its line in the file, and its hash recomputed here from the line's content
      const line = auditLines[e.seq - 1];
      expect([line.seq, line.prev, line.hash]).toEqual([e.seq, e.prev, e.hash]);
      expect(
        createHash("sha256")
          .update(`${e.prev}\n${e.seq}\n${canonical(line.payload)}`)
          .digest("hex"),
      ).toBe(e.hash);
      expect(e.id).toBe(`j-${e.hash.slice(0, 20)}`);
    }
    expect(doc.chain).toEqual({
      verified: true,
      genesis: "0".repeat(64),
      records: auditLines.length,
      head: auditLines.at(-1)?.hash,
      verifiedRecords: auditLines.length,
      verifiedHead: auditLines.at(-1)?.hash,
    });
    expect(doc.page).toEqual({ after: 0, limit: 1000, next: null });
  });

  it("says when and as what the version was seen: per role, the store's traffic", async () => {
    const doc = await getEvidence("v2");
    const asCandidate = ofV2.filter((j) => j.judgement.candidate === "v2");
    const asBaseline = ofV2.filter((j) => j.judgement.baseline === "v2");
    const count = (list: JudgeResponse[], v: string) => list.filter((j) => j.summary.verdict === v).length;
    expect(doc.seen.asCandidate).toEqual({
      judgements: asCandidate.length,
      first: asCandidate[0].judgement.at,
      last: asCandidate.at(-1)?.judgement.at,
      verdicts: {
        pass: count(asCandidate, "pass"),
        fail: count(asCandidate, "fail"),
        inconclusive: count(asCandidate, "inconclusive"),
      },
      against: { values: ["v1"], omitted: 0 },
      // the Rollout a template names is recorded with its judgements
      rollouts: { values: ["ml/fraud-scorer"], omitted: 0 },
      runKeys: { values: ["canary-1", "fraud/v1/v2"], omitted: 0 },
    });
    expect(doc.seen.asBaseline).toMatchObject({
      judgements: asBaseline.length,
      against: { values: ["v3"], omitted: 0 },
      runKeys: { values: ["canary-2"], omitted: 0 },
    });
    expect(doc.seen.traffic).toEqual({
      firstEvent: new Date(v2[0].ts as number).toISOString(),
      lastEvent: new Date(v2.at(-1)?.ts as number).toISOString(),
      events: v2.length,
      scored: v2.length,
      labelled: v2.length,
      errors: v2.filter((r) => r.error).length,
    });
    // the latest judgement as candidate is the evaluation's
    expect(doc.latest?.id).toBe(asCandidate.at(-1)?.judgement.id);
  });

  it("gives the subgroup table as the fairness gate judged it, and recomputed from the store", async () => {
    const doc = await getEvidence("v2");
    const judged = doc.subgroups.fromJudgement;
    // the latest canary judgement with a fairness gate in which v2 was the candidate (look 2 of canary-1)
    const source = ofV2
      .filter((j) => j.judgement.candidate === "v2" && j.judgement.mode === "canary")
      .at(-1)!;
    expect(judged?.judgement).toMatchObject({ id: source.judgement.id, role: "candidate" });
    const metrics = source.gates.fairness.metrics as {
      groups: { region: Record<string, Record<string, Record<string, number> | number[] | boolean>> };
      attributes: { region: Record<string, unknown> };
    };
    const judgedRegion = judged?.attributes.find((a) => a.attribute === "region");
    expect(judgedRegion?.groups.map((g) => g.group)).toEqual(["north", HOSTILE]);
    for (const g of judgedRegion?.groups ?? []) {
      const m = metrics.groups.region[g.group];
      const rates = m.candidate as Record<string, number>;
      expect(g).toEqual({
        group: g.group,
        n: rates.n,
        judged: m.judged,
        selectionRate: rates.selectionRate,
        selectionRateInterval: m.selectionRateInterval,
        tpr: rates.tpr,
        tprInterval: m.tprInterval,
        fpr: rates.fpr,
        fprInterval: m.fprInterval,
      });
    }
    expect(judgedRegion?.parityRatio).toBe(metrics.attributes.region.candidateParityRatio);
    expect(judgedRegion?.parityRatioInterval).toEqual(metrics.attributes.region.candidateParityRatioInterval);
    expect(judgedRegion?.verdict).toBe(metrics.attributes.region.verdict);

    // recomputed from the raw events (decision = score ≥ 0.5, the default threshold)
    const stored = doc.subgroups.fromStore?.attributes.find((a) => a.attribute === "region");
    const rates: number[] = [];
    for (const name of ["north", HOSTILE]) {
      const rows = v2.filter((r) => region(r) === name);
      const sel = rows.filter((r) => r.score >= 0.5).length;
      const pos = rows.filter((r) => r.label === 1);
      const neg = rows.filter((r) => r.label === 0);
      const tp = pos.filter((r) => r.score >= 0.5).length;
      const fp = neg.filter((r) => r.score >= 0.5).length;
      const g = stored?.groups.find((x) => x.group === name);
      expect(g?.n).toBe(rows.length);
      expect(g?.selectionRate).toBeCloseTo(sel / rows.length, 12);
      expect(g?.tpr).toBeCloseTo(tp / pos.length, 12);
      expect(g?.fpr).toBeCloseTo(fp / neg.length, 12);
      for (const [got, want] of [
        [g?.selectionRateInterval, wilson(sel, rows.length)],
        [g?.tprInterval, wilson(tp, pos.length)],
        [g?.fprInterval, wilson(fp, neg.length)],
      ] as const) {
        expect(got?.[0]).toBeCloseTo(want[0], 10);
        expect(got?.[1]).toBeCloseTo(want[1], 10);
      }
      rates.push(sel / rows.length);
    }
    expect(stored?.parityRatio).toBeCloseTo(Math.min(...rates) / Math.max(...rates), 12);
    expect(doc.subgroups.fromStore?.window).toEqual({
      from: new Date(v2[0].ts as number).toISOString(),
      to: new Date(v2.at(-1)?.ts as number).toISOString(),
    });
  });

  it("pages with after/limit/through, and names unknown or bad parameters", async () => {
    const all = await getEvidence("v2");
    const seen: string[] = [];
    let after = 0;
    let through = "";
    for (let pages = 0; ; pages++) {
      const page = await getEvidence("v2", `?limit=1&after=${after}${through}`);
      expectValid(page);
      expect(page.judgements.length).toBeLessThanOrEqual(1);
      expect(page.chain.head).toBe(all.chain.head);
      seen.push(...page.judgements.map((j) => j.id));
      through = `&through=${page.chain.records}`;
      if (page.page.next === null) break;
      after = page.page.next;
      expect(pages).toBeLessThan(10);
    }
    expect(seen).toEqual(all.judgements.map((j) => j.id));
    // through covers a prefix of the log: what came after it is not counted
    const early = await getEvidence("v2", "?through=3");
    expect(early.chain.records).toBe(3);
    expect(early.chain.head).toBe(auditLines[2].hash);
    expect(early.chain.verifiedRecords).toBe(auditLines.length);
    expect(early.judgements.map((j) => j.seq)).toEqual([1, 3]);

    const error = async (query: string) => {
      const res = await fetch(evidenceUrl("v2", query));
      return { status: res.status, body: ((await res.json()) as { error: Record<string, string> }).error };
    };
    expect(await error("?limit=10&format=md")).toMatchObject({
      body: { field: "format", code: "bad_request" },
    });
    expect((await error("?format=md")).body.message).toContain(
      "format: unknown parameter; accepted: limit, after, through",
    );
    expect(await error("?limit=0")).toMatchObject({ status: 400, body: { field: "limit" } });
    expect(await error("?limit=5001")).toMatchObject({ status: 400, body: { field: "limit" } });
    expect(await error("?after=-1")).toMatchObject({ status: 400, body: { field: "after" } });
    expect(await error("?through=999")).toMatchObject({ status: 400, body: { field: "through" } });
    const unknown = await fetch(evidenceUrl("nope"));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain(
      'version "nope"',
    );
    // a version known only to the store (never judged) has evidence without judgements
    await post(`${server.url}/v1/events`, events("v9", v3.slice(0, 50)));
    const fresh = await getEvidence("v9");
    expectValid(fresh);
    expect(fresh.judgements).toEqual([]);
    expect(fresh.seen.asCandidate).toBeNull();
    expect(fresh.seen.traffic?.events).toBe(50);
  });
});

describe("modelgate evidence", () => {
  it("reads the data directory on disk (audit log and store files) and the running service alike", async () => {
    const local = await cli([
      "evidence",
      "--model",
      MODEL,
      "--version",
      "v2",
      "--format",
      "json",
      "--data-dir",
      dataDir,
    ]);
    expect(local.stderr).toBe("");
    expect(local.code).toBe(0);
    const fromDisk = JSON.parse(local.stdout) as EvidenceDocument;
    expectValid(fromDisk);
    const remote = await cli([
      "evidence",
      "--model",
      MODEL,
      "--version",
      "v2",
      "--format",
      "json",
      "--url",
      server.url,
    ]);
    expect(remote.code).toBe(0);
    const fromServer = JSON.parse(remote.stdout) as EvidenceDocument;
    expectValid(fromServer);
    const http = await getEvidence("v2");
    const strip = (d: EvidenceDocument) => ({ ...d, generatedAt: "", page: null });
    expect(strip(fromDisk)).toEqual(strip(http));
    expect(strip(fromServer)).toEqual(strip(http));
    expect(fromDisk.page).toEqual({ after: 0, limit: 4, next: null });

    const md = await cli(["evidence", "--model", MODEL, "--version", "v2", "--data-dir", dataDir]);
    const mdRemote = await cli(["evidence", "--model", MODEL, "--version", "v2", "--url", `${server.url}/`]);
    const body = (s: string) => s.replace(/^Made by modelgate at \S+/m, "");
    expect(body(mdRemote.stdout)).toBe(body(md.stdout));
  });

  it("writes Markdown whose figures are the judgements' own", async () => {
    const { stdout: md, code } = await cli([
      "evidence",
      "--model",
      MODEL,
      "--version",
      "v2",
      "--data-dir",
      dataDir,
    ]);
    expect(code).toBe(0);
    expect(md).toMatch(/^# Evidence: model fraud, version v2\n/);
    for (const heading of ["## Evaluation", "## Change history", "## Judgements", "## Audit-chain proof"]) {
      expect(md).toContain(`\n${heading}\n`);
    }

    // every judgement, in order, with its verdict, gates (value, threshold, interval, n) and audit record
    const blocks = judgementBlocks(md);
    expect(blocks.map((b) => b.id)).toEqual(ofV2.map((j) => j.judgement.id));
    for (const [k, b] of blocks.entries()) {
      const r = ofV2[k];
      expect([b.ordinal, b.at, b.verdict]).toEqual([k + 1, r.judgement.at, r.summary.verdict]);
      expect(unescapeMarkdown(b.text.match(/^Reason: (.*)$/m)?.[1] ?? "")).toBe(r.summary.reason);
      const line = auditLines.find((l) => l.hash.startsWith(b.id.slice(2)));
      expect([b.seq, b.hash, b.prev]).toEqual([line?.seq, line?.hash, line?.prev]);
      expect(b.gates.map((row) => row[0])).toEqual(Object.keys(r.gates));
      for (const row of b.gates) {
        const g = r.gates[row[0]];
        const iv = g.interval ? `[${shown(g.interval[0])}, ${shown(g.interval[1])}]` : "–";
        expect(row.slice(1, 7)).toEqual([
          g.verdict,
          g.metric,
          shown(g.value),
          shown(g.threshold),
          iv,
          `${g.n.baseline} / ${g.n.candidate}`,
        ]);
        // shown to 4 significant digits of the recorded value
        if (g.value !== null)
          expect(Math.abs(Number(row[3]) - g.value)).toBeLessThanOrEqual(Math.abs(g.value) * 5e-4);
      }
    }

    // change history: judgements and verdicts per role
    const history = tables(section(md, "## Change history"))[0];
    const asCandidate = ofV2.filter((j) => j.judgement.candidate === "v2");
    const candidateRow = history.rows.find((r) => r[0] === "candidate");
    expect(candidateRow?.slice(1, 7)).toEqual([
      String(asCandidate.length),
      asCandidate[0].judgement.at,
      asCandidate.at(-1)?.judgement.at,
      ...["pass", "fail", "inconclusive"].map((v) =>
        String(asCandidate.filter((j) => j.summary.verdict === v).length),
      ),
    ]);
    expect(history.rows.find((r) => r[0] === "baseline")?.[7]).toBe("v3");

    // the subgroup table as judged: the fairness gate's figures, the hostile group name intact
    const latest = asCandidate.filter((j) => j.judgement.mode === "canary").at(-1)!;
    const fairness = latest.gates.fairness.metrics as {
      groups: {
        region: Record<string, { candidate: Record<string, number>; selectionRateInterval: number[] }>;
      };
      attributes: { region: { candidateParityRatio: number; candidateParityRatioInterval: number[] } };
    };
    const [groupsTable, parityTable] = tables(section(md, "### Subgroups, as judged"));
    expect(groupsTable.rows.map((r) => r[1])).toEqual(["north", HOSTILE]);
    for (const row of groupsTable.rows) {
      const m = fairness.groups.region[row[1]];
      expect(row[2]).toBe(String(m.candidate.n));
      const sel = figureWithInterval(row[3]);
      expect(sel.value).toBe(Number(shown(m.candidate.selectionRate)));
      expect(sel.interval).toEqual(m.selectionRateInterval.map((x) => Number(shown(x))));
      expect(figureWithInterval(row[4]).value).toBe(Number(shown(m.candidate.tpr)));
      expect(figureWithInterval(row[5]).value).toBe(Number(shown(m.candidate.fpr)));
    }
    const parity = fairness.attributes.region;
    expect(parityTable.rows[0].slice(0, 3)).toEqual([
      "region",
      shown(parity.candidateParityRatio),
      `[${shown(parity.candidateParityRatioInterval[0])}, ${shown(parity.candidateParityRatioInterval[1])}]`,
    ]);
    expect(md).toContain("### Subgroups, recomputed from the store");
    // the chain head as the last line of the log says
    expect(md).toContain(`lead to the chain head \`${auditLines.at(-1)?.hash}\``);
  });

  it("answers usage errors with exit 2 naming the problem, and --help with examples", async () => {
    const help = await cli(["evidence", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Examples:\n  modelgate evidence --model fraud");
    const unknownFlag = await cli(["evidence", "--model", MODEL, "--version", "v2", "--fromat", "json"]);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("--fromat");
    expect((await cli(["evidence", "--model", MODEL])).stderr).toContain("--version is required");
    expect(
      (await cli(["evidence", "--model", MODEL, "--version", "v2", "--format", "html"])).stderr,
    ).toContain('--format must be md or json, got "html"');
    expect(
      (
        await cli([
          "evidence",
          "--model",
          MODEL,
          "--version",
          "v2",
          "--data-dir",
          dataDir,
          "--url",
          server.url,
        ])
      ).code,
    ).toBe(2);
    const unknown = await cli(["evidence", "--model", MODEL, "--version", "nope", "--data-dir", dataDir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no judgement of model "fraud" version "nope"');
    const empty = await cli([
      "evidence",
      "--model",
      MODEL,
      "--version",
      "v2",
      "--data-dir",
      join(dir, "nothing"),
    ]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("no modelgate data in");
    const down = await cli(["evidence", "--model", MODEL, "--version", "v2", "--url", "http://127.0.0.1:9"]);
    expect(down.code).toBe(2);
    expect(down.stderr).toContain("cannot reach");
  });
});

describe("a tampered audit log", () => {
  it("is refused over HTTP (409 naming the record) and by the CLI (exit 1), nothing written", async () => {
    const tamperedDir = join(dir, "tampered");
    mkdirSync(join(tamperedDir, "judge"), { recursive: true });
    cpSync(join(dataDir, "judge", "audit.jsonl"), join(tamperedDir, "judge", "audit.jsonl"));
    const path = join(tamperedDir, "judge", "audit.jsonl");
    const lines = readFileSync(path, "utf8").split("\n");
    // an auditor's nightmare: a failed look rewritten as a pass, hash left as it was
    const record = JSON.parse(lines[2]);
    record.payload.response.summary.verdict = "pass";
    lines[2] = JSON.stringify(record);
    writeFileSync(path, lines.join("\n"));

    const local = await cli(["evidence", "--model", MODEL, "--version", "v2", "--data-dir", tamperedDir]);
    expect(local.code).toBe(1);
    expect(local.stdout).toBe("");
    expect(local.stderr).toContain(
      `refused: ${path}: the judgement audit log fails verification at line 3 (record 3)`,
    );
    expect(local.stderr).toContain("hash does not match the record's content");
    const child = cliProcess(["evidence", "--model", MODEL, "--version", "v2", "--data-dir", tamperedDir]);
    expect(child.code).toBe(1);
    expect(child.stdout).toBe("");

    const tamperedServer = await startInProcess(tamperedDir);
    try {
      const res = await fetch(`${tamperedServer.url}/v1/models/${MODEL}/versions/v2/evidence`);
      expect(res.status).toBe(409);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("audit_chain_broken");
      expect(body.error.message).toContain("fails verification at line 3 (record 3)");
      expect(body.error.message).not.toContain(tamperedDir);
      const remote = await cli([
        "evidence",
        "--model",
        MODEL,
        "--version",
        "v2",
        "--url",
        tamperedServer.url,
      ]);
      expect(remote.code).toBe(1);
      expect(remote.stdout).toBe("");
      expect(remote.stderr).toContain("line 3");
    } finally {
      await tamperedServer.close();
    }
  });
});
