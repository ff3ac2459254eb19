import { createHash } from "node:crypto";

/**
 * Tamper-evident audit chain: one JSON line per record, each carrying the hash of the previous
 * record, so changing, removing or reordering any record breaks every hash after it.
 *
 *   hash_i = sha256(prev_i + "\n" + seq_i + "\n" + canonicalJson(payload_i)),  prev_1 = GENESIS
 *
 * Canonical JSON sorts object keys, so the hash does not depend on key order. This detects
 * tampering by anyone who cannot also rewrite every later hash; anchoring the latest hash
 * elsewhere (a log line, a Kubernetes Event) extends that to whoever can rewrite the file.
 */
export const GENESIS = "0".repeat(64);

export interface AuditRecord<P = unknown> {
  seq: number;
  prev: string;
  hash: string;
  payload: P;
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export function recordHash(prev: string, seq: number, payload: unknown): string {
  return createHash("sha256")
    .update(`${prev}\n${seq}\n${canonicalJson(payload)}`)
    .digest("hex");
}

/** The record that follows `previous` (or starts the chain). */
export function sealRecord<P>(previous: AuditRecord | undefined, payload: P): AuditRecord<P> {
  const seq = previous ? previous.seq + 1 : 1;
  const prev = previous ? previous.hash : GENESIS;
  return { seq, prev, hash: recordHash(prev, seq, payload), payload };
}

export interface AuditVerification {
  ok: boolean;
  /** records checked (all of them when ok) */
  records: number;
  /** hash of the last good record (GENESIS for an empty log) */
  head: string;
  /** 1-based line of the first bad record and what is wrong with it */
  error?: { line: number; message: string };
}

/**
 * The chain check one line at a time, for readers that stream a log they cannot hold in memory
 * (src/evidence). Feed lines in file order; the first bad line stops it and is kept in `error`.
 */
export class AuditChainVerifier {
  private head = GENESIS;
  private seq = 0;
  private line = 0;
  private failure: AuditVerification["error"];

  /** The record on the next line when it extends the chain; undefined (and the chain broken) otherwise. */
  push(text: string): AuditRecord | undefined {
    if (this.failure) return undefined;
    this.line++;
    const fail = (message: string) => {
      this.failure = { line: this.line, message };
      return undefined;
    };
    let rec: AuditRecord;
    try {
      rec = JSON.parse(text) as AuditRecord;
    } catch {
      return fail("not valid JSON");
    }
    if (rec === null || typeof rec !== "object") return fail("not a record");
    if (rec.seq !== this.seq + 1) return fail(`sequence ${rec.seq} where ${this.seq + 1} was expected`);
    if (rec.prev !== this.head) return fail("previous-hash link does not match the record before it");
    const expected = recordHash(rec.prev, rec.seq, rec.payload);
    if (rec.hash !== expected) return fail("hash does not match the record's content (record altered)");
    this.head = rec.hash;
    this.seq = rec.seq;
    return rec;
  }

  /** Mark the chain broken at the next line for a reason found outside the record (e.g. its size). */
  reject(message: string): void {
    if (this.failure) return;
    this.line++;
    this.failure = { line: this.line, message };
  }

  result(): AuditVerification {
    return this.failure
      ? { ok: false, records: this.seq, head: this.head, error: this.failure }
      : { ok: true, records: this.seq, head: this.head };
  }
}

/**
 * Verify a whole log (JSON lines; a trailing newline is fine). A last line without its newline that
 * does not extend the chain is reported as a record torn by a crash during its append (the service
 * cuts it when it next opens the log: src/judge/audit-file.ts). O(total size).
 */
export function verifyAuditChain(text: string): AuditVerification {
  const lines = text.split("\n");
  const torn = lines.at(-1) !== "";
  if (!torn) lines.pop();
  const verifier = new AuditChainVerifier();
  for (const line of lines) if (!verifier.push(line)) break;
  const result = verifier.result();
  if (torn && result.error?.line === lines.length) {
    result.error = {
      line: result.error.line,
      message: `${result.error.message}: a last record without its newline, torn by a crash during its append (the service cuts it when it next opens the log)`,
    };
  }
  return result;
}
