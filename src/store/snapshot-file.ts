import { join } from "node:path";
import Database from "better-sqlite3";

/**
 * The embedded store's snapshot: a SQLite file of its own (`snapshot.db`, WAL, synchronous=FULL)
 * beside the log (`modelgate.db`). It holds what replay starts from — `meta` (the state JSON with
 * the last log seq it covers), `buckets` (one summary per model/version/time bucket) and `joins`
 * (predictions waiting for their outcome) — and is written by the snapshot worker
 * (snapshot-writer.ts). A file of its own because SQLite locks per file: a snapshot transaction
 * in the log's file would hold the lock every ingestion append needs, and the append would wait
 * on the event loop.
 *
 * Earlier versions kept these tables inside `modelgate.db`; `readLegacySnapshot` reads them once
 * so that the first snapshot moves them here.
 */
export const SNAPSHOT_FILE = "snapshot.db";

export const SNAPSHOT_SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS buckets (k TEXT PRIMARY KEY, body TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS joins (k TEXT PRIMARY KEY, expires INTEGER NOT NULL, body TEXT NOT NULL);
`;

export interface StoredSnapshot {
  state: string;
  buckets: Array<{ k: string; body: string }>;
  /** oldest expiry first, the order they are re-added in */
  joins: Array<{ k: string; body: string }>;
}

/** Open (creating) a snapshot database with the store's durability settings. */
export function openSnapshotDb(dir: string): Database.Database {
  const db = new Database(join(dir, SNAPSHOT_FILE));
  db.pragma("page_size = 65536");
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(SNAPSHOT_SCHEMA);
  return db;
}

/** The snapshot in `db`'s meta/buckets/joins tables, or undefined when none was written. */
export function readSnapshotTables(db: Database.Database): StoredSnapshot | undefined {
  const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
  if (!hasMeta) return undefined;
  const state = (db.prepare("SELECT v FROM meta WHERE k = 'state'").get() as { v: string } | undefined)?.v;
  if (state === undefined) return undefined;
  return {
    state,
    buckets: db.prepare("SELECT k, body FROM buckets").all() as Array<{ k: string; body: string }>,
    joins: db.prepare("SELECT k, body FROM joins ORDER BY expires").all() as Array<{
      k: string;
      body: string;
    }>,
  };
}

/** The last snapshot in `dir`'s snapshot file (created empty when missing). */
export function readSnapshot(dir: string): StoredSnapshot | undefined {
  const db = openSnapshotDb(dir);
  try {
    return readSnapshotTables(db);
  } finally {
    db.close();
  }
}
