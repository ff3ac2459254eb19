import { describe, expect, it } from "vitest";
import { BatchResult } from "../../src/ingest/batch-result.js";
import { createEmbeddedSource } from "../../src/sources/embedded.js";
import { manualClock, openStore, tempDir, testConfig } from "../store/harness.js";

const T0 = Date.parse("2026-11-24T10:00:00Z");
const MIN = 60_000;

describe("createEmbeddedSource", () => {
  it("answers a cohort merged from the window's buckets, undefined for an unknown version", async () => {
    using dir = tempDir();
    const store = await openStore(testConfig(dir.path), { clock: manualClock(T0 + 30 * MIN) });
    const records = Array.from({ length: 30 }, (_, i) => ({
      line: i + 1,
      value: { model: "fraud", version: "cand", ts: T0 + i * MIN, score: i / 30, latencyMs: 10 + i },
    }));
    store.ingestEvents(records, new BatchResult());
    const source = createEmbeddedSource(store);
    expect(source.name).toBe("embedded");
    const last10 = await source.cohort({
      model: "fraud",
      version: "cand",
      from: T0 + 20 * MIN,
      to: T0 + 30 * MIN,
    });
    expect(last10?.events).toBe(10);
    expect(last10?.latency.min).toBe(30);
    const all = await source.cohort({ model: "fraud", version: "cand", to: T0 + 30 * MIN });
    expect(all?.events).toBe(30);
    expect(await source.cohort({ model: "fraud", version: "nope", to: T0 })).toBeUndefined();
    expect(await source.firstSeen("fraud", "cand")).toBe(T0);
    expect(await source.firstSeen("fraud", "nope")).toBeUndefined();
    store.close();
  });
});
