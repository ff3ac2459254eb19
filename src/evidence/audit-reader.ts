import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { AuditChainVerifier, type AuditRecord, type AuditVerification } from "../judge/audit.js";

/** A record line longer than this is taken as damage, not read into memory whole. */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;

export interface AuditScan {
  verification: AuditVerification;
  /** bytes read: the file's size when the scan started (or `untilBytes`) */
  bytes: number;
}

/**
 * Read an audit log (judge/audit.ts format) from the start, verifying the hash chain line by line,
 * and hand every verified record to `visit`; stops at the first bad line (reported in the result).
 * Memory: one 1 MiB chunk and the line being assembled, whatever the log's size.
 *
 * The file is read with synchronous reads between which the event loop gets a turn: the service
 * appends to this file synchronously on the same thread, so a read never sees half of an append,
 * and records appended after the scan started (beyond the size taken at the start) are left for
 * the next scan. `untilBytes` stops earlier (a second pass over exactly what a first pass saw).
 */
export async function scanAuditFile(
  path: string,
  visit: (record: AuditRecord) => void,
  opts: { untilBytes?: number } = {},
): Promise<AuditScan> {
  const fd = openSync(path, "r");
  try {
    const size = Math.min(fstatSync(fd).size, opts.untilBytes ?? Number.POSITIVE_INFINITY);
    const verifier = new AuditChainVerifier();
    const buffer = Buffer.alloc(CHUNK_BYTES);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let position = 0;
    let broken = false;
    const line = (text: string) => {
      const record = verifier.push(text);
      if (record) visit(record);
      else broken = true;
    };
    while (position < size && !broken) {
      const read = readSync(fd, buffer, 0, Math.min(CHUNK_BYTES, size - position), position);
      if (read === 0) break;
      position += read;
      let start = 0;
      for (
        let nl = buffer.indexOf(10, start);
        nl !== -1 && nl < read && !broken;
        nl = buffer.indexOf(10, start)
      ) {
        pending.push(buffer.subarray(start, nl));
        line(Buffer.concat(pending).toString("utf8"));
        pending = [];
        pendingBytes = 0;
        start = nl + 1;
      }
      if (!broken && start < read) {
        // copied: the buffer is reused by the next read
        pending.push(Buffer.from(buffer.subarray(start, read)));
        pendingBytes += read - start;
        if (pendingBytes > MAX_RECORD_BYTES) {
          verifier.reject(`record longer than ${MAX_RECORD_BYTES} bytes`);
          broken = true;
        }
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    // a last line without its newline is checked like any other (a torn write breaks the chain)
    if (!broken && pendingBytes > 0) line(Buffer.concat(pending).toString("utf8"));
    return { verification: verifier.result(), bytes: size };
  } finally {
    closeSync(fd);
  }
}
