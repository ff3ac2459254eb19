import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { BatchResult } from "../../src/ingest/batch-result.js";
import type { EmbeddedStore, InputRecord } from "../../src/store/embedded-store.js";
import { Journal } from "../../src/store/journal.js";
import { manualClock, openStore, tempDir, testConfig } from "./harness.js";

const T0 = Date.parse("2026-11-24T10:00:00Z");

const lines = (objs: unknown[]): InputRecord[] =>
  objs.map((o, i) => ({ line: i + 1, text: JSON.stringify(o) }));

/** Predictions with request ids: each waits in the join index for its outcome. */
function predictions(n: number, from = 0) {
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return {
      model: "fraud",
      version: i % 2 ? "base" : "cand",
      id: `r${i}`,
      ts: T0 + (i % 600) * 1000,
      score: (i % 100) / 100,
      latencyMs: 1 + (i % 40),
      groups: { region: ["eu", "us", "apac"][i % 3] },
    };
  });
}

/** The same request answered by both versions (shadow traffic): pairs waiting for their label. */
function shadowPairs(n: number, from = 0) {
  return Array.from({ length: n }, (_, k) => k + from).flatMap((i) =>
    ["base", "cand"].map((version) => ({
      model: "fraud",
      version,
      id: `p${i}`,
      ts: T0,
      score: (i % 10) / 10,
    })),
  );
}

/** Everything a restart must reproduce: counts and summaries, the join index, the shadow pairing. */
const held = (s: EmbeddedStore) => ({
  pairing: s.state.pairing?.toJSON(),
  versions: s.versions("fraud"),
  summaries: s
    .listCohorts()
    .map(({ model, version }) => [version, s.cohort(model, version, undefined, T0 + 86_400_000)?.toJSON()])
    .sort(),
  joins: [...s.state.joins.entries].sort(([a], [b]) => a.localeCompare(b)),
});

describe("snapshots in the background (writer thread, join entries sliced between ticks)", () => {
  it("capture the state at the log's last seq while ingestion goes on; a restart reproduces everything", async () => {
    using dir = tempDir();
    const clock = manualClock(T0 + 600_000);
    const config = testConfig(dir.path);
    const a = await openStore(config, { clock });
    a.ingestEvents(lines(predictions(9000)), new BatchResult());
    a.ingestEvents(lines(shadowPairs(1500)), new BatchResult());
    let ticks = 0;
    let writing = true;
    const count = () => {
      ticks++;
      if (writing) setImmediate(count);
    };
    setImmediate(count);
    const written = a.snapshotInBackground();
    // while the snapshot is on its way: new predictions, outcomes taking entries it captured, and
    // outcomes for predictions it did not capture
    const r = new BatchResult();
    a.ingestEvents(lines(predictions(3000, 9000)), r);
    a.ingestEvents(lines(shadowPairs(100, 1500)), r);
    a.ingestOutcomes(
      lines([
        { model: "fraud", id: "r10", label: 1 },
        { model: "fraud", id: "r11", label: 0 },
        { model: "fraud", id: "r9500", label: 1 },
        { model: "fraud", id: "p7", label: 1 },
        { model: "fraud", id: "p1550", label: 0 },
      ]),
      r,
    );
    expect(r.outcomes.joined).toBe(5);
    await written;
    writing = false;
    // 12,000 join entries and 9,000 waiting answers and pairs go in slices of 1,000: the event loop
    // turned between them
    expect(ticks).toBeGreaterThanOrEqual(20);
    // the log now holds only what came after the snapshot (the three batches above)
    expect(a.logBacklog()).toBe(3);
    const before = held(a);
    // "crash": the first store abandoned without a final snapshot
    const b = await openStore(config, { clock });
    expect(held(b)).toEqual(before);
    expect(b.versions("fraud")?.reduce((n, v) => n + v.events, 0)).toBe(12_000 + 3200);
    expect(b.versions("fraud")?.reduce((n, v) => n + v.labelled, 0)).toBe(3 + 4);
    const pairing = b.state.pairing?.toJSON();
    expect(pairing?.awaiting).toHaveLength(1600 - 2);
    expect(pairing?.pending.length).toBeGreaterThan(0);
    b.close();
  });

  it("a synchronous snapshot finishes the one in flight first, and close() leaves nothing to replay", async () => {
    using dir = tempDir();
    const clock = manualClock(T0 + 600_000);
    const config = testConfig(dir.path);
    const a = await openStore(config, { clock });
    a.ingestEvents(lines(predictions(6000)), new BatchResult());
    const inFlight = a.snapshotInBackground();
    a.ingestEvents(lines(predictions(500, 6000)), new BatchResult());
    a.snapshot();
    await inFlight;
    expect(a.logBacklog()).toBe(0);
    const before = held(a);
    a.close();
    const b = await openStore(config, { clock });
    expect(b.logBacklog()).toBe(0);
    expect(held(b)).toEqual(before);
    b.close();
  });

  it("moves a snapshot kept inside the log's file by earlier versions into the snapshot file", async () => {
    using dir = tempDir();
    const clock = manualClock(T0 + 600_000);
    const config = testConfig(dir.path);
    const a = await openStore(config, { clock });
    a.ingestEvents(lines(predictions(2000)), new BatchResult());
    a.close();
    // the earlier layout: meta, buckets and joins inside modelgate.db, no snapshot.db
    const log = new Journal(dir.path);
    log.db.exec(`ATTACH '${join(dir.path, "snapshot.db")}' AS s;
      CREATE TABLE meta AS SELECT * FROM s.meta;
      CREATE TABLE buckets AS SELECT * FROM s.buckets;
      CREATE TABLE joins AS SELECT * FROM s.joins;
      DETACH s;`);
    log.close();
    for (const f of ["snapshot.db", "snapshot.db-wal", "snapshot.db-shm"])
      rmSync(join(dir.path, f), { force: true });
    const b = await openStore(config, { clock });
    const migrated = held(b);
    expect(migrated.versions?.reduce((n, v) => n + v.events, 0)).toBe(2000);
    expect(migrated.joins).toHaveLength(2000);
    b.snapshot();
    b.close();
    const tables = new Database(join(dir.path, "modelgate.db"), { readonly: true });
    const names = (
      tables.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>
    ).map((t) => t.name);
    tables.close();
    expect(names.filter((n) => ["meta", "buckets", "joins"].includes(n))).toEqual([]);
    expect(existsSync(join(dir.path, "snapshot.db"))).toBe(true);
    const c = await openStore(config, { clock });
    expect(held(c)).toEqual(migrated);
    c.close();
  });
});
