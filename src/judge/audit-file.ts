import {
  appendFileSync,
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from "node:fs";
import { dirname } from "node:path";
import { type AuditVerification, verifyAuditChain } from "./audit.js";
import type { AuditStorage } from "./history.js";

/**
 * Cut a torn last record: bytes after the file's last newline. Every record is appended as one line
 * ending in a newline and fsynced before its judgement is answered, so bytes without their newline are
 * a record whose append a crash (SIGKILL, power loss) interrupted, never one anybody was told of.
 * Left in place, the next record would follow it and the chain would read as broken there. A bad
 * line that *has* its newline is not touched: that is damage or tampering, for verification to
 * report. Returns the bytes cut (0 when the file ends in a newline or does not exist).
 */
export function cutTornTail(path: string): number {
  if (!existsSync(path)) return 0;
  const size = statSync(path).size;
  if (size === 0) return 0;
  // read backwards from the end, a chunk at a time, to the last newline: the log can be large
  const fd = openSync(path, "r+");
  try {
    const chunk = Buffer.alloc(64 * 1024);
    let keep = 0;
    for (let end = size; end > 0 && keep === 0; ) {
      const start = Math.max(0, end - chunk.length);
      const read = readSync(fd, chunk, 0, end - start, start);
      const at = chunk.subarray(0, read).lastIndexOf(0x0a);
      if (at >= 0) keep = start + at + 1;
      end = start;
    }
    if (keep === size) return 0;
    ftruncateSync(fd, keep);
    fsyncSync(fd);
    return size - keep;
  } finally {
    closeSync(fd);
  }
}

/**
 * The audit log on disk: JSON lines appended with an fsync each, so an acknowledged judgement
 * survives a crash; a record torn by a crash during its append is cut when the log is opened
 * (`onTorn` hears of it). This file is the judge's only I/O, kept behind AuditStorage so the judge
 * itself stays pure and tests use memory.
 */
export function fileAuditStorage(path: string, onTorn?: (bytes: number) => void): AuditStorage {
  mkdirSync(dirname(path), { recursive: true });
  const torn = cutTornTail(path);
  if (torn > 0) onTorn?.(torn);
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
