import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { canonicalJson, GENESIS, sealRecord, verifyAuditChain } from "../../src/judge/audit.js";
import { cutTornTail, fileAuditStorage, verifyAuditFile } from "../../src/judge/audit-file.js";
import { JudgementHistory, judgementId, memoryAuditStorage } from "../../src/judge/history.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";

function response(candidate: string, look: number, verdict: "pass" | "fail" = "pass"): JudgeResponse {
  return {
    summary: { verdict, pass: verdict === "pass", score: verdict === "pass" ? 100 : 0, reason: "r" },
    gates: {},
    judgement: {
      id: "",
      model: "fraud",
      baseline: "a",
      candidate,
      window: "w",
      look,
      runKey: `fraud/a/${candidate}`,
      alpha: 0.05,
      gateAlpha: 0.05,
      source: "memory",
      at: "2026-11-25T12:00:00.000Z",
    },
  };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("audit chain", () => {
  it("hashes sha256(prev \\n seq \\n canonical JSON), key order irrelevant", () => {
    const first = sealRecord(undefined, { b: 1, a: [1, { d: 2, c: 3 }] });
    const expected = createHash("sha256")
      .update(`${GENESIS}\n1\n{"a":[1,{"c":3,"d":2}],"b":1}`)
      .digest("hex");
    expect(first).toEqual({
      seq: 1,
      prev: GENESIS,
      hash: expected,
      payload: { b: 1, a: [1, { d: 2, c: 3 }] },
    });
    expect(canonicalJson({ z: 1, a: { y: null, b: "x" } })).toBe('{"a":{"b":"x","y":null},"z":1}');
    const second = sealRecord(first, { x: 1 });
    expect(second.prev).toBe(first.hash);
    expect(second.seq).toBe(2);
  });

  it("verifies an intact log, and detects an altered, removed or reordered record", () => {
    const storage = memoryAuditStorage();
    const history = new JudgementHistory(storage);
    for (let i = 1; i <= 4; i++) history.record("k", response(`v${i}`, i));
    const good = storage.text;
    expect(verifyAuditChain(good)).toMatchObject({ ok: true, records: 4 });
    const lines = good.trimEnd().split("\n");

    const altered = [...lines];
    altered[1] = altered[1].replace('"verdict":"pass"', '"verdict":"fail"');
    expect(altered[1]).not.toBe(lines[1]);
    expect(verifyAuditChain(altered.join("\n"))).toMatchObject({
      ok: false,
      records: 1,
      error: { line: 2, message: "hash does not match the record's content (record altered)" },
    });

    const removed = [lines[0], lines[2], lines[3]];
    expect(verifyAuditChain(removed.join("\n")).error?.line).toBe(2);

    const swapped = [lines[0], lines[2], lines[1], lines[3]];
    expect(verifyAuditChain(swapped.join("\n")).ok).toBe(false);

    // re-hashing the altered record alone is not enough: the next record's link breaks
    const rec = JSON.parse(altered[1]);
    const resealed = sealRecord(JSON.parse(lines[0]), rec.payload);
    const forged = [lines[0], JSON.stringify(resealed), lines[2], lines[3]];
    expect(verifyAuditChain(forged.join("\n"))).toMatchObject({ ok: false, error: { line: 3 } });
    expect(verifyAuditChain("not json\n")).toMatchObject({
      ok: false,
      error: { line: 1, message: "not valid JSON" },
    });
  });

  it("ids commit to the record hash; looks and history survive a restart from the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "modelgate-audit-"));
    dirs.push(dir);
    const path = join(dir, "judge", "audit.jsonl");
    const h1 = new JudgementHistory(fileAuditStorage(path));
    expect(h1.nextLook("run-1#latency")).toBe(1);
    const a = h1.record("run-1#latency", response("v1", 1));
    expect(h1.nextLook("run-1#latency")).toBe(2);
    const b = h1.record("run-1#latency", response("v1", 2, "fail"));
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(a.judgement.id).toBe(judgementId(JSON.parse(lines[0]).hash));

    const h2 = new JudgementHistory(fileAuditStorage(path));
    expect(h2.integrity.ok).toBe(true);
    expect(h2.looksOf("run-1#latency")).toBe(2);
    expect(h2.nextLook("run-1#latency")).toBe(3);
    expect(h2.get(b.judgement.id)).toEqual(b);
    expect(h2.list().map((r) => r.judgement.look)).toEqual([2, 1]);
    h2.record("run-1#latency", response("v1", 3));
    expect(verifyAuditFile(path)).toMatchObject({ ok: true, records: 3 });

    writeFileSync(path, readFileSync(path, "utf8").replace('"score":0', '"score":100'));
    expect(verifyAuditFile(path)).toMatchObject({ ok: false, records: 1, error: { line: 2 } });
    expect(new JudgementHistory(fileAuditStorage(path)).integrity.ok).toBe(false);
    expect(() => verifyAuditFile(join(dir, "missing.jsonl"))).toThrow(/does not exist/);
  });

  it("a record torn by a crash during its append is cut when the log is opened, and the chain goes on", () => {
    const dir = mkdtempSync(join(tmpdir(), "modelgate-audit-"));
    dirs.push(dir);
    const path = join(dir, "judge", "audit.jsonl");
    const h1 = new JudgementHistory(fileAuditStorage(path));
    h1.record("run-1#latency", response("v1", 1));
    h1.record("run-1#latency", response("v1", 2));
    const whole = readFileSync(path, "utf8");
    // a third record whose append a SIGKILL interrupted: part of its line, no newline
    const third = JSON.stringify(sealRecord(undefined, { lookKey: "x", response: response("v1", 3) }));
    writeFileSync(path, whole + third.slice(0, 200));
    // `modelgate audit verify` before the service reopens the log names what it is
    expect(verifyAuditFile(path)).toMatchObject({
      ok: false,
      records: 2,
      error: { line: 3, message: expect.stringMatching(/^not valid JSON: .*torn by a crash/) },
    });

    const cut: number[] = [];
    const h2 = new JudgementHistory(fileAuditStorage(path, (bytes) => cut.push(bytes)));
    expect(cut).toEqual([200]);
    expect(readFileSync(path, "utf8")).toBe(whole);
    expect(h2.integrity.ok).toBe(true);
    h2.record("run-1#latency", response("v1", 3));
    expect(verifyAuditFile(path)).toMatchObject({ ok: true, records: 3 });

    // opening a log that ends in a newline cuts nothing
    fileAuditStorage(path, (bytes) => cut.push(bytes));
    expect(cut).toEqual([200]);
  });

  it("cuts a torn tail longer than one read chunk, and a log that is nothing but a torn record", () => {
    const dir = mkdtempSync(join(tmpdir(), "modelgate-audit-"));
    dirs.push(dir);
    const path = join(dir, "audit.jsonl");
    new JudgementHistory(fileAuditStorage(path)).record("run-1#latency", response("v1", 1));
    const whole = readFileSync(path, "utf8");
    writeFileSync(path, whole + "x".repeat(150_000));
    expect(cutTornTail(path)).toBe(150_000);
    expect(readFileSync(path, "utf8")).toBe(whole);
    writeFileSync(path, "y".repeat(70_000));
    expect(cutTornTail(path)).toBe(70_000);
    expect(readFileSync(path, "utf8")).toBe("");
    expect(cutTornTail(path)).toBe(0);
  });

  it("a damaged line that has its newline is not cut: verification reports it", () => {
    const dir = mkdtempSync(join(tmpdir(), "modelgate-audit-"));
    dirs.push(dir);
    const path = join(dir, "audit.jsonl");
    const h1 = new JudgementHistory(fileAuditStorage(path));
    h1.record("run-1#latency", response("v1", 1));
    writeFileSync(path, `${readFileSync(path, "utf8")}{"not a record\n`);
    const before = readFileSync(path, "utf8");
    expect(before.endsWith("\n")).toBe(true);
    const h2 = new JudgementHistory(fileAuditStorage(path));
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(h2.integrity).toMatchObject({ ok: false, error: { line: 2 } });
  });
});
