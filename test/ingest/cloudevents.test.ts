import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type CloudEventMeta,
  cloudEventMeta,
  requestFeatures,
  responseEvents,
  responseScores,
  scoreOf,
} from "../../src/ingest/cloudevents.js";

const fixtures = JSON.parse(
  readFileSync(new URL("./fixtures/kserve-cloudevents.json", import.meta.url), "utf8"),
);
const NOW = 1_000;

describe("cloudEventMeta", () => {
  it("reads a KServe request: model from the ISVC name, version from copied metadata headers", () => {
    expect(cloudEventMeta(fixtures.v1[0].headers, {}, NOW)).toEqual({
      kind: "request",
      flavour: "kserve",
      id: "5f8a0b1e-1111-4c1a-9d1e-v1pair",
      model: "fraud",
      version: "84c2d",
      ts: Date.parse("2026-11-24T10:00:00.000Z"),
    });
  });

  it("takes the version from the query first, then x-modelgate-version, metadata, annotations, ce-endpoint", () => {
    const h = {
      "ce-type": "org.kubeflow.serving.inference.response",
      "ce-id": "i",
      "ce-inferenceservicename": "m",
    };
    const v = (headers: Record<string, string>, query: Record<string, unknown> = {}) => {
      const m = cloudEventMeta({ ...h, ...headers }, query, NOW);
      return "version" in m ? m.version : m;
    };
    const all = {
      "x-modelgate-version": "hdr",
      "ce-metadata": '{"x-model-version":["meta"]}',
      "ce-annotations": '{"modelgate.io/version":"anno"}',
      "ce-endpoint": "endpoint",
    };
    expect(v(all, { version: "query" })).toBe("query");
    expect(v(all)).toBe("hdr");
    expect(v({ ...all, "x-modelgate-version": "" })).toBe("meta");
    expect(v({ "ce-annotations": all["ce-annotations"], "ce-endpoint": "endpoint" })).toBe("anno");
    expect(v({ "ce-metadata": "not json", "ce-endpoint": "endpoint" })).toBe("endpoint");
    expect(v({})).toEqual(expect.objectContaining({ field: "version" }));
  });

  it("joins Seldon events by ce-requestid and names bad attributes", () => {
    const m = cloudEventMeta(fixtures.seldon[1].headers, {}, NOW) as CloudEventMeta;
    expect([m.kind, m.flavour, m.id, m.model, m.version, m.ts]).toEqual([
      "response",
      "seldon",
      "seldon-1",
      "income",
      "v3",
      NOW,
    ]);
    expect(cloudEventMeta({ "ce-type": "com.example.other", "ce-id": "x" }, {}, NOW)).toEqual(
      expect.objectContaining({ field: "ce-type" }),
    );
    expect(cloudEventMeta({ "ce-type": "org.kubeflow.serving.inference.request" }, {}, NOW)).toEqual(
      expect.objectContaining({ field: "ce-id" }),
    );
  });
});

describe("bodies", () => {
  it("reads v1 instances and predictions (predict_proba pairs → positive class)", () => {
    expect(requestFeatures(fixtures.v1[0].body, 100)).toEqual([
      { "0": 34, "1": 1200.5, "2": "eu" },
      { "0": 51, "1": 80, "2": "us" },
    ]);
    expect(responseScores(fixtures.v1[1].body)).toEqual({ scores: [0.9, 0.2] });
    expect(responseScores(fixtures.v1[4].body)).toEqual({ error: "Model fraud is not ready" });
  });

  it("reads v2 tensors: [N] and [N,k] inputs, the first output or the one named", () => {
    expect(requestFeatures(fixtures.v2[0].body, 100)).toEqual([
      { tenure: 1, "x[0]": 0.5, "x[1]": 1.5 },
      { tenure: 24, "x[0]": 2.5, "x[1]": 3.5 },
      { tenure: 60, "x[0]": 4.5, "x[1]": 5.5 },
    ]);
    expect(responseScores(fixtures.v2[1].body)).toEqual({ scores: [1, 0, 1] });
    expect(responseScores(fixtures.v2[1].body, "probabilities")).toEqual({ scores: [0.7, 0.05, 0.6] });
    expect(responseScores(fixtures.v2[1].body, "nope")).toEqual(
      expect.objectContaining({ field: "outputs" }),
    );
    expect(responseScores({ outputs: [{ name: "p", shape: [2, 2], data: [1, 2, 3] }] })).toEqual(
      expect.objectContaining({ field: "outputs.shape" }),
    );
  });

  it("reads Seldon ndarray bodies with their names", () => {
    expect(requestFeatures(fixtures.seldon[0].body, 100)).toEqual([{ age: 39, hours: 40 }]);
    expect(responseScores(fixtures.seldon[1].body)).toEqual({ scores: [0.19] });
  });

  it("drops features wider than the limit instead of rejecting the prediction", () => {
    expect(requestFeatures({ instances: [[1, 2, 3]] }, 2)).toBeUndefined();
    expect(
      requestFeatures(
        {
          instances: [
            [
              [1, 2],
              [3, 4],
            ],
          ],
        },
        100,
      ),
    ).toBeUndefined();
  });

  it("scores: numbers, [p], [p0, p1], {score}; anything else is invalid", () => {
    expect([0.3, [0.4], [0.2, 0.8], { probability: 0.6 }, [0.1, 0.2, 0.7], "cat", null].map(scoreOf)).toEqual(
      [0.3, 0.4, 0.8, 0.6, undefined, undefined, undefined],
    );
  });

  it("builds one event per prediction, with the request's features and the logger's latency", () => {
    const meta = cloudEventMeta(fixtures.v1[1].headers, {}, NOW) as CloudEventMeta;
    const req = {
      ts: Date.parse("2026-11-24T10:00:00.000Z"),
      features: requestFeatures(fixtures.v1[0].body, 100),
    };
    const events = responseEvents(meta, { scores: [0.9, undefined] }, req);
    expect(events).toEqual([
      {
        model: "fraud",
        version: "84c2d",
        ts: req.ts,
        latencyMs: 42,
        id: "5f8a0b1e-1111-4c1a-9d1e-v1pair#0",
        score: 0.9,
        features: { "0": 34, "1": 1200.5, "2": "eu" },
      },
      {
        model: "fraud",
        version: "84c2d",
        ts: req.ts,
        latencyMs: 42,
        id: "5f8a0b1e-1111-4c1a-9d1e-v1pair#1",
        invalid: true,
        error: false,
        features: { "0": 51, "1": 80, "2": "us" },
      },
    ]);
    expect(responseEvents(meta, { error: "boom" }, undefined)).toEqual([
      { model: "fraud", version: "84c2d", ts: meta.ts, id: meta.id, error: true },
    ]);
  });
});
