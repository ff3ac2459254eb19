import { request } from "node:http";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.js";
import { EmbeddedStore, storeOptionsFromConfig } from "../../src/store/embedded-store.js";
import { ingestionRouters } from "../../src/store/routers.js";
import { listen } from "../helpers/http.js";
import { manualClock, post, startApp, tempDir, testConfig } from "../store/harness.js";

const T0 = Date.parse("2026-11-24T10:00:00Z");
const NDJSON = "application/x-ndjson";

const ev = (i: number) => ({
  model: "fraud",
  version: i % 2 ? "base" : "cand",
  id: `r${i}`,
  ts: T0 - (i % 3600) * 1000,
  score: (i % 1000) / 1000,
  latencyMs: 1 + (i % 97),
  groups: { region: ["eu", "us", "apac"][i % 3] },
  features: { age: 18 + (i % 60), plan: i % 4 ? "pro" : "free" },
});

/** POST a body produced by a stream (never held whole in memory) and return the JSON answer. */
function postStream(
  url: string,
  body: Readable,
  contentType: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": contentType } }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c) => parts.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(parts).toString()) }),
      );
    });
    req.on("error", reject);
    body.pipe(req);
  });
}

describe("POST /v1/events over HTTP", () => {
  it("accepts a JSON array and answers with exact counts", async () => {
    using dir = tempDir();
    await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
    const r = await post(`${app.url}/v1/events`, JSON.stringify([ev(1), ev(2), ev(3)]), "application/json");
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ accepted: 3, rejected: 0, invalid: 0, errors: [] });
    const one = await post(`${app.url}/v1/events`, JSON.stringify(ev(4)), "application/json; charset=utf-8");
    expect(one.body.accepted).toBe(1);
    expect(app.store.cohort("fraud", "cand", undefined, T0 + 1)?.events).toBe(2);
  });

  it("streams 1,000,000 NDJSON events and counts every one exactly", { timeout: 600_000 }, async () => {
    using dir = tempDir();
    await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
    const N = 1_000_000;
    let i = 0;
    const body = new Readable({
      read() {
        let s = "";
        for (let k = 0; k < 2000 && i < N; k++, i++) s += `${JSON.stringify(ev(i))}\n`;
        this.push(s.length ? s : null);
      },
    });
    const r = await postStream(`${app.url}/v1/events`, body, NDJSON);
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ accepted: N, rejected: 0, invalid: 0, errors: [] });
    const cand = app.store.cohort("fraud", "cand", undefined, T0 + 1)!;
    const base = app.store.cohort("fraud", "base", undefined, T0 + 1)!;
    expect([cand.events, base.events]).toEqual([N / 2, N / 2]);
    expect(cand.scores.total + base.scores.total).toBe(N);
    // region of i is i % 3; cand holds the even i: eu = i ≡ 0 (mod 6) → ⌈N/6⌉
    expect(cand.group("region", "eu").n).toBe(Math.ceil(N / 6));
    const versions = (await (await fetch(`${app.url}/v1/models/fraud/versions`)).json()) as {
      versions: Array<{ events: number }>;
    };
    expect(versions.versions.map((v) => v.events)).toEqual([N / 2, N / 2]);
  });

  it("accepts valid lines and names each bad line and field (partial acceptance)", async () => {
    using dir = tempDir();
    await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
    const body = [
      JSON.stringify(ev(1)),
      "{not json",
      JSON.stringify({ ...ev(2), score: "NaN" }),
      JSON.stringify({ ...ev(3), score: 1.5 }),
      "",
      JSON.stringify({ model: "fraud" }),
      JSON.stringify({ ...ev(4), ts: T0 - 2 * 86_400_000 }),
      JSON.stringify(ev(5)),
    ].join("\n");
    const r = await post(`${app.url}/v1/events`, body, NDJSON);
    expect(r.status).toBe(202);
    expect(r.body.accepted).toBe(3);
    expect(r.body.rejected).toBe(4);
    expect(r.body.invalid).toBe(1);
    expect(r.body.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
      [2, ""],
      [3, "score"],
      [6, "version"],
      [7, "ts"],
    ]);
    expect(r.body.errors[1].message).toBe("must be a finite number");
    const base = app.store.cohort("fraud", "base", undefined, T0 + 1)!;
    expect([base.events, base.invalid, base.scores.total]).toEqual([3, 1, 2]);
  });

  it("rejects out-of-range scores when configured to", async () => {
    using dir = tempDir();
    await using app = await startApp(testConfig(dir.path, { "out-of-range-scores": "reject" }), {
      clock: manualClock(T0),
    });
    const r = await post(
      `${app.url}/v1/events`,
      JSON.stringify([{ ...ev(1), score: -0.2 }]),
      "application/json",
    );
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([
      { line: 1, field: "score", message: "must be within [0, 1] (MODELGATE_OUT_OF_RANGE_SCORES=reject)" },
    ]);
  });

  it("answers the bad-input matrix with named 4xx and keeps what was stored", async () => {
    using dir = tempDir();
    await using app = await startApp(
      testConfig(dir.path, { "max-body-bytes": "2048", "max-line-bytes": "512" }),
      {
        clock: manualClock(T0),
      },
    );
    const url = `${app.url}/v1/events`;
    expect((await post(url, JSON.stringify([ev(1)]), "application/json")).status).toBe(202);

    const malformed = await post(url, "[{", "application/json");
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe("malformed_json");

    const types = await post(
      url,
      JSON.stringify([{ model: 1, version: "v", score: 0.1 }]),
      "application/json",
    );
    expect([types.status, types.body.errors[0].field]).toEqual([422, "model"]);

    const big = await post(
      url,
      JSON.stringify(Array.from({ length: 40 }, (_, i) => ev(i))),
      "application/json",
    );
    expect(big.status).toBe(413);
    expect(big.body.error.message).toMatch(/limit of 2048 bytes/);

    const longLine = await post(url, `${JSON.stringify({ ...ev(2), id: "x".repeat(600) })}\n`, NDJSON);
    expect(longLine.status).toBe(422);
    expect(longLine.body.errors[0].message).toMatch(/line exceeds the limit of 512 bytes/);

    const type = await post(url, "model=fraud", "application/x-www-form-urlencoded");
    expect(type.status).toBe(415);
    expect(type.body.error.message).toMatch(/application\/x-ndjson/);
    const none = await fetch(url, { method: "POST", body: new Uint8Array([1, 2]) });
    expect(none.status).toBe(415);

    const notObject = await post(url, '[1, null, "x"]', "application/json");
    expect(notObject.body.errors.map((e: { message: string }) => e.message)).toEqual([
      "event must be a JSON object",
      "event must be a JSON object",
      "event must be a JSON object",
    ]);

    // the server is still up and nothing stored before was lost
    expect(app.store.cohort("fraud", "base", undefined, T0 + 1)?.events).toBe(1);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it("refuses records over a cardinality limit with 429 naming it, keeping earlier data", async () => {
    using dir = tempDir();
    await using app = await startApp(
      testConfig(dir.path, {
        "max-models": "1",
        "max-versions-per-model": "2",
        "max-group-values": "2",
        "max-features": "2",
      }),
      { clock: manualClock(T0) },
    );
    const url = `${app.url}/v1/events`;
    const r1 = await post(url, JSON.stringify([ev(0), ev(1)]), "application/json");
    expect(r1.body.accepted).toBe(2);
    const model = await post(url, JSON.stringify([{ ...ev(0), model: "other" }]), "application/json");
    expect(model.status).toBe(429);
    expect(model.body.errors[0]).toEqual({
      line: 1,
      field: "model",
      limit: "maxModels",
      message: "model limit of 1 reached (MODELGATE_MAX_MODELS)",
    });
    const mixed = await post(
      url,
      JSON.stringify([
        { ...ev(0), version: "third" },
        { ...ev(0), groups: { region: "mars" } },
        { ...ev(0), features: { age: 3, other: 1 } },
        ev(4),
      ]),
      "application/json",
    );
    expect(mixed.status).toBe(202);
    expect(mixed.body.accepted).toBe(1);
    expect(mixed.body.errors.map((e: { limit: string }) => e.limit)).toEqual([
      "maxVersionsPerModel",
      "maxGroupValues",
      "maxFeatures",
    ]);
    expect(app.store.cohort("fraud", "cand", undefined, T0 + 1)?.events).toBe(2);
  });
});

describe("POST /v1/outcomes over HTTP", () => {
  it("joins delayed labels by id into the AUC inputs and reports unknown and expired ones", async () => {
    using dir = tempDir();
    const clock = manualClock(T0);
    await using app = await startApp(testConfig(dir.path, { "join-ttl": "600" }), { clock });
    const preds = [
      { model: "fraud", version: "cand", id: "a", score: 0.9 },
      { model: "fraud", version: "cand", id: "b", score: 0.2 },
      { model: "fraud", version: "cand", id: "c", score: 0.7, groups: { region: "eu" } },
    ];
    await post(`${app.url}/v1/events`, JSON.stringify(preds), "application/json");
    const before = app.store.cohort("fraud", "cand", undefined, T0 + 1)!;
    expect(before.labelled).toBe(0);
    clock.advance(60_000);
    const r = await post(
      `${app.url}/v1/outcomes`,
      [
        JSON.stringify({ model: "fraud", id: "a", label: 1 }),
        JSON.stringify({ model: "fraud", id: "b", label: 0 }),
        JSON.stringify({ model: "fraud", id: "ghost", label: 1 }),
        JSON.stringify({ model: "fraud", version: "cand", score: 0.4, label: 0 }),
        JSON.stringify({ model: "fraud", id: "b", label: "maybe" }),
      ].join("\n"),
      NDJSON,
    );
    expect(r.status).toBe(202);
    expect(r.body).toEqual({
      accepted: 4,
      rejected: 1,
      outcomes: { joined: 2, unknown: 1, expired: 0, self: 1 },
      errors: [{ line: 5, field: "label", message: "must be 0, 1, true or false" }],
    });
    clock.advance(601_000);
    const late = await post(
      `${app.url}/v1/outcomes`,
      JSON.stringify({ model: "fraud", id: "c", label: 1 }),
      "application/json",
    );
    expect(late.body.outcomes).toEqual({ joined: 0, unknown: 0, expired: 1, self: 0 });
    // the self-contained outcome counts at its own time (arrival, one minute later)
    const after = app.store.cohort("fraud", "cand", undefined, T0 + 120_000)!;
    const bin = (h: typeof after.scoresPositive, x: number) => h.counts[h.binOf(x)];
    expect([after.scoresPositive.total, after.scoresNegative.total]).toEqual([1, 2]);
    expect([
      bin(after.scoresPositive, 0.9),
      bin(after.scoresNegative, 0.2),
      bin(after.scoresNegative, 0.4),
    ]).toEqual([1, 1, 1]);
    const models = (await (await fetch(`${app.url}/v1/models`)).json()) as {
      models: Array<{ unmatchedOutcomes: unknown }>;
    };
    expect(models.models[0].unmatchedOutcomes).toEqual({ unknown: 1, expired: 1 });
  });
});

describe("readiness while the store replays its log", () => {
  it("answers 503 on /readyz and ingestion until replay() is done, then accepts", async () => {
    using dir = tempDir();
    const config = testConfig(dir.path);
    const store = EmbeddedStore.open({ ...storeOptionsFromConfig(config), clock: manualClock(T0) });
    const app = createApp({ config, ready: () => store.ready, routers: ingestionRouters({ store, config }) });
    await using srv = await listen(app);
    expect((await fetch(`${srv.url}/readyz`)).status).toBe(503);
    const refused = await post(`${srv.url}/v1/events`, JSON.stringify([ev(1)]), "application/json");
    expect([refused.status, refused.body.error.code]).toEqual([503, "not_ready"]);
    await store.replay();
    expect((await fetch(`${srv.url}/readyz`)).status).toBe(200);
    expect((await post(`${srv.url}/v1/events`, JSON.stringify([ev(1)]), "application/json")).status).toBe(
      202,
    );
    store.close();
  });
});
