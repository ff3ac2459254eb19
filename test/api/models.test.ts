import { describe, expect, it } from "vitest";
import { manualClock, post, startApp, tempDir, testConfig } from "../store/harness.js";

const T0 = Date.parse("2026-11-24T10:00:00Z");

describe("GET /v1/models", () => {
  it("lists models and versions with counts and time ranges", async () => {
    using dir = tempDir();
    await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
    expect(await (await fetch(`${app.url}/v1/models`)).json()).toEqual({
      models: [],
      cloudEvents: { pendingRequests: 0, pendingResponses: 0, unansweredRequests: 0, unpairedRequests: 0 },
    });
    await post(
      `${app.url}/v1/events`,
      JSON.stringify([
        { model: "fraud", version: "a", id: "1", score: 0.9, ts: T0 - 5000 },
        { model: "fraud", version: "a", error: true, ts: T0 - 1000 },
        { model: "fraud", version: "a", score: 3, label: 1 },
        { model: "fraud", version: "b", latencyMs: 4, ts: T0 - 2000 },
      ]),
      "application/json",
    );
    await post(
      `${app.url}/v1/outcomes`,
      JSON.stringify([
        { model: "fraud", id: "1", label: 1 },
        { model: "fraud", id: "2", label: 1 },
      ]),
      "application/json",
    );
    expect(await (await fetch(`${app.url}/v1/models`)).json()).toEqual({
      models: [
        {
          model: "fraud",
          versions: 2,
          events: 4,
          unmatchedOutcomes: { unknown: 1, expired: 0 },
          firstTs: new Date(T0 - 5000).toISOString(),
          lastTs: new Date(T0).toISOString(),
        },
      ],
      cloudEvents: { pendingRequests: 0, pendingResponses: 0, unansweredRequests: 0, unpairedRequests: 0 },
    });
    const v = (await (await fetch(`${app.url}/v1/models/fraud/versions`)).json()) as { versions: unknown[] };
    expect(v.versions[0]).toEqual({
      version: "a",
      events: 3,
      scored: 1,
      labelled: 1,
      errors: 1,
      invalid: 1,
      expiredOutcomes: 0,
      buckets: 2, // T0 - 5 s falls in the minute bucket before T0's
      firstTs: new Date(T0 - 5000).toISOString(),
      lastTs: new Date(T0).toISOString(),
    });
    const missing = await fetch(`${app.url}/v1/models/nope/versions`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { field: string } }).error.field).toBe("model");
  });
});
