import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_RECORD_BYTES, scanAuditFile } from "../../src/evidence/audit-reader.js";
import { AuditChainBroken, evidencePage, streamEvidence } from "../../src/evidence/build.js";
import { LIST_CAP } from "../../src/evidence/collect.js";
import type { EvidenceJudgement } from "../../src/evidence/document.js";
import { evidenceMarkdown } from "../../src/evidence/markdown.js";
import { fileAuditStorage, verifyAuditFile } from "../../src/judge/audit-file.js";
import { JudgementHistory } from "../../src/judge/history.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";

const dir = mkdtempSync(join(tmpdir(), "modelgate-evidence-log-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A judgement as the judge records it, with the request's Rollout when it named one. */
function response(i: number, baseline: string, candidate: string, rollout?: string): JudgeResponse {
  const verdict = (["pass", "fail", "inconclusive"] as const)[i % 3];
  return {
    summary: {
      verdict,
      pass: verdict === "pass",
      score: i % 101,
      reason: `look ${i}: ${"detail ".repeat(150)}`,
    },
    gates: {
      errors: {
        verdict,
        metric: "error_rate_increase",
        value: i / 1e4,
        threshold: 0.005,
        interval: [i / 1e4 - 0.01, i / 1e4 + 0.01],
        n: { baseline: 1000 + i, candidate: 500 + i },
        reason: `errors at look ${i}`,
        metrics: {},
      },
    },
    judgement: {
      id: "",
      model: "fraud",
      baseline,
      candidate,
      window: "2026-01-01T00:00:00.000Z/2026-01-01T01:00:00.000Z",
      look: i,
      runKey: `run-${i % 4}`,
      alpha: 0.05,
      gateAlpha: 0.05,
      source: "embedded",
      at: new Date(Date.parse("2026-01-01T01:00:00Z") + i * 60_000).toISOString(),
      ...(rollout ? { rollout } : {}),
    } as JudgeResponse["judgement"],
  };
}

/**
 * 3000 records of ~1.4 kB (over 4 MiB: lines cross the reader's 1 MiB chunks): every third judges
 * "v2" as candidate from one of two Rollouts; "stable" is the baseline of all, against 152 versions.
 */
const path = join(dir, "judge", "audit.jsonl");
const history = new JudgementHistory(fileAuditStorage(path));
const v2: number[] = [];
const candidatesOfStable = new Set<string>();
for (let i = 1; i <= 3000; i++) {
  if (i % 3 === 0) {
    history.record(`k${i}`, response(i, "stable", "v2", `prod/fraud-${i % 9 === 0 ? "a" : "b"}`));
    v2.push(i);
  } else if (i <= 450 && i % 2 === 1) history.record(`k${i}`, response(i, "stable", `c${i}`));
  else history.record(`k${i}`, response(i, "stable", "other"));
  candidatesOfStable.add(i % 3 === 0 ? "v2" : i <= 450 && i % 2 === 1 ? `c${i}` : "other");
}
const deps = { auditPath: path, clock: () => Date.parse("2026-02-01T00:00:00Z") };

describe("reading the audit log in chunks", () => {
  it("verifies like `audit verify` and visits every record in order across chunk boundaries", async () => {
    expect(statSync(path).size).toBeGreaterThan(4 * 1024 * 1024);
    const seqs: number[] = [];
    const scan = await scanAuditFile(path, (r) => seqs.push(r.seq));
    expect(scan.verification).toEqual(verifyAuditFile(path));
    expect(scan.verification).toMatchObject({ ok: true, records: 3000 });
    expect(seqs).toEqual(Array.from({ length: 3000 }, (_, k) => k + 1));
    expect(scan.bytes).toBe(statSync(path).size);
  });

  it("pages and streams the same judgements, with Rollouts and capped counterpart lists", async () => {
    const first = await evidencePage({ model: "fraud", version: "v2", after: 0, limit: 7 }, deps);
    expect(first.judgements.map((j) => j.seq)).toEqual(v2.slice(0, 7));
    expect(first.page.next).toBe(v2[6]);
    expect(first.seen.asCandidate).toMatchObject({
      judgements: 1000,
      rollouts: { values: ["prod/fraud-b", "prod/fraud-a"], omitted: 0 },
      verdicts: { pass: 1000, fail: 0, inconclusive: 0 },
      first: response(3, "", "").judgement.at,
      last: response(3000, "", "").judgement.at,
    });
    const streamed: EvidenceJudgement[] = [];
    const doc = await streamEvidence({ model: "fraud", version: "v2" }, deps, {
      head: (d) => expect(d.judgements).toEqual([]),
      judgement: (e) => streamed.push(e),
    });
    expect(streamed.map((e) => e.seq)).toEqual(v2);
    expect(streamed[0]).toMatchObject({
      rollout: "prod/fraud-b",
      role: "candidate",
      against: "stable",
      look: 3,
    });
    expect(streamed[0].gates.errors.interval).toEqual([3 / 1e4 - 0.01, 3 / 1e4 + 0.01]);
    expect(doc.chain).toMatchObject({ records: 3000, verifiedRecords: 3000 });

    // "stable" was the baseline of 150 distinct candidates plus v2 and "other": 100 listed
    expect(candidatesOfStable.size).toBe(152);
    const stable = await evidencePage({ model: "fraud", version: "stable", after: 0, limit: 1 }, deps);
    expect(stable.seen.asBaseline?.judgements).toBe(3000);
    expect(stable.seen.asBaseline?.against.values).toHaveLength(LIST_CAP);
    expect(stable.seen.asBaseline?.against.omitted).toBe(152 - LIST_CAP);
    expect(evidenceMarkdown(stable)).toContain("(and 52 more)");
  });

  it("refuses a log whose last line is torn or too long, naming the line", async () => {
    const torn = join(dir, "torn.jsonl");
    const text = readFileSync(path, "utf8");
    writeFileSync(torn, text.slice(0, text.length - 200));
    await expect(
      evidencePage({ model: "fraud", version: "v2", after: 0, limit: 1 }, { ...deps, auditPath: torn }),
    ).rejects.toThrow(
      /fails verification at line 3000 \(record 3000\): not valid JSON; 2999 records verified before it/,
    );
    const long = join(dir, "long.jsonl");
    writeFileSync(long, `${text.split("\n")[0]}\n`);
    appendFileSync(long, Buffer.alloc(MAX_RECORD_BYTES + 10, "x"));
    const scan = await scanAuditFile(long, () => {});
    expect(scan.verification).toMatchObject({
      ok: false,
      records: 1,
      error: { line: 2, message: `record longer than ${MAX_RECORD_BYTES} bytes` },
    });
    await expect(
      streamEvidence(
        { model: "fraud", version: "v2" },
        { ...deps, auditPath: long },
        { head() {}, judgement() {} },
      ),
    ).rejects.toBeInstanceOf(AuditChainBroken);
  });
});
