import { appendFileSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { type AuditVerification, verifyAuditChain } from "./audit.js";
import type { AuditStorage } from "./history.js";

/**
 * The audit log on disk: JSON lines appended with an fsync each, so an acknowledged judgement
 * survives a crash. This file is the judge's only I/O, kept behind AuditStorage so the judge
 * itself stays pure and tests use memory.
 */
export function fileAuditStorage(path: string): AuditStorage {
  mkdirSync(dirname(path), { recursive: true });
  return {
    readAll: () => (existsSync(path) ? readFileSync(path, "utf8") : ""),
    append(line: string) {
      const fd = openSync(path, "a");
      try {
        appendFileSync(fd, `${line}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/** `modelgate audit verify`: check the whole chain of an audit log file. */
export function verifyAuditFile(path: string): AuditVerification {
  if (!existsSync(path)) throw new Error(`audit log ${path} does not exist`);
  return verifyAuditChain(readFileSync(path, "utf8"));
}
