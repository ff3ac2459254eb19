import { type AuditRecord, type AuditVerification, sealRecord, verifyAuditChain } from "./audit.js";
import type { JudgeResponse } from "./judgement.js";
import { SequentialRuns } from "./sequential-runs.js";

/** Where audit lines go: a file in production (audit-file.ts), a string in tests. */
export interface AuditStorage {
  /** the whole log so far ("" when new) */
  readAll(): string;
  /** append one line (without its newline) durably */
  append(line: string): void;
}

export function memoryAuditStorage(): AuditStorage & { text: string } {
  const s = {
    text: "",
    readAll: () => s.text,
    append: (line: string) => {
      s.text += `${line}\n`;
    },
  };
  return s;
}

/** What one audit record holds: the answer as sent (minus its id, which is derived from the hash). */
export interface AuditPayload {
  lookKey: string;
  response: JudgeResponse;
}

/** The id of a judgement is a prefix of its audit record's hash, so an id commits to the content. */
export const judgementId = (hash: string) => `j-${hash.slice(0, 20)}`;

/**
 * Judgement history and look counting. Every judgement is appended to the hash-chained audit
 * log; on start the log is replayed, so look numbers and history survive a restart. The look
 * count is bookkeeping for people reading the answers: validity does not depend on it, because
 * every decision is made by time-uniform statistics on the cumulative window.
 * Memory: the last `limit` judgements and one counter per look key.
 */
export class JudgementHistory {
  private readonly looks = new Map<string, number>();
  private readonly recent: JudgeResponse[] = [];
  private readonly byId = new Map<string, JudgeResponse>();
  private last: AuditRecord | undefined;
  /** runs with a declared look schedule: their contrasts' information per look (rebuilt on replay) */
  readonly sequences = new SequentialRuns();
  /** result of verifying the log found at start (a broken chain is reported, not repaired) */
  readonly integrity: AuditVerification;

  /**
   * `onReplay` sees every judgement found in the log at start, oldest first, whatever `limit`
   * keeps in memory (the verdict events use it to know what was already sent).
   */
  constructor(
    private readonly storage: AuditStorage = memoryAuditStorage(),
    private readonly limit = 10_000,
    onReplay?: (response: JudgeResponse) => void,
  ) {
    const text = storage.readAll();
    this.integrity = verifyAuditChain(text);
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      let rec: AuditRecord<AuditPayload>;
      try {
        rec = JSON.parse(line) as AuditRecord<AuditPayload>;
      } catch {
        continue;
      }
      const p = rec.payload;
      if (!p?.response?.judgement) continue;
      this.looks.set(p.lookKey, Math.max(this.looks.get(p.lookKey) ?? 0, p.response.judgement.look));
      const replayed = { ...p.response, judgement: { ...p.response.judgement, id: judgementId(rec.hash) } };
      this.remember(replayed);
      this.sequences.observe(p.lookKey, replayed);
      onReplay?.(replayed);
      this.last = rec;
    }
  }

  /** Number of the next look for this key (1 for the first). */
  nextLook(lookKey: string): number {
    const n = (this.looks.get(lookKey) ?? 0) + 1;
    this.looks.set(lookKey, n);
    return n;
  }

  looksOf(lookKey: string): number {
    return this.looks.get(lookKey) ?? 0;
  }

  /** Seal the judgement into the audit log and history; returns it with its id set. */
  record(lookKey: string, response: JudgeResponse): JudgeResponse {
    const { id: _unused, ...meta } = response.judgement;
    const payload: AuditPayload = { lookKey, response: { ...response, judgement: { ...meta, id: "" } } };
    const rec = sealRecord(this.last, payload);
    this.storage.append(JSON.stringify(rec));
    this.last = rec;
    const stored = { ...response, judgement: { ...response.judgement, id: judgementId(rec.hash) } };
    this.remember(stored);
    this.sequences.observe(lookKey, stored);
    return stored;
  }

  get(id: string): JudgeResponse | undefined {
    return this.byId.get(id);
  }

  /** Newest first, optionally for one model. */
  list(filter: { model?: string; limit?: number } = {}): JudgeResponse[] {
    const out: JudgeResponse[] = [];
    for (let i = this.recent.length - 1; i >= 0 && out.length < (filter.limit ?? 100); i--) {
      const r = this.recent[i];
      if (filter.model === undefined || r.judgement.model === filter.model) out.push(r);
    }
    return out;
  }

  private remember(r: JudgeResponse): void {
    this.recent.push(r);
    this.byId.set(r.judgement.id, r);
    if (this.recent.length > this.limit) {
      const old = this.recent.shift();
      if (old) this.byId.delete(old.judgement.id);
    }
  }
}
