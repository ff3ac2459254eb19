import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.js";
import { createReferenceRouter, loadReferenceProfile } from "../../src/api/routes/reference.js";
import { loadConfig } from "../../src/config.js";
import { type ReferenceProfile, referenceSummary } from "../../src/gates/reference-profile.js";
import { listen } from "../helpers/http.js";

type ErrorBody = { error: { code: string; message: string; field?: string } };

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "modelgate-reference-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function app(now = 1_700_000_000_000) {
  return createApp({
    config: loadConfig({}),
    routers: [
      createReferenceRouter({
        dir: join(dir, "reference"),
        clock: () => now,
        layout: { scoreBins: 10, scoreLo: 0, scoreHi: 1, sketchAlpha: 0.01 },
      }),
    ],
  });
}

const put = (url: string, body: unknown) =>
  fetch(url, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("PUT/GET /v1/models/{model}/reference", () => {
  it("stores raw values binned with the model's layout and serves them back", async () => {
    await using srv = await listen(app());
    const url = `${srv.url}/v1/models/fraud/reference`;
    expect((await fetch(url)).status).toBe(404);

    const r = await put(url, {
      description: "training set",
      scores: [0.05, 0.15, 0.15, 0.95, 1.0],
      features: { age: [20, 30, 40], country: ["fr", "de", "fr"] },
      model: "ignored",
      uploadedAt: 1,
    });
    expect(r.status).toBe(201);
    const stored = (await r.json()) as ReferenceProfile;
    // 10 bins on [0,1]: 0.05→bin 0, 0.15→bin 1 (×2), 0.95 and 1.0 (last bin is closed)→bin 9
    expect(stored.scores.counts).toEqual([1, 2, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(stored.model).toBe("fraud");
    expect(stored.uploadedAt).toBe(1_700_000_000_000);
    expect(stored.description).toBe("training set");
    expect(stored.features.country).toEqual({ kind: "categorical", counts: { fr: 2, de: 1 } });
    const age = stored.features.age;
    expect(age.kind === "numeric" && [age.sketch.min, age.sketch.max, age.sketch.sum]).toEqual([20, 40, 90]);

    const g = await fetch(url);
    expect(g.status).toBe(200);
    expect(await g.json()).toEqual(stored);

    // persisted as one JSON file per model, readable by the judge without HTTP
    expect(await readdir(join(dir, "reference"))).toEqual(["fraud.json"]);
    const loaded = await loadReferenceProfile(join(dir, "reference"), "fraud");
    expect(loaded).toEqual(stored);
    const summary = referenceSummary(loaded!);
    expect(summary.scores.total).toBe(5);
    const ageSummary = summary.features.get("age");
    expect(ageSummary?.kind === "numeric" && ageSummary.sketch.count).toBe(3);
    expect(JSON.parse(await readFile(join(dir, "reference", "fraud.json"), "utf8"))).toEqual(stored);
  });

  it("replaces an existing profile (200) and accepts histogram form", async () => {
    await using srv = await listen(app());
    const url = `${srv.url}/v1/models/fraud/reference`;
    expect((await put(url, { scores: [0.5] })).status).toBe(201);
    const r = await put(url, { scores: { lo: 0, hi: 1, counts: [3, 0, 0, 0, 0, 0, 0, 0, 0, 7] } });
    expect(r.status).toBe(200);
    const stored = (await (await fetch(url)).json()) as ReferenceProfile;
    expect(stored.scores).toEqual({ lo: 0, hi: 1, counts: [3, 0, 0, 0, 0, 0, 0, 0, 0, 7], clamped: 0 });
    expect(stored.features).toEqual({});
  });

  it("rejects bad bodies with a 400 naming the field", async () => {
    await using srv = await listen(app());
    const url = `${srv.url}/v1/models/fraud/reference`;
    const cases: Array<[unknown, string]> = [
      [{}, "scores"],
      [{ scores: [0.1, "x"] }, "scores[1]"],
      [{ scores: { lo: 0, hi: 1, counts: [1, -1] } }, "scores.counts[1]"],
      [{ scores: { lo: 1, hi: 0, counts: [1, 1] } }, "scores.hi"],
      [{ scores: [0.1], features: { age: { kind: "weird" } } }, "features.age.kind"],
      [{ scores: [0.1], features: { c: { kind: "categorical", counts: { a: -2 } } } }, "features.c.counts.a"],
      [[1, 2], "body"],
    ];
    for (const [body, field] of cases) {
      const r = await put(url, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      const j = (await r.json()) as ErrorBody;
      expect(j.error.field, JSON.stringify(body)).toBe(field);
      expect(j.error.code).toBe("bad_request");
    }
    const malformed = await fetch(url, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as ErrorBody).error.code).toBe("malformed_json");
    expect((await fetch(url)).status).toBe(404);
  });

  it("rejects model names that could escape the directory", async () => {
    await using srv = await listen(app());
    // (".." itself never reaches the router: URL parsing resolves it before the request is sent)
    for (const name of [".hidden", "a%2Fb", "a%2F..%2Fb", "a%00b", "-x", "a%20b"]) {
      const r = await put(`${srv.url}/v1/models/${name}/reference`, { scores: [0.5] });
      expect(r.status, name).toBe(400);
      expect(((await r.json()) as ErrorBody).error.field).toBe("model");
    }
  });

  it("deletes a profile", async () => {
    await using srv = await listen(app());
    const url = `${srv.url}/v1/models/m1/reference`;
    expect((await fetch(url, { method: "DELETE" })).status).toBe(404);
    await put(url, { scores: [0.5] });
    expect((await fetch(url, { method: "DELETE" })).status).toBe(204);
    expect((await fetch(url)).status).toBe(404);
    expect(await loadReferenceProfile(join(dir, "reference"), "m1")).toBeUndefined();
  });
});
