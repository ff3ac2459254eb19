import { describe, expect, it } from "vitest";
import { formatSoak, runSoak } from "../../bench/soak.js";

describe("bounded soak (10 s): sustained ingestion with concurrent judgements", () => {
  it("answers no 5xx, stores every acknowledged event, reports judge p99 and RSS", async () => {
    const r = await runSoak({ durationMs: 10_000, ingesters: 4, judges: 2, batch: 100 });
    console.log(formatSoak(r));
    expect(r.serverErrors).toBe(0);
    expect(Object.keys(r.statuses).filter((s) => s.startsWith("network"))).toEqual([]);
    expect(r.eventsAcked).toBeGreaterThan(0);
    expect(r.judgements).toBeGreaterThan(0);
    expect(r.eventsStored).toBe(r.eventsAcked);
    expect(Number.isFinite(r.judgeMs.p99)).toBe(true);
    expect(r.rssMb.max).toBeGreaterThan(0);
  }, 60_000);
});
