import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { cli } from "../cli/cli-io.js";
import { manualClock, post, startApp, tempDir, testConfig } from "../store/harness.js";

const T0 = Date.parse("2026-11-24T10:00:00Z");
const fixtures = JSON.parse(
  readFileSync(new URL("../ingest/fixtures/kserve-cloudevents.json", import.meta.url), "utf8"),
);
type Logged = { headers: Record<string, string>; body: unknown };

async function send(url: string, e: Logged, path = "/v1/cloudevents") {
  return post(`${url}${path}`, JSON.stringify(e.body), "application/json", e.headers);
}

/** A KServe event as pkg/logger/worker.go sends it (ce-endpoint empty: no controller sets the label). */
function kserve(
  kind: "request" | "response",
  id: string,
  body: unknown,
  headers: Record<string, string> = {},
): Logged {
  return {
    headers: {
      "ce-specversion": "1.0",
      "ce-id": id,
      "ce-source": "http://localhost:9081/",
      "ce-type": `org.kubeflow.serving.inference.${kind}`,
      "ce-time": new Date(T0 + (kind === "response" ? 20 : 0)).toISOString(),
      "ce-recordedtime": new Date(T0 + 25).toISOString(),
      "ce-inferenceservicename": "fraud",
      "ce-namespace": "models",
      "ce-component": "predictor",
      "ce-endpoint": "",
      "ce-metadata": "{}",
      ...headers,
    },
    body,
  };
}
const withVersion = (v: string) => ({ "ce-metadata": JSON.stringify({ "X-Model-Version": [v] }) });
const ask = (n = 1) => ({ instances: Array.from({ length: n }, (_, i) => [i, 10 * i]) });
const answer = (...p: number[]) => ({ predictions: p });

async function models(url: string) {
  return (await (await fetch(`${url}/v1/models`)).json()) as {
    models: Array<{ model: string }>;
    cloudEvents: Record<string, number>;
  };
}
async function versions(url: string, model: string) {
  const r = await fetch(`${url}/v1/models/${model}/versions`);
  return r.status === 404
    ? []
    : ((await r.json()) as { versions: Array<{ version: string; events: number; errors: number }> }).versions;
}

describe("KServe / Seldon CloudEvents over HTTP", () => {
  it("joins a v1 request and response by ce-id; a 200 error body is one error per instance", async () => {
    using dir = tempDir();
    await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
    const [req, res, , errReq, errRes] = fixtures.v1 as Logged[];
    expect((await send(app.url, req!)).body).toEqual({
      accepted: 1,
      rejected: 0,
      cloudevent: { kind: "request", id: req!.headers["ce-id"], pending: true },
    });
    const r = await send(app.url, res!, "/v1/events");
    expect(r.status).toBe(202);
    expect(r.body).toEqual({
      accepted: 2,
      rejected: 0,
      invalid: 0,
      errors: [],
      cloudevent: { kind: "response", id: res!.headers["ce-id"], paired: true },
    });
    await send(app.url, errReq!);
    expect((await send(app.url, errRes!)).body.accepted).toBe(1);
    const s = app.store.cohort("fraud", "84c2d", undefined, T0 + 86_400_000)!;
    expect([s.events, s.errors, s.scores.total]).toEqual([3, 1, 2]);
    expect([s.scores.counts[s.scores.binOf(0.9)], s.scores.counts[s.scores.binOf(0.2)]]).toEqual([1, 1]);
    // latency between the two ce-times: 42 ms twice, then 500 ms for the failed one
    expect([s.latency.count, s.latency.max]).toEqual([3, 500]);
    const f2 = s.features.get("2");
    expect(f2?.kind === "categorical" && Object.fromEntries(f2.counts)).toEqual({ eu: 1, us: 1 });
    expect(app.store.pending.requests.size).toBe(0);
  });

  it("a response that arrives before its request waits for it and still pairs (features, latency)", async () => {
    using dir = tempDir();
    await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
    const [req, res] = fixtures.v1 as Logged[];
    expect((await send(app.url, res!)).body).toEqual({
      accepted: 1,
      rejected: 0,
      cloudevent: { kind: "response", id: res!.headers["ce-id"], pending: true },
    });
    expect(app.store.cohort("fraud", "84c2d", undefined, T0 + 1)).toBeUndefined();
    const r = await send(app.url, req!);
    expect([r.status, r.body.accepted, r.body.cloudevent]).toEqual([
      202,
      2,
      { kind: "request", id: req!.headers["ce-id"], paired: true },
    ]);
    const s = app.store.cohort("fraud", "84c2d", undefined, T0 + 1)!;
    expect([s.scores.total, s.latency.count, s.latency.max]).toEqual([2, 2, 42]);
    expect(s.features.get("0")?.kind).toBe("numeric");
    expect((await models(app.url)).cloudEvents).toEqual({
      pendingRequests: 0,
      pendingResponses: 0,
      unansweredRequests: 0,
      unpairedRequests: 0,
    });
  });

  it("a response whose request never comes counts without features once its wait is over", async () => {
    using dir = tempDir();
    const clock = manualClock(T0);
    await using app = await startApp(testConfig(dir.path, { "cloudevent-response-wait": "5" }), { clock });
    await send(app.url, kserve("response", "lone", answer(0.7), withVersion("v1")));
    clock.advance(4_000);
    await send(app.url, kserve("request", "other", ask(), withVersion("v1")));
    expect(app.store.cohort("fraud", "v1", undefined, T0 + 1)).toBeUndefined();
    clock.advance(1_001);
    // any CloudEvent (or the store's one-second timer) settles what is overdue
    await send(app.url, kserve("request", "other-2", ask(), withVersion("v1")));
    const s = app.store.cohort("fraud", "v1", undefined, T0 + 1)!;
    expect([s.events, s.scores.total, s.features.size, s.latency.count]).toEqual([1, 1, 0, 0]);
  });

  it("a request unanswered after the TTL is one error per instance of its version, if its model answers at all", async () => {
    using dir = tempDir();
    const clock = manualClock(T0);
    await using app = await startApp(testConfig(dir.path, { "cloudevent-ttl": "60" }), { clock });
    await send(app.url, kserve("request", "ok-1", ask(), withVersion("v2")));
    await send(app.url, kserve("response", "ok-1", answer(0.4), withVersion("v2")));
    // KServe sends no response event for a failed (non-200) request
    await send(app.url, kserve("request", "failed-1", ask(3), withVersion("v2")));
    // a logger in mode "request" never sends responses: its requests are not failures
    await send(
      app.url,
      kserve("request", "log-only", ask(), {
        ...withVersion("v1"),
        "ce-inferenceservicename": "requests-only",
      }),
    );
    const errors = () => app.store.cohort("fraud", "v2", undefined, T0 + 1)?.errors;
    clock.advance(59_000);
    await send(app.url, kserve("request", "tick-1", ask(), { "ce-inferenceservicename": "tick" }));
    expect(errors()).toBe(0);
    clock.advance(1_001);
    await send(app.url, kserve("request", "tick-2", ask(), { "ce-inferenceservicename": "tick" }));
    expect(errors()).toBe(3);
    const s = app.store.cohort("fraud", "v2", undefined, T0 + 1)!;
    expect([s.events, s.scores.total]).toEqual([4, 1]); // filed at the request's time
    expect(app.store.cohort("requests-only", "v1", undefined, T0 + 1)).toBeUndefined();
    expect((await models(app.url)).cloudEvents).toEqual({
      pendingRequests: 2, // tick-1 and tick-2, still within their TTL
      pendingResponses: 0,
      unansweredRequests: 1,
      unpairedRequests: 1, // log-only
    });
  });

  it("two KServe revisions sending the same ce-endpoint are two versions when X-Model-Version tells them apart", async () => {
    using dir = tempDir();
    await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
    for (const [rev, version] of [
      ["00001", "6b7f9"],
      ["00002", "84c2d"],
    ]) {
      const h = { ...withVersion(version!), "ce-endpoint": "default" };
      await send(app.url, kserve("request", `r-${rev}`, ask(), h));
      expect((await send(app.url, kserve("response", `r-${rev}`, answer(0.3), h))).status).toBe(202);
    }
    expect((await versions(app.url, "fraud")).map((v) => [v.version, v.events])).toEqual([
      ["6b7f9", 1],
      ["84c2d", 1],
    ]);
    // ce-endpoint alone names no version: the request waits, its response is refused naming it
    const h = { "ce-endpoint": "default" };
    expect((await send(app.url, kserve("request", "anon", ask(), h))).status).toBe(202);
    const refused = await send(app.url, kserve("response", "anon", answer(0.3), h));
    expect([refused.status, refused.body.error.code, refused.body.error.field]).toEqual([
      400,
      "bad_cloudevent",
      "version",
    ]);
    expect(refused.body.error.message).toContain("X-Model-Version");
    expect((await versions(app.url, "fraud")).map((v) => v.version)).toEqual(["6b7f9", "84c2d"]);
  });

  describe("each way a version reaches an event", () => {
    async function pairOf(headers: Record<string, string>, path = "/v1/cloudevents") {
      using dir = tempDir();
      await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
      await send(app.url, kserve("request", "p", ask(), headers), path);
      const r = await send(app.url, kserve("response", "p", answer(0.6), headers), path);
      expect(r.body.cloudevent).toEqual({ kind: "response", id: "p", paired: true });
      return (await versions(app.url, "fraud")).map((v) => v.version);
    }

    it("?version= in the logger URL", async () => {
      expect(await pairOf({}, "/v1/cloudevents?version=v7")).toEqual(["v7"]);
    });

    it("x-modelgate-version, from a relay that forwards the events", async () => {
      expect(await pairOf({ "x-modelgate-version": "v7" })).toEqual(["v7"]);
    });

    it("X-Model-Version listed in logger.metadataHeaders (ce-metadata, keyed in Go's canonical case)", async () => {
      expect(await pairOf({ "ce-metadata": '{"X-Model-Version":["v7"],"Traceparent":["00-ab"]}' })).toEqual([
        "v7",
      ]);
    });

    it("modelgate.io/version listed in logger.metadataAnnotations (ce-annotations)", async () => {
      expect(await pairOf({ "ce-annotations": '{"modelgate.io/version":"v7","team":"risk"}' })).toEqual([
        "v7",
      ]);
    });

    it("model_version of a v2 answer: the pod-template-hash the model server read from the Downward API", async () => {
      using dir = tempDir();
      await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
      const [req, res] = fixtures.v2 as Logged[];
      await send(app.url, req!, "/v1/cloudevents?output=probabilities");
      const r = await send(app.url, res!, "/v1/cloudevents?output=probabilities");
      expect([r.body.accepted, r.body.cloudevent.paired]).toEqual([3, true]);
      const s = app.store.cohort("churn", "7d9c4f5b8", undefined, T0 + 1)!;
      expect([0.7, 0.05, 0.6].map((x) => s.scores.counts[s.scores.binOf(x)])).toEqual([1, 1, 1]);
      const tenure = s.features.get("tenure");
      expect(tenure?.kind === "numeric" && [tenure.sketch.count, tenure.sketch.max]).toEqual([3, 60]);
    });

    it("Seldon Core 1.x: the predictor's name in ce-endpoint, joined by ce-requestid", async () => {
      using dir = tempDir();
      await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
      await send(app.url, fixtures.seldon[0]);
      expect((await send(app.url, fixtures.seldon[1])).body.cloudevent.paired).toBe(true);
      const s = app.store.cohort("income", "v3", undefined, T0 + 1)!;
      expect([s.scores.total, s.features.get("age")?.kind, s.latency.max]).toEqual([1, "numeric", 15]);
    });
  });

  it("a relay's x-modelgate-latency-ms is the latency; without ce-time no latency is made up", async () => {
    using dir = tempDir();
    await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
    const v = withVersion("v1");
    await send(app.url, kserve("request", "a", ask(), v));
    await send(app.url, kserve("response", "a", answer(0.5), { ...v, "x-modelgate-latency-ms": "7.5" }));
    const bare = (kind: "request" | "response", body: unknown) => {
      const e = kserve(kind, "b", body, v);
      delete e.headers["ce-time"];
      return e;
    };
    await send(app.url, bare("request", ask()));
    await send(app.url, bare("response", answer(0.5)));
    const s = app.store.cohort("fraud", "v1", undefined, T0 + 1)!;
    expect([s.scores.total, s.latency.count, s.latency.max]).toEqual([2, 1, 7.5]);
  });

  it("handles structured-mode CloudEvents and names bad attributes", async () => {
    using dir = tempDir();
    await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
    const structured = await post(
      `${app.url}/v1/events?version=s1`,
      JSON.stringify({
        specversion: "1.0",
        id: "st-1",
        type: "org.kubeflow.serving.inference.response",
        source: "test",
        inferenceservicename: "struct",
        data: { predictions: [0.25] },
      }),
      "application/cloudevents+json",
    );
    expect(structured.body).toEqual({
      accepted: 1,
      rejected: 0,
      cloudevent: { kind: "response", id: "st-1", pending: true },
    });
    const noModel = await send(app.url, {
      headers: { "ce-type": "org.kubeflow.serving.inference.response", "ce-id": "x" },
      body: {},
    });
    expect([noModel.status, noModel.body.error.field]).toEqual([400, "ce-inferenceservicename"]);
    const badBody = await send(app.url, kserve("response", "x", { foo: 1 }, withVersion("1")));
    expect([badBody.status, badBody.body.error.field]).toEqual([400, "body"]);
  });

  describe("validated as /v1/events validates an event", () => {
    it("refuses ce-type outside the allow-list, prototype names included, on both URLs", async () => {
      using dir = tempDir();
      await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
      for (const type of ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf"]) {
        for (const path of ["/v1/cloudevents", "/v1/events"]) {
          const e = kserve("response", "t", answer(0.5), { ...withVersion("v1"), "ce-type": type });
          const r = await send(app.url, e, path);
          expect([r.status, r.body.error.code, r.body.error.field], `${type} ${path}`).toEqual([
            400,
            "bad_cloudevent",
            "ce-type",
          ]);
        }
      }
      expect((await models(app.url)).models).toEqual([]);
    });

    it("refuses model and version names events refuse, naming the attribute they came from", async () => {
      using dir = tempDir();
      await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
      const cases: Array<[Logged, string, string]> = [
        [
          kserve("request", "m", ask(), { ...withVersion("v1"), "ce-inferenceservicename": "<script>" }),
          "",
          "ce-inferenceservicename",
        ],
        [
          kserve("request", "m", ask(), { ...withVersion("v1"), "ce-inferenceservicename": "__proto__" }),
          "",
          "ce-inferenceservicename",
        ],
        [kserve("response", "m", answer(0.5), withVersion("v1")), "?model=__proto__", "model"],
        [kserve("request", "m", ask(), withVersion("<script>")), "", "ce-metadata"],
        [
          kserve("request", "m", ask(), { "ce-annotations": '{"modelgate.io/version":"__proto__"}' }),
          "",
          "ce-annotations",
        ],
        [kserve("response", "m", { ...answer(0.5), model_version: "__proto__" }), "", "model_version"],
      ];
      for (const [e, query, field] of cases) {
        const r = await send(app.url, e, `/v1/cloudevents${query}`);
        expect([r.status, r.body.error.code, r.body.error.field], field).toEqual([
          400,
          "bad_cloudevent",
          field,
        ]);
      }
      expect((await models(app.url)).models).toEqual([]);
      expect(app.store.pending.requests.size + app.store.pending.responses.size).toBe(0);
    });

    it("refuses a ce-time in year 275760 or year 0, or out of the accepted range, like an event ts", async () => {
      using dir = tempDir();
      await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
      const times = [
        ["+275760-09-13T00:00:00.000Z", "must be an RFC 3339 time"],
        ["275760-09-13T00:00:00Z", "must be an RFC 3339 time"],
        ["0000-01-01T00:00:00Z", "older than the retention"],
        [new Date(T0 + 2 * 3_600_000).toISOString(), "more than 1 hour in the future"],
      ];
      for (const [time, message] of times) {
        for (const kind of ["request", "response"] as const) {
          const r = await send(
            app.url,
            kserve(kind, "t", kind === "request" ? ask() : answer(0.5), {
              ...withVersion("v1"),
              "ce-time": time!,
            }),
          );
          expect([r.status, r.body.error.field], `${kind} ${time}`).toEqual([400, "ce-time"]);
          expect(r.body.error.message).toContain(message);
        }
      }
      expect((await models(app.url)).models).toEqual([]);
    });

    it("bounds the events one CloudEvent expands to: 413 naming the limit and its setting", async () => {
      using dir = tempDir();
      await using app = await startApp(testConfig(dir.path), { clock: manualClock(T0) });
      // about 600 kB: 100,000 predictions
      const big = kserve(
        "response",
        "big",
        { predictions: new Array(100_000).fill(0.125) },
        withVersion("v1"),
      );
      expect(JSON.stringify(big.body).length).toBeGreaterThan(590_000);
      const r = await send(app.url, big);
      expect([r.status, r.body.error.code, r.body.error.field]).toEqual([
        413,
        "too_many_predictions",
        "predictions",
      ]);
      expect(r.body.error.message).toBe(
        "predictions has 100000 entries; one CloudEvent may expand to at most 10000 predictions (MODELGATE_CLOUDEVENT_MAX_PREDICTIONS)",
      );
      const wide = await send(app.url, kserve("request", "big", ask(10_001), withVersion("v1")));
      expect([wide.status, wide.body.error.field]).toEqual([413, "instances"]);
      expect((await models(app.url)).models).toEqual([]);
    });

    it("takes the bound from MODELGATE_CLOUDEVENT_MAX_PREDICTIONS", async () => {
      using dir = tempDir();
      await using app = await startApp(testConfig(dir.path, { "cloudevent-max-predictions": "10" }), {
        clock: manualClock(T0),
      });
      const v = withVersion("v1");
      await send(app.url, kserve("request", "ten", ask(10), v));
      expect(
        (await send(app.url, kserve("response", "ten", answer(...new Array(10).fill(0.1)), v))).body.accepted,
      ).toBe(10);
      const r = await send(app.url, kserve("response", "eleven", answer(...new Array(11).fill(0.1)), v));
      expect([r.status, r.body.error.message]).toEqual([
        413,
        "predictions has 11 entries; one CloudEvent may expand to at most 10 predictions (MODELGATE_CLOUDEVENT_MAX_PREDICTIONS)",
      ]);
    });
  });

  it("reads protected attributes from the inputs an operator mapped (MODELGATE_CLOUDEVENT_MODELS)", async () => {
    using dir = tempDir();
    const settings = {
      fraud: { groups: { region: { instances: "region" } } },
      churn: { groups: { sex: { inputs: "sex" } } },
    };
    const config = testConfig(dir.path, { "cloudevent-models": JSON.stringify(settings) });
    await using app = await startApp(config, { clock: manualClock(T0) });
    const v = withVersion("v1");
    await send(
      app.url,
      kserve(
        "request",
        "g",
        {
          instances: [
            { age: 30, region: "eu" },
            { age: 41, region: "us" },
          ],
        },
        v,
      ),
    );
    await send(app.url, kserve("response", "g", answer(0.9, 0.2), v));
    const labelled = await post(
      `${app.url}/v1/outcomes`,
      JSON.stringify({ model: "fraud", id: "g#0", label: 1 }),
      "application/json",
    );
    expect(labelled.body.outcomes.joined).toBe(1);
    const s = app.store.cohort("fraud", "v1", undefined, T0 + 1)!;
    const region = s.groups.get("region")!;
    expect([region.get("eu")?.n, region.get("eu")?.selected, region.get("eu")?.tp]).toEqual([1, 1, 1]);
    expect([region.get("us")?.n, region.get("us")?.selected]).toEqual([1, 0]);
    // v2: an input tensor by name; the request's version comes from the answer's model_version
    const inputs = [
      { name: "sex", shape: [2, 1], datatype: "BYTES", data: ["f", "m"] },
      { name: "tenure", shape: [2], datatype: "FP32", data: [3, 40] },
    ];
    await send(app.url, kserve("request", "h", { inputs }, { "ce-inferenceservicename": "churn" }));
    const outputs = [{ name: "p", shape: [2], datatype: "FP32", data: [0.8, 0.1] }];
    await send(
      app.url,
      kserve("response", "h", { model_version: "7d9c4", outputs }, { "ce-inferenceservicename": "churn" }),
    );
    const c = app.store.cohort("churn", "7d9c4", undefined, T0 + 1)!;
    expect([...c.groups.get("sex")!].map(([value, g]) => [value, g.n, g.selected])).toEqual([
      ["f", 1, 1],
      ["m", 1, 0],
    ]);
  });

  it("modelgate serve refuses per-model settings with an unknown key, naming it and the known ones", async () => {
    const env = (models: string) => ({
      MODELGATE_CLOUDEVENT_MODELS: models,
      MODELGATE_DATA_DIR: "/nonexistent",
    });
    const typo = await cli(["serve"], { env: env('{"fraud": {"groups": {"region": {"colum": "region"}}}}') });
    expect([typo.code, typo.stderr]).toEqual([
      2,
      "modelgate serve: invalid setting MODELGATE_CLOUDEVENT_MODELS fraud.groups.region.colum: unknown key (known: instances, inputs)\n",
    ]);
    const notJson = await cli(["serve"], { env: env("{fraud}") });
    expect([notJson.code, notJson.stderr]).toEqual([
      2,
      expect.stringContaining("MODELGATE_CLOUDEVENT_MODELS: must be JSON"),
    ]);
  });
});
