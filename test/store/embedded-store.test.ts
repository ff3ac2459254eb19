import { describe, expect, it } from "vitest";
import { BatchResult } from "../../src/ingest/batch-result.js";
import type { EmbeddedStore, InputRecord } from "../../src/store/embedded-store.js";
import { Journal } from "../../src/store/journal.js";
import { manualClock, openStore, tempDir, testConfig } from "./harness.js";

const T0 = Date.parse("2026-11-24T10:00:00Z");

function lines(objs: unknown[]): InputRecord[] {
  return objs.map((o, i) => ({ line: i + 1, text: JSON.stringify(o) }));
}

function events(n: number, from = 0, extra: Record<string, unknown> = {}) {
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
      features: { age: 18 + (i % 50), plan: i % 4 ? "pro" : "free" },
      ...extra,
    };
  });
}

const summaries = (s: EmbeddedStore) =>
  s
    .listCohorts()
    .map(({ model, version }) => ({
      model,
      version,
      summary: s.cohort(model, version, undefined, T0 + 86_400_000)?.toJSON(),
    }))
    .sort((a, b) => a.version.localeCompare(b.version));

describe("EmbeddedStore durability (real SQLite files)", () => {
  it("rebuilds the same summaries from the log alone after a crash (no snapshot)", async () => {
    using dir = tempDir();
    const clock = manualClock(T0 + 600_000);
    const config = testConfig(dir.path);
    const a = await openStore(config, { clock });
    const r = new BatchResult();
    a.ingestEvents(lines(events(5000)), r);
    a.ingestOutcomes(
      lines([
        { model: "fraud", id: "r1", label: 1 },
        { model: "fraud", id: "nope", label: 0 },
      ]),
      r,
    );
    expect(r.accepted).toBe(5002);
    expect(r.outcomes).toEqual({ joined: 1, unknown: 1, expired: 0, self: 0 });
    // "crash": the first store is abandoned without close() (no final snapshot)
    const b = await openStore(config, { clock });
    expect(summaries(b)).toEqual(summaries(a));
    expect(b.versions("fraud")?.map((v) => [v.version, v.events, v.labelled])).toEqual([
      ["cand", 2500, 0],
      ["base", 2500, 1],
    ]);
    expect(b.models()[0].unknownOutcomes).toBe(1);
    b.close();
  });

  it("restores snapshot + later log, including the outcome join index", async () => {
    using dir = tempDir();
    const clock = manualClock(T0 + 600_000);
    const config = testConfig(dir.path);
    const a = await openStore(config, { clock });
    a.ingestEvents(lines(events(3000)), new BatchResult());
    a.snapshot();
    expect(a.logBacklog()).toBe(0);
    a.ingestEvents(lines(events(1000, 3000)), new BatchResult());
    expect(a.logBacklog()).toBe(1);
    const before = summaries(a);
    const b = await openStore(config, { clock });
    expect(summaries(b)).toEqual(before);
    expect(b.versions("fraud")?.reduce((n, v) => n + v.events, 0)).toBe(4000);
    // predictions from before the snapshot and after it still join their outcomes
    const r = new BatchResult();
    b.ingestOutcomes(
      lines([
        { model: "fraud", id: "r10", label: 1 },
        { model: "fraud", id: "r3500", label: 0 },
      ]),
      r,
    );
    expect(r.outcomes.joined).toBe(2);
    const cand = b.cohort("fraud", "cand", undefined, T0 + 86_400_000)!;
    expect([cand.scoresPositive.total, cand.scoresNegative.total]).toEqual([1, 1]);
    b.close();
    const c = await openStore(config, { clock });
    expect(c.cohort("fraud", "cand", undefined, T0 + 86_400_000)?.labelled).toBe(2);
    c.close();
  });

  it("keeps a pending CloudEvent request across a restart", async () => {
    using dir = tempDir();
    const clock = manualClock(T0);
    const config = testConfig(dir.path);
    const a = await openStore(config, { clock });
    const half = { id: "ce-1", model: "iris", version: "v1", ts: T0, stamped: true };
    a.cloudEventRequest({ ...half, instances: 1, features: [{ x: 1 }] }, new BatchResult());
    const b = await openStore(config, { clock });
    const r = new BatchResult();
    const paired = b.cloudEventResponse({ ...half, ts: T0 + 5, scores: [0.4] }, r);
    expect(paired).toBe("paired");
    expect(b.cohort("iris", "v1", undefined, T0 + 1)?.features.get("x")?.kind).toBe("numeric");
    b.close();
  });

  it("prunes by retention at snapshot time and keeps the rest", async () => {
    using dir = tempDir();
    const clock = manualClock(T0);
    const config = testConfig(dir.path, { retention: "3600", bucket: "60" });
    const a = await openStore(config, { clock });
    a.ingestEvents(lines([{ model: "m", version: "old", score: 0.1, ts: T0 - 1000 }]), new BatchResult());
    clock.advance(30 * 60_000);
    a.ingestEvents(lines([{ model: "m", version: "new", score: 0.1 }]), new BatchResult());
    clock.advance(40 * 60_000);
    a.snapshot();
    expect(a.listCohorts()).toEqual([{ model: "m", version: "new" }]);
    a.close();
    const b = await openStore(config, { clock });
    expect(b.listCohorts()).toEqual([{ model: "m", version: "new" }]);
    b.close();
  });
});

describe("EmbeddedStore join index after a restart", () => {
  it("evicts loaded entries first, oldest first, within the maximum", async () => {
    using dir = tempDir();
    const clock = manualClock(T0 + 600_000);
    const config = testConfig(dir.path, { "join-max-entries": "10" });
    const a = await openStore(config, { clock });
    for (let i = 0; i < 10; i++) {
      a.ingestEvents(lines([{ model: "m", version: "v", id: `old${i}`, score: 0.5 }]), new BatchResult());
      clock.advance(1);
    }
    a.close();
    const b = await openStore(config, { clock });
    expect(b.state.joins.size).toBe(10);
    b.ingestEvents(
      lines([
        { model: "m", version: "v", id: "new0", score: 0.5 },
        { model: "m", version: "v", id: "new1", score: 0.5 },
      ]),
      new BatchResult(),
    );
    expect(b.state.joins.size).toBe(10);
    const r = new BatchResult();
    b.ingestOutcomes(lines(["old0", "old1", "old2", "new1"].map((id) => ({ model: "m", id, label: 1 }))), r);
    expect(r.outcomes).toEqual({ joined: 2, unknown: 2, expired: 0, self: 0 });
    b.close();
  });
});

describe("EmbeddedStore.ingestLines (NDJSON blocks logged as raw bytes)", () => {
  const ndjson = (objs: unknown[], eol = "\n") =>
    Buffer.from(objs.map((o) => JSON.stringify(o)).join(eol) + eol);

  it("names each bad line by its number in the stream, logs only the accepted ones, and replays them", async () => {
    using dir = tempDir();
    const clock = manualClock(T0 + 600_000);
    const config = testConfig(dir.path);
    const a = await openStore(config, { clock });
    const good = events(6);
    // lines 101..109 of a stream: two good, malformed, bad score type, blank, good, too long, good ×2
    const block = Buffer.concat([
      ndjson(good.slice(0, 2), "\r\n"),
      Buffer.from('{"model":"fraud",\n'),
      ndjson([{ ...good[2], score: "high" }]),
      Buffer.from("\n"),
      ndjson([good[2]]),
      Buffer.from(`{"model":"fraud","pad":"${"x".repeat(300)}"}\n`),
      ndjson(good.slice(3, 5)),
    ]);
    const r = new BatchResult();
    expect(a.ingestLines("events", block, 101, 256, r)).toBe(9);
    expect(r.accepted).toBe(5);
    expect(r.errors.map((e) => [e.line, e.field])).toEqual([
      [103, ""],
      [104, "score"],
      [107, ""],
    ]);
    expect(r.errors[0].message).toMatch(/^malformed JSON/);
    expect(r.errors[2].message).toMatch(/exceeds the limit of 256 bytes/);
    const before = summaries(a);
    expect(before.reduce((n, c) => n + (c.summary?.events ?? 0), 0)).toBe(5);
    // crash without snapshot: the log alone rebuilds exactly the accepted events
    const b = await openStore(config, { clock });
    expect(summaries(b)).toEqual(before);
    b.close();
  });

  it("keeps counting into a bucket after a snapshot (the cached bucket is marked dirty again)", async () => {
    using dir = tempDir();
    const clock = manualClock(T0 + 600_000);
    const config = testConfig(dir.path);
    const a = await openStore(config, { clock });
    const same = (n: number, from: number) => events(n, from).map((e) => ({ ...e, ts: T0 }));
    a.ingestLines("events", ndjson(same(100, 0)), 1, 65_536, new BatchResult());
    a.snapshot();
    a.ingestLines("events", ndjson(same(50, 100)), 1, 65_536, new BatchResult());
    a.snapshot(); // the log is truncated: the second batch lives only in the bucket rows now
    expect(a.logBacklog()).toBe(0);
    const b = await openStore(config, { clock });
    expect(b.versions("fraud")?.map((v) => v.events)).toEqual([75, 75]);
    expect(summaries(b)).toEqual(summaries(a));
    b.close();
  });
});

describe("EmbeddedStore log rows of both forms", () => {
  it("replays TEXT rows written by earlier versions next to BLOB blocks", async () => {
    using dir = tempDir();
    const clock = manualClock(T0 + 600_000);
    const config = testConfig(dir.path);
    const a = await openStore(config, { clock });
    a.ingestLines(
      "events",
      Buffer.from(
        `${events(30)
          .map((e) => JSON.stringify(e))
          .join("\n")}\n`,
      ),
      1,
      65_536,
      new BatchResult(),
    );
    // abandoned without close (no snapshot): its block stays in the log; then an earlier version's row: the accepted lines as one TEXT value
    const j = new Journal(dir.path);
    j.append(
      "e",
      T0 + 600_000,
      events(20, 30)
        .map((e) => JSON.stringify(e))
        .join("\n"),
    );
    j.append("o", T0 + 600_000, JSON.stringify({ model: "fraud", id: "r1", label: 1 }));
    const kinds = j.db.prepare("SELECT typeof(body) AS t FROM log ORDER BY seq").all() as Array<{
      t: string;
    }>;
    j.close();
    expect(kinds.map((k) => k.t)).toEqual(["blob", "text", "text"]);
    const b = await openStore(config, { clock });
    expect(b.versions("fraud")?.reduce((n, v) => n + v.events, 0)).toBe(50);
    expect(b.versions("fraud")?.reduce((n, v) => n + v.labelled, 0)).toBe(1);
    b.ingestLines(
      "events",
      Buffer.from(`${JSON.stringify(events(1, 50)[0])}\n`),
      1,
      65_536,
      new BatchResult(),
    );
    const c = new Journal(dir.path);
    const last = c.db.prepare("SELECT typeof(body) AS t FROM log ORDER BY seq DESC LIMIT 1").get() as {
      t: string;
    };
    c.close();
    expect(last.t).toBe("blob");
    b.close();
  });
});
