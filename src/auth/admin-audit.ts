import { type AuditRecord, type AuditVerification, sealRecord, verifyAuditChain } from "../judge/audit.js";
import type { AuditStorage } from "../judge/history.js";

/** One administrative action as recorded: what, on what, by which token (its name), when. */
export interface AdminAuditPayload {
  action: "erase_model";
  model: string;
  /** name of the token that asked ("anonymous" when authentication is off) */
  principal: string;
  /** ISO time of the action */
  at: string;
  /** what was removed, e.g. counts of versions and events */
  result: Record<string, unknown>;
}

/**
 * The audit log of administrative actions (erasures), `<data-dir>/admin/audit.jsonl`: the same
 * hash chain and fsynced file format as the judgement audit log (judge/audit.ts), kept apart
 * from it so each chain has one writer. It holds names and counts, never data values.
 */
export class AdminAudit {
  private last: AuditRecord | undefined;
  readonly integrity: AuditVerification;

  constructor(private readonly storage: AuditStorage) {
    const text = storage.readAll();
    this.integrity = verifyAuditChain(text);
    const lines = text.split("\n").filter((l) => l.trim() !== "");
    // chain on from the last record that parses (a torn line is reported by `integrity`)
    for (let i = lines.length - 1; i >= 0 && !this.last; i--) {
      try {
        this.last = JSON.parse(lines[i]) as AuditRecord;
      } catch {}
    }
  }

  /** Append one record durably; returns it (seq and hash identify it). */
  record(payload: AdminAuditPayload): AuditRecord<AdminAuditPayload> {
    const rec = sealRecord(this.last, payload);
    this.storage.append(JSON.stringify(rec));
    this.last = rec;
    return rec;
  }
}
