import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { BatchResult } from "../../src/ingest/batch-result.js";
import { deleteModel } from "../../src/store/delete-model.js";
import { EmbeddedStore, storeOptionsFromConfig } from "../../src/store/embedded-store.js";

const MARKER = "ERASE-ME-7731";
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function open(dataDir: string) {
  const config = loadConfig({}, { "data-dir": dataDir, "max-models": "2" });
  const store = EmbeddedStore.open({ ...storeOptionsFromConfig(config), snapshotEveryRecords: 1e9 });
  await store.replay();
  return store;
}

function ingest(store: EmbeddedStore, events: object[]): BatchResult {
  const result = new BatchResult();
  store.ingestEvents(
    events.map((value, i) => ({ line: i + 1, value })),
    result,
  );
  return result;
}

/** Every byte the store keeps on disk (log and snapshot databases, their WALs and shared memory), as latin1 text. */
function diskText(dataDir: string): string {
  return [
    "modelgate.db",
    "modelgate.db-wal",
    "modelgate.db-shm",
    "snapshot.db",
    "snapshot.db-wal",
    "snapshot.db-shm",
  ]
    .map((f) => join(dataDir, f))
    .filter(existsSync)
    .map((p) => readFileSync(p).toString("latin1"))
    .join("");
}

describe("deleteModel", () => {
  it("erases a model's summaries, counts, keys, join entries, pending requests and logged lines, durably", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "modelgate-erase-"));
    dirs.push(dataDir);
    let store = await open(dataDir);
    const ts = store.now() - 1000;
    const ev = (model: string, version: string, i: number) => ({
      model,
      version,
      ts,
      score: (i % 10) / 10,
      id: `${model}-${i}`,
      features: { zip: `${MARKER}-${model}`, income: 1000 + i },
    });
    expect(ingest(store, [ev("credit", "a", 1), ev("credit", "b", 2), ev("keep", "a", 3)]).accepted).toBe(3);
    store.snapshot();
    // more after the snapshot: these lines sit in the log only
    expect(ingest(store, [ev("credit", "a", 4), ev("keep", "a", 5)]).accepted).toBe(2);
    store.cloudEventRequest(
      {
        id: "req-1",
        model: "credit",
        version: "a",
        ts,
        stamped: true,
        instances: 1,
        features: [{ zip: MARKER }],
      },
      new BatchResult(),
    );
    expect(diskText(dataDir)).toContain(`${MARKER}-credit`);
    const keepBefore = store.versions("keep");

    expect(deleteModel(store, "credit")).toEqual({
      model: "credit",
      versions: 2,
      events: 3,
      buckets: 2,
      pendingOutcomes: 3,
      pendingRequests: 1,
    });
    expect(store.versions("credit")).toBeUndefined();
    expect(store.versions("keep")).toEqual(keepBefore);
    expect(store.cohort("credit", "a", undefined, Date.now() + 1)).toBeUndefined();
    expect(deleteModel(store, "credit")).toBeUndefined();
    // the model's slot is free again (max-models is 2: keep + a new one)
    expect(ingest(store, [ev("other", "a", 6)]).accepted).toBe(1);
    expect(diskText(dataDir)).not.toContain(MARKER + "-credit");
    // kill -9 equivalent: no close(), reopen from what is on disk
    store = await open(dataDir);
    expect(store.versions("credit")).toBeUndefined();
    expect(store.versions("keep")).toEqual(keepBefore);
    expect(store.versions("other")?.[0].events).toBe(1);
    // no join entry or pending request of the model came back from disk; the other model's did
    const joinModels = [...store.state.joins.entries.keys()].map((k) => k.split("\u0000")[0]);
    expect(joinModels.sort()).toEqual(["keep", "keep", "other"]);
    expect([...store.pending.requests.values()].map((r) => r.model)).toEqual([]);
    store.close();
    expect(diskText(dataDir)).not.toContain(MARKER + "-credit");
    expect(diskText(dataDir)).toContain(MARKER + "-keep");
  });
});
