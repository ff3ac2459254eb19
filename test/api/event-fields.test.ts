import { describe, expect, it } from "vitest";
import { manualClock, openStore, post, startApp, tempDir, testConfig } from "../store/harness.js";

const T0 = Date.parse("2026-11-24T10:00:00Z");
const NDJSON = "application/x-ndjson";
const event = { model: "fraud", version: "v1", ts: T0 - 1000 };

describe("event fields outside the vocabulary", () => {
  it("are line errors naming the field, in JSON and NDJSON alike, and the rest of the batch is stored", async () => {
    using dir = tempDir();
    await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
    const lines = [
      { ...event, score: 0.4, lable: 1 },
      { ...event, score: 0.4, latency_ms: 12 },
      { ...event, score: 0.4, label: 1, latencyMs: 12 },
    ];
    const expected = [
      [1, "lable", "did you mean label?"],
      [2, "latency_ms", "did you mean latencyMs?"],
    ];
    for (const [body, type] of [
      [JSON.stringify(lines), "application/json"],
      [lines.map((l) => JSON.stringify(l)).join("\n"), NDJSON],
    ]) {
      const r = await post(`${app.url}/v1/events`, body, type);
      expect(r.status).toBe(202);
      expect([r.body.accepted, r.body.rejected]).toEqual([1, 2]);
      expect(
        r.body.errors.map((e: { line: number; field: string; message: string }) => [
          e.line,
          e.field,
          /\((.*)\)/.exec(e.message)?.[1],
        ]),
      ).toEqual(expected);
      expect(r.body).not.toHaveProperty("ignoredFields");
    }
    // only the complete line is stored, twice (once per format): with its label and latency
    const v1 = app.store.cohort("fraud", "v1", undefined, T0 + 1)!;
    expect([v1.events, v1.latency.count, v1.scoresPositive.total]).toEqual([2, 2, 2]);
    const outcome = await post(
      `${app.url}/v1/outcomes`,
      JSON.stringify([{ model: "fraud", id: "r1", label: 1, groupz: { sex: "f" } }]),
      "application/json",
    );
    expect(outcome.status).toBe(422);
    expect(outcome.body.errors[0].field).toBe("groupz");
  });

  it("are stored without the field and counted by name with MODELGATE_UNKNOWN_EVENT_FIELDS=ignore; replay keeps them", async () => {
    using dir = tempDir();
    const clock = manualClock(T0);
    const ignoring = testConfig(dir.path, { "unknown-event-fields": "ignore" });
    const app = await startApp(ignoring, { clock });
    const body = [
      { ...event, score: 0.4, lable: 1 },
      { ...event, score: 0.5, lable: 0, latency_ms: 3 },
      { ...event, score: "high", lable: 1 },
    ]
      .map((l) => JSON.stringify(l))
      .join("\n");
    const r = await post(`${app.url}/v1/events`, body, NDJSON);
    expect(r.status).toBe(202);
    // the line refused for its score does not count its ignored field
    expect(r.body).toMatchObject({ accepted: 2, rejected: 1, ignoredFields: { lable: 2, latency_ms: 1 } });
    const clean = await post(
      `${app.url}/v1/events`,
      JSON.stringify({ ...event, score: 0.1 }),
      "application/json",
    );
    expect(clean.body.ignoredFields).toEqual({});
    expect(app.store.cohort("fraud", "v1", undefined, T0 + 1)?.events).toBe(3);
    // a crash before any snapshot: the log holds the lines as received, unknown fields included, and a
    // restart with the default (reject) policy must not drop what was acknowledged
    const restarted = await openStore(testConfig(dir.path), { clock });
    expect(restarted.cohort("fraud", "v1", undefined, T0 + 1)?.events).toBe(3);
    restarted.close();
    await app[Symbol.asyncDispose]();
  });
});
