import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { answeredEvents, type RequestHalf, unansweredEvents } from "../../src/ingest/cloudevent-events.js";
import {
  type CloudEventSettingsError,
  instanceGroups,
  parseCloudEventModels,
} from "../../src/ingest/cloudevent-groups.js";
import { featureRows, flatten, inputTable } from "../../src/ingest/cloudevent-inputs.js";
import { type CloudEventMeta, cloudEventMeta } from "../../src/ingest/cloudevent-meta.js";
import { responseOutputs, scoreOf } from "../../src/ingest/cloudevent-outputs.js";
import { readCloudEvent } from "../../src/ingest/cloudevents.js";

const fixtures = JSON.parse(
  readFileSync(new URL("./fixtures/kserve-cloudevents.json", import.meta.url), "utf8"),
);
const NOW = 1_000;
const LIMIT = { maxPredictions: 10_000 };

describe("cloudEventMeta", () => {
  it("reads a KServe request: model from the ISVC name, version from X-Model-Version in ce-metadata", () => {
    expect(cloudEventMeta(fixtures.v1[0].headers, {}, NOW)).toEqual({
      kind: "request",
      flavour: "kserve",
      id: "5f8a0b1e-1111-4c1a-9d1e-v1pair",
      model: "fraud",
      modelFrom: "ce-inferenceservicename",
      version: "84c2d",
      versionFrom: "ce-metadata",
      ts: Date.parse("2026-11-24T10:00:00.000Z"),
      stamped: true,
    });
  });

  it("takes the version from ?version=, x-modelgate-version, ce-metadata, ce-annotations; KServe's ce-endpoint never", () => {
    const h = {
      "ce-type": "org.kubeflow.serving.inference.response",
      "ce-id": "i",
      "ce-inferenceservicename": "m",
    };
    const v = (headers: Record<string, string>, query: Record<string, unknown> = {}) => {
      const m = cloudEventMeta({ ...h, ...headers }, query, NOW) as CloudEventMeta;
      return [m.version, m.versionFrom];
    };
    const all = {
      "x-modelgate-version": "hdr",
      "ce-metadata": '{"X-Model-Version":["meta"]}',
      "ce-annotations": '{"modelgate.io/version":"anno"}',
      "ce-endpoint": "default",
    };
    expect(v(all, { version: "query" })).toEqual(["query", "version"]);
    expect(v(all)).toEqual(["hdr", "x-modelgate-version"]);
    expect(v({ ...all, "x-modelgate-version": "" })).toEqual(["meta", "ce-metadata"]);
    // a relay that lower-cased the JSON keys is read too
    expect(v({ "ce-metadata": '{"x-model-version":["lower"]}' })).toEqual(["lower", "ce-metadata"]);
    expect(v({ "ce-annotations": all["ce-annotations"], "ce-endpoint": "default" })).toEqual([
      "anno",
      "ce-annotations",
    ]);
    // every KServe revision sends the same ce-endpoint (empty, or "default" in KServe's own tests)
    expect(v({ "ce-metadata": "not json", "ce-endpoint": "default" })).toEqual([undefined, undefined]);
    expect(v({ "ce-endpoint": "fraud-predictor-00002" })).toEqual([undefined, undefined]);
  });

  it("joins Seldon events by ce-requestid and takes the predictor (ce-endpoint) as the version", () => {
    const m = cloudEventMeta(fixtures.seldon[1].headers, {}, NOW) as CloudEventMeta;
    expect([m.kind, m.flavour, m.id, m.model, m.version, m.versionFrom]).toEqual([
      "response",
      "seldon",
      "seldon-1",
      "income",
      "v3",
      "ce-endpoint",
    ]);
  });

  it("refuses types outside the allow-list, prototype names included, naming ce-type", () => {
    for (const type of ["com.example.other", "toString", "__proto__", "constructor", "hasOwnProperty"]) {
      expect(
        cloudEventMeta({ "ce-type": type, "ce-id": "x", "ce-inferenceservicename": "m" }, {}, NOW),
      ).toEqual({
        field: "ce-type",
        message: expect.stringContaining(`got "${type}"`),
      });
    }
    expect(cloudEventMeta({ "ce-type": "org.kubeflow.serving.inference.request" }, {}, NOW)).toEqual(
      expect.objectContaining({ field: "ce-id" }),
    );
  });

  it("reads ce-time as RFC 3339 only, and x-modelgate-latency-ms as a non-negative number", () => {
    const h = {
      "ce-type": "org.kubeflow.serving.inference.response",
      "ce-id": "i",
      "ce-inferenceservicename": "m",
    };
    const t = (time: string) => cloudEventMeta({ ...h, "ce-time": time }, {}, NOW);
    expect((t("2026-11-24T10:00:00.5+01:00") as CloudEventMeta).ts).toBe(
      Date.parse("2026-11-24T09:00:00.5Z"),
    );
    for (const bad of ["yesterday", "2026-11-24", "+275760-09-13T00:00:00Z", "275760-01-01T00:00:00Z"]) {
      expect(t(bad)).toEqual(expect.objectContaining({ field: "ce-time" }));
    }
    // year 0 is well-formed: the store refuses it as out of range, as it refuses such an event ts
    expect((t("0000-01-01T00:00:00Z") as CloudEventMeta).ts).toBe(Date.parse("0000-01-01T00:00:00Z"));
    expect((cloudEventMeta(h, {}, NOW) as CloudEventMeta).stamped).toBe(false);
    expect(
      (cloudEventMeta({ ...h, "x-modelgate-latency-ms": "12.5" }, {}, NOW) as CloudEventMeta).latencyMs,
    ).toBe(12.5);
    for (const bad of ["-1", "fast", " "]) {
      expect(cloudEventMeta({ ...h, "x-modelgate-latency-ms": bad }, {}, NOW)).toEqual(
        expect.objectContaining({ field: "x-modelgate-latency-ms" }),
      );
    }
  });
});

describe("bodies", () => {
  const rows = (body: unknown, maxFeatures = 100) => {
    const t = inputTable(body);
    return t && featureRows(t, maxFeatures);
  };

  it("reads v1 instances and predictions (predict_proba pairs → positive class)", () => {
    expect(rows(fixtures.v1[0].body)).toEqual([
      { "0": 34, "1": 1200.5, "2": "eu" },
      { "0": 51, "1": 80, "2": "us" },
    ]);
    expect(responseOutputs(fixtures.v1[1].body, LIMIT)).toEqual({ scores: [0.9, 0.2] });
    expect(responseOutputs(fixtures.v1[4].body, LIMIT)).toEqual({ failed: true });
  });

  it("reads v2 tensors: [N] and [N,k] inputs, the first output or the one named, and model_version", () => {
    expect(rows(fixtures.v2[0].body)).toEqual([
      { tenure: 1, "x[0]": 0.5, "x[1]": 1.5 },
      { tenure: 24, "x[0]": 2.5, "x[1]": 3.5 },
      { tenure: 60, "x[0]": 4.5, "x[1]": 5.5 },
    ]);
    expect(responseOutputs(fixtures.v2[1].body, LIMIT)).toEqual({
      scores: [1, 0, 1],
      modelVersion: "7d9c4f5b8",
    });
    expect(responseOutputs(fixtures.v2[1].body, { ...LIMIT, output: "probabilities" })).toEqual({
      scores: [0.7, 0.05, 0.6],
      modelVersion: "7d9c4f5b8",
    });
    expect(responseOutputs(fixtures.v2[1].body, { ...LIMIT, output: "nope" })).toEqual(
      expect.objectContaining({ field: "outputs" }),
    );
    expect(responseOutputs({ outputs: [{ name: "p", shape: [2, 2], data: [1, 2, 3] }] }, LIMIT)).toEqual(
      expect.objectContaining({ field: "outputs.shape" }),
    );
  });

  it("reads Seldon ndarray bodies with their names", () => {
    expect(rows(fixtures.seldon[0].body)).toEqual([{ age: 39, hours: 40 }]);
    expect(responseOutputs(fixtures.seldon[1].body, LIMIT)).toEqual({ scores: [0.19] });
  });

  it("drops features wider than the limit or nested, keeps the instance count", () => {
    expect(rows({ instances: [[1, 2, 3]] }, 2)).toBeUndefined();
    expect(inputTable({ instances: [[1, 2, 3]] })?.n).toBe(1);
    expect(
      rows({
        instances: [
          [
            [1, 2],
            [3, 4],
          ],
        ],
      }),
    ).toBeUndefined();
    // columns named like prototype keys are skipped, never stored
    expect(rows({ instances: [JSON.parse('{"__proto__": 1, "constructor": 2, "age": 3}')] })).toEqual([
      { age: 3 },
    ]);
  });

  it("never recurses into deep nesting: 100,000 levels are not tabular and not a score", () => {
    const deep = JSON.parse(`${"[".repeat(100_000)}0.5${"]".repeat(100_000)}`);
    expect(flatten(deep, 2)).toBeUndefined();
    expect(scoreOf(deep)).toBeUndefined();
    expect(responseOutputs({ predictions: [deep] }, LIMIT)).toEqual({ scores: [null] });
    expect(responseOutputs({ outputs: [{ name: "p", shape: [1], data: deep }] }, LIMIT)).toEqual(
      expect.objectContaining({ field: "outputs.shape" }),
    );
    expect(rows({ inputs: [{ name: "x", shape: [1], data: deep }] })).toBeUndefined();
  });

  it("scores: numbers, [p], [p0, p1], {score}; anything else is invalid", () => {
    expect([0.3, [0.4], [0.2, 0.8], { probability: 0.6 }, [0.1, 0.2, 0.7], "cat", null].map(scoreOf)).toEqual(
      [0.3, 0.4, 0.8, 0.6, undefined, undefined, undefined],
    );
  });

  it("refuses a body that expands beyond the limit, naming the limit, before expanding it", () => {
    const many = { predictions: new Array(10_001).fill(0.5) };
    expect(responseOutputs(many, LIMIT)).toEqual({
      field: "predictions",
      count: 10_001,
      limit: 10_000,
      message:
        "has 10001 entries; one CloudEvent may expand to at most 10000 predictions (MODELGATE_CLOUDEVENT_MAX_PREDICTIONS)",
    });
    const opts = { ...LIMIT, maxFeatures: 10, models: new Map() };
    const request = readCloudEvent(
      fixtures.v1[0].headers,
      {},
      { instances: new Array(10_001).fill([1]) },
      NOW,
      opts,
    );
    expect(request).toEqual({
      status: 413,
      error: expect.objectContaining({ field: "instances", limit: 10_000 }),
    });
  });
});

describe("group attributes mapped from inputs (MODELGATE_CLOUDEVENT_MODELS)", () => {
  const models = parseCloudEventModels({
    fraud: {
      groups: {
        region: { instances: "region" },
        band: { instances: 2 },
        sex: { inputs: "sex" },
      },
    },
  });
  const mapping = models.get("fraud")!.groups;
  const groups = (body: unknown) => instanceGroups(inputTable(body)!, mapping);

  it("reads v1 object instances by key and array instances by position", () => {
    expect(groups({ instances: [{ region: "eu", age: 3 }, { region: 7 }, { age: 1 }] })).toEqual([
      { region: "eu" },
      { region: "7" },
      null,
    ]);
    expect(
      groups({
        instances: [
          [1, 2, "low"],
          [3, 4, true],
        ],
      }),
    ).toEqual([{ band: "low" }, { band: "true" }]);
  });

  it("reads v2 input tensors by name ([N] or [N,1]) and Seldon columns by name", () => {
    expect(
      groups({
        inputs: [
          { name: "sex", shape: [2, 1], datatype: "BYTES", data: ["f", "m"] },
          { name: "x", shape: [2], data: [1, 2] },
        ],
      }),
    ).toEqual([{ sex: "f" }, { sex: "m" }]);
    expect(groups({ data: { names: ["age", "region"], ndarray: [[39, "us"]] } })).toEqual([{ region: "us" }]);
    expect(groups({ instances: [{ age: 1 }] })).toBeUndefined();
  });

  it("refuses unknown keys and bad sources, naming the path", () => {
    const bad = (raw: unknown) => {
      try {
        parseCloudEventModels(raw);
      } catch (e) {
        return (e as CloudEventSettingsError).message;
      }
      return "accepted";
    };
    expect(bad({ fraud: { groups: { region: { colum: "region" } } } })).toBe(
      "fraud.groups.region.colum: unknown key (known: instances, inputs)",
    );
    expect(bad({ fraud: { group: {} } })).toBe("fraud.group: unknown key (known: groups)");
    expect(bad({ fraud: { groups: { region: {} } } })).toBe(
      "fraud.groups.region: needs one of instances, inputs",
    );
    expect(bad({ fraud: { groups: { region: { instances: -1 } } } })).toBe(
      "fraud.groups.region.instances: must be a column name or a position (integer >= 0)",
    );
    expect(bad(JSON.parse('{"fraud": {"groups": {"__proto__": {"inputs": "x"}}}}'))).toBe(
      'fraud.groups.__proto__: "__proto__" is a reserved name',
    );
    expect(bad([])).toBe(': must be a JSON object {"<model>": {"groups": {…}}}');
  });
});

describe("events of a pair", () => {
  const request: RequestHalf = {
    id: "r",
    model: "fraud",
    version: "84c2d",
    ts: 1_000,
    stamped: true,
    instances: 2,
    features: [{ age: 34 }, { age: 51 }],
    groups: [{ region: "eu" }, null],
  };
  const response = { id: "r", model: "fraud", ts: 1_042, stamped: true, scores: [0.9, null] };

  it("one event per prediction, with the request's features, groups, time and the latency between the two", () => {
    expect(answeredEvents(response, request)).toEqual([
      {
        model: "fraud",
        version: "84c2d",
        ts: 1_000,
        latencyMs: 42,
        id: "r#0",
        score: 0.9,
        features: { age: 34 },
        groups: { region: "eu" },
      },
      {
        model: "fraud",
        version: "84c2d",
        ts: 1_000,
        latencyMs: 42,
        id: "r#1",
        invalid: true,
        error: false,
        features: { age: 51 },
      },
    ]);
  });

  it("latency: the sender's own figure first; none from a negative difference or an unstamped half", () => {
    expect(answeredEvents({ ...response, latencyMs: 7 }, request)[0].latencyMs).toBe(7);
    expect(answeredEvents({ ...response, ts: 999 }, request)[0].latencyMs).toBeUndefined();
    expect(answeredEvents({ ...response, stamped: false }, request)[0].latencyMs).toBeUndefined();
    expect(answeredEvents({ ...response, version: "v9" }, undefined)).toEqual([
      { model: "fraud", version: "v9", ts: 1_042, id: "r#0", score: 0.9 },
      { model: "fraud", version: "v9", ts: 1_042, id: "r#1", invalid: true, error: false },
    ]);
  });

  it("a failed answer or no answer is one error per instance of the request", () => {
    expect(
      answeredEvents({ ...response, scores: undefined, failed: true }, request).map((e) => [e.id, e.error]),
    ).toEqual([
      ["r#0", true],
      ["r#1", true],
    ]);
    expect(unansweredEvents({ ...request, version: "84c2d", instances: 1 })).toEqual([
      { model: "fraud", version: "84c2d", ts: 1_000, id: "r", error: true },
    ]);
  });
});
