import { describe, expect, it } from "vitest";
import { BatchResult } from "../../src/ingest/batch-result.js";
import { deleteModel } from "../../src/store/delete-model.js";
import type { EmbeddedStore } from "../../src/store/embedded-store.js";
import { manualClock, openStore, tempDir, testConfig } from "../store/harness.js";
import { pairedTraffic } from "./traffic.js";

const T0 = Date.parse("2026-11-24T10:00:00Z");
const records = (xs: unknown[]) => xs.map((value, i) => ({ line: i + 1, value }));
const paired = (s: EmbeddedStore) =>
  s.state.pairing?.window("fraud", "stable", "challenger", undefined, T0 + 86_400_000)?.summary.toJSON();

describe("pairing state durability in the embedded store", () => {
  it("is rebuilt from the log after a crash and restored from the snapshot plus later log", async () => {
    using dir = tempDir();
    const clock = manualClock(T0 + 600_000);
    const config = testConfig(dir.path);
    const t = pairedTraffic({ n: 1000, seed: 21, aucDrop: 0.5, flipRegion: "north", flipRate: 0.1, ts: T0 });
    const a = await openStore(config, { clock });
    const r = new BatchResult();
    a.ingestEvents(records(t.baseline.slice(0, 600)), r);
    a.ingestEvents(records(t.candidate.slice(0, 500)), r);
    a.ingestOutcomes(records(t.labels.slice(0, 300).map((l) => ({ model: "fraud", ...l }))), r);
    // "crash": abandoned without close(); the log alone rebuilds the pairs
    const b = await openStore(config, { clock });
    expect(paired(b)).toEqual(paired(a));
    expect(paired(b)?.pairs).toBe(500);
    expect(paired(b)?.labelled).toBe(300);
    // snapshot, then more traffic (the 100 waiting baseline answers pair after the restart)
    b.snapshot();
    clock.advance(10_000);
    b.ingestEvents(records(t.candidate.slice(500, 600)), r);
    b.ingestOutcomes(records(t.labels.slice(300, 600).map((l) => ({ model: "fraud", ...l }))), r);
    const c = await openStore(config, { clock });
    expect(paired(c)).toEqual(paired(b));
    expect(paired(c)?.pairs).toBe(600);
    expect(paired(c)?.labelled).toBe(600);
    c.close();
  });

  it("erasing the model erases its pairs, also after a restart", async () => {
    using dir = tempDir();
    const clock = manualClock(T0 + 600_000);
    const config = testConfig(dir.path);
    const t = pairedTraffic({ n: 300, seed: 22, ts: T0 });
    const a = await openStore(config, { clock });
    const r = new BatchResult();
    a.ingestEvents(records([...t.baseline, ...t.candidate.slice(0, 200)]), r);
    expect(paired(a)?.pairs).toBe(200);
    deleteModel(a, "fraud");
    expect(paired(a)).toBeUndefined();
    a.close();
    const b = await openStore(config, { clock });
    expect(paired(b)).toBeUndefined();
    expect(b.state.pairing?.pending.size).toBe(0);
    b.close();
  });
});
