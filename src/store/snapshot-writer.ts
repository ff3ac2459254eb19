import { createRequire } from "node:module";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { SNAPSHOT_FILE, SNAPSHOT_SCHEMA } from "./snapshot-file.js";

/**
 * Writes the embedded store's snapshots on a worker thread, so that the SQLite work — tens of
 * thousands of rows and an fsync, about a second per 300,000 buffered predictions — never runs on
 * the event loop that answers judgements. The worker has its own connections: one to the snapshot
 * file (snapshot-file.ts), which only it writes, and one to the log file, whose rows a committed
 * snapshot covers and which it then deletes.
 *
 * Durability is the log's and is unchanged: a batch is acknowledged once its log row commits. A
 * snapshot is one transaction in the snapshot file recording the last log seq it covers; the
 * covered log rows are deleted after that commit, so a crash in between leaves rows that replay
 * skips (it reads only rows after the snapshot's seq).
 *
 * A snapshot is sent in parts (`begin`, any number of `joins` and `pairing` slices, `commit`) so
 * that the main thread can serialise a large join index and pairing queue a slice per tick; the
 * worker holds one transaction across the parts. Completion is posted back (`commit` resolves) and also published in shared
 * memory, so a caller that must finish synchronously (shutdown, erasure) can block on it.
 *
 * The worker is JavaScript evaluated from a string: it then runs the same under `tsx`, the test
 * runner and the compiled build, none of which need to load a TypeScript file into a worker.
 */
export interface SnapshotHeader {
  lastSeq: number;
  /**
   * the state JSON (counts, key registry, pending requests, pairing); the pairing's waiting
   * answers and pairs follow in `pairing` slices when there are any
   */
  state: string;
  upsertBuckets: Array<[key: string, body: string]>;
  deleteBuckets: string[];
  deleteJoins: string[];
  /** every join entry expiring before this is gone */
  deleteJoinsBefore: number;
  /** empty the bucket and join tables first: every live row follows */
  fullRewrite: boolean;
  /** drop the snapshot tables earlier versions kept in the log's file, once this one commits */
  dropLegacy: boolean;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.sqlite);
const signal = new Int32Array(workerData.signal);
const errorBytes = new Uint8Array(workerData.error);
const open = (file) => {
  const db = new Database(file, { timeout: 600000 });
  db.pragma("page_size = 65536");
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  return db;
};
const snap = open(workerData.snapshotFile);
snap.exec(workerData.schema);
const log = open(workerData.logFile);
const upB = snap.prepare("INSERT OR REPLACE INTO buckets (k, body) VALUES (?, ?)");
const delB = snap.prepare("DELETE FROM buckets WHERE k = ?");
const upJ = snap.prepare("INSERT OR REPLACE INTO joins (k, expires, body) VALUES (?, ?, ?)");
const delJ = snap.prepare("DELETE FROM joins WHERE k = ?");
let job;
function done(id, error) {
  const text = error === undefined ? "" : String(error && error.stack || error);
  const bytes = new TextEncoder().encode(text).subarray(0, errorBytes.length);
  errorBytes.fill(0);
  errorBytes.set(bytes);
  Atomics.store(signal, 1, error === undefined ? 1 : 2);
  Atomics.store(signal, 2, bytes.length);
  Atomics.store(signal, 0, id);
  Atomics.notify(signal, 0);
  parentPort.postMessage({ id, error: error === undefined ? undefined : text });
}
function abandon(error) {
  if (snap.inTransaction) snap.exec("ROLLBACK");
  job.error = error;
}
parentPort.on("message", (m) => {
  if (m.op === "begin") {
    job = { id: m.id, header: m.header, error: undefined };
    try {
      const h = m.header;
      snap.exec("BEGIN IMMEDIATE");
      if (h.fullRewrite) snap.exec("DELETE FROM buckets; DELETE FROM joins;");
      for (const [k, body] of h.upsertBuckets) upB.run(k, body);
      for (const k of h.deleteBuckets) delB.run(k);
      for (const k of h.deleteJoins) delJ.run(k);
      snap.prepare("DELETE FROM joins WHERE expires < ?").run(h.deleteJoinsBefore);
    } catch (e) { abandon(e); }
  } else if (m.op === "joins") {
    if (!job || job.id !== m.id || job.error !== undefined) return;
    try {
      for (const [k, entry] of JSON.parse(m.json)) upJ.run(k, entry.expires, JSON.stringify(entry));
    } catch (e) { abandon(e); }
  } else if (m.op === "pairing") {
    if (!job || job.id !== m.id || job.error !== undefined) return;
    try {
      job.pairing = job.pairing || { pending: [], awaiting: [] };
      for (const t of JSON.parse(m.json)) job.pairing[m.part].push(t);
    } catch (e) { abandon(e); }
  } else if (m.op === "commit") {
    if (!job || job.id !== m.id) return done(m.id, new Error("snapshot commit without its begin"));
    if (job.error !== undefined) return done(m.id, job.error);
    try {
      let state = job.header.state;
      if (job.pairing) {
        const parsed = JSON.parse(state);
        parsed.pairing.pending = job.pairing.pending;
        parsed.pairing.awaiting = job.pairing.awaiting;
        state = JSON.stringify(parsed);
      }
      snap.prepare("INSERT OR REPLACE INTO meta (k, v) VALUES ('state', ?)").run(state);
      snap.exec("COMMIT");
    } catch (e) { abandon(e); return done(m.id, e); }
    try {
      log.prepare("DELETE FROM log WHERE seq <= ?").run(job.header.lastSeq);
      if (job.header.dropLegacy) log.exec("DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS buckets; DROP TABLE IF EXISTS joins;");
    } catch (e) {
      // the snapshot is committed; rows it covers are skipped by replay and deleted next time
    }
    done(m.id, undefined);
  } else if (m.op === "compact") {
    try {
      for (const db of [snap, log]) { db.exec("VACUUM"); db.pragma("wal_checkpoint(TRUNCATE)"); }
      done(m.id, undefined);
    } catch (e) { done(m.id, e); }
  } else if (m.op === "close") {
    snap.close();
    log.close();
    done(m.id, undefined);
  }
});
`;

/** How long a synchronous wait for the worker may take before it is reported as stuck. */
const SYNC_WAIT_MS = 10 * 60_000;

export class SnapshotWriter {
  private readonly worker: Worker;
  private readonly signal: Int32Array;
  private readonly errorBytes: Uint8Array;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve(): void; reject(e: Error): void }>();
  private workerError: Error | undefined;

  constructor(dir: string, logFile: string) {
    const signal = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
    const error = new SharedArrayBuffer(4096);
    this.signal = new Int32Array(signal);
    this.errorBytes = new Uint8Array(error);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        sqlite: createRequire(import.meta.url).resolve("better-sqlite3"),
        snapshotFile: join(dir, SNAPSHOT_FILE),
        logFile,
        schema: SNAPSHOT_SCHEMA,
        signal,
        error,
      },
    });
    this.worker.on("message", (m: { id: number; error?: string }) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (m.error === undefined) w.resolve();
      else w.reject(new Error(`snapshot writer: ${m.error}`));
    });
    const fail = (e: Error) => {
      this.workerError = e;
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => fail(new Error(`snapshot writer exited (${code})`)));
    // never what keeps the process alive (the store closes it); after the listeners, since adding a
    // "message" listener refs the worker again
    this.worker.unref();
  }

  /** Start a snapshot transaction; returns its id for `joins` and `commit`. */
  begin(header: SnapshotHeader): number {
    this.checkAlive();
    const id = this.nextId++;
    this.worker.postMessage({ op: "begin", id, header });
    return id;
  }

  /**
   * A slice of join entries, as the JSON text of `[key, entry]` pairs: one string is copied to
   * the worker in one piece, where an array of rows would be cloned object by object on the event
   * loop; the worker splits it into rows.
   */
  joins(id: number, json: string): void {
    this.worker.postMessage({ op: "joins", id, json });
  }

  /**
   * A slice of the shadow pairing's waiting answers (`pending`) or pairs (`awaiting`), as the
   * JSON text of their tuples; the worker adds them to the state's `pairing` before writing it.
   */
  pairing(id: number, part: "pending" | "awaiting", json: string): void {
    this.worker.postMessage({ op: "pairing", id, part, json });
  }

  /** Commit the snapshot `id` (resolves once durable and the log rows it covers are deleted). */
  commit(id: number): Promise<void> {
    const settled = new Promise<void>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.worker.postMessage({ op: "commit", id });
    return settled;
  }

  /** Block until operation `id` finished; throws its error. For shutdown and erasure only. */
  waitSync(id: number): void {
    const deadline = Date.now() + SYNC_WAIT_MS;
    for (;;) {
      const seen = Atomics.load(this.signal, 0);
      if (seen >= id) break;
      if (Date.now() > deadline) throw new Error(`snapshot writer did not finish within ${SYNC_WAIT_MS} ms`);
      Atomics.wait(this.signal, 0, seen, 1000);
    }
    // the posted answer for this id is no longer awaited by anyone
    const w = this.waiting.get(id);
    this.waiting.delete(id);
    if (Atomics.load(this.signal, 0) === id && Atomics.load(this.signal, 1) === 2) {
      const length = Atomics.load(this.signal, 2);
      const message = new TextDecoder().decode(this.errorBytes.subarray(0, length));
      const e = new Error(`snapshot writer: ${message}`);
      w?.reject(e);
      throw e;
    }
    w?.resolve();
  }

  /** Commit `id` and block until it is durable. */
  commitSync(id: number): void {
    this.worker.postMessage({ op: "commit", id });
    this.waitSync(id);
  }

  /** VACUUM both files and truncate their WALs (erasure: deleted pages must not linger). */
  compactSync(): void {
    this.checkAlive();
    const id = this.nextId++;
    this.worker.postMessage({ op: "compact", id });
    this.waitSync(id);
  }

  closeSync(): void {
    if (this.workerError) return;
    const id = this.nextId++;
    this.worker.postMessage({ op: "close", id });
    this.waitSync(id);
    void this.worker.terminate();
  }

  private checkAlive(): void {
    if (this.workerError) throw this.workerError;
  }
}
