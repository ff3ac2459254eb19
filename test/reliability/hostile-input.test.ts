import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request, type ServerProcess, spawnServer } from "../helpers/server-process.js";

/**
 * Input an attacker or a buggy client sends, each case once against the real service (a child
 * process): prototype-named keys, bodies nested 100,000 deep, times no date can hold, an
 * oversized judge body, reserved names in every name field. Every answer is a 4xx naming the
 * field (or the limit), never a 5xx, and the process is still up and judging afterwards.
 */
const JSON_HEADERS = { "content-type": "application/json" };
const MAX_BODY_BYTES = 1024 * 1024;
const deepArray = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
const DEEP = 100_000;
const judgeArgs = "model=m&baseline=a&candidate=b";

/** Send `head` (and `body`) on a raw connection, never finishing the request; resolves with the status line. */
function statusWhileSending(url: string, head: string, body?: Buffer): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: u.hostname, port: Number(u.port) });
    let got = "";
    socket.setTimeout(15_000, () => {
      socket.destroy();
      reject(new Error(`no answer while the body was still unsent; got ${JSON.stringify(got)}`));
    });
    socket.on("data", (d) => {
      got += d.toString("latin1");
      const line = /^HTTP\/1\.1 [^\r\n]+/.exec(got);
      if (line) {
        socket.destroy();
        resolve(line[0]);
      }
    });
    socket.on("error", () => undefined);
    socket.write(head);
    if (body) socket.write(body);
  });
}

describe("hostile input against the running server", () => {
  let dataDir: string;
  let server: ServerProcess;
  const statuses: number[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "modelgate-hostile-"));
    server = await spawnServer({ dataDir, env: { MODELGATE_MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
  }, 60_000);

  afterAll(async () => {
    await server?.[Symbol.asyncDispose]();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const send = async (path: string, init: Parameters<typeof request>[1] = {}) => {
    const r = await request(`${server.url}${path}`, init);
    statuses.push(r.status);
    return r;
  };
  const post = (path: string, body: string, method = "POST") =>
    send(path, { method, body, headers: JSON_HEADERS });

  it("prototype-named query fields on GET /v1/judge and /v1/judge/{gate}: 400 naming the field", async () => {
    const cases: Array<[string, string]> = [
      ["__proto__.x=1", "__proto__.x"],
      ["constructor.name=x", "constructor.name"],
      ["constructor.polluted=1", "constructor.polluted"],
      ["toString.x=1", "toString.x"],
      ["hasOwnProperty.y=2", "hasOwnProperty.y"],
      ["latency.constructor=1", "latency.constructor"],
      ["latency.__proto__=1", "latency.__proto__"],
      ["latency.prototype=1", "latency.prototype"],
      ["optional=constructor", "optional"],
      ["source=toString", "source"],
      ["source=constructor", "source"],
      ["prototype=1", "prototype"],
    ];
    for (const path of ["/v1/judge", "/v1/judge/latency"]) {
      for (const [query, field] of cases) {
        const r = await send(`${path}?${judgeArgs}&${query}`);
        expect(r.status, `${path}?${query} → ${JSON.stringify(r.json)}`).toBe(400);
        expect(r.json.error.field, `${path}?${query}`).toBe(field);
      }
    }
    for (const [query, field] of [
      ["gates=constructor", "gates"],
      ["gates=__proto__", "gates"],
      ["gates=latency,prototype", "gates"],
    ]) {
      const r = await send(`/v1/judge?${judgeArgs}&${query}`);
      expect(r.status, query).toBe(400);
      expect(r.json.error.field).toBe(field);
    }
    for (const [query, field] of [
      ["model=constructor&baseline=a&candidate=b", "model"],
      ["model=m&baseline=__proto__&candidate=b", "baseline"],
      ["model=m&baseline=a&candidate=prototype", "candidate"],
    ]) {
      const r = await send(`/v1/judge?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.json.error.field).toBe(field);
    }
  });

  it("prototype-named keys in POST /v1/judge bodies, top level and inside a gate: 400 naming the field", async () => {
    const head = '{"model":"m","baseline":"a","candidate":"b",';
    const cases: Array<[string, string]> = [
      [`${head}"__proto__":{"maxRatio":1000}}`, "__proto__"],
      [`${head}"__proto__.polluted":"yes"}`, "__proto__.polluted"],
      [`${head}"constructor":{"prototype":{"polluted":1}}}`, "constructor"],
      [`${head}"latency":{"__proto__":{"maxRatio":1000}}}`, "latency.__proto__"],
      [`${head}"latency":{"constructor":1}}`, "latency.constructor"],
      [`${head}"errors":{"prototype":{"x":1}}}`, "errors.prototype"],
    ];
    for (const path of ["/v1/judge", "/v1/judge/errors"]) {
      for (const [body, field] of cases) {
        const r = await post(path, body);
        expect(r.status, `${path} ${body} → ${JSON.stringify(r.json)}`).toBe(400);
        expect(r.json.error.field, body).toBe(field);
      }
    }
  });

  it("times no date can hold, in the query and in the body: 400 naming the field", async () => {
    const cases: Array<[string, string]> = [
      ["window=999999999d", "window"],
      ["window=9999999999999999999999ms", "window"],
      [`window=${"9".repeat(400)}ms`, "window"],
      ["until=99999999999999999", "until"],
      ["until=8640000000000001", "until"],
      ["since=-8640000000000001", "since"],
    ];
    for (const path of ["/v1/judge", "/v1/judge/latency"]) {
      for (const [query, field] of cases) {
        const r = await send(`${path}?${judgeArgs}&${query}`);
        expect(r.status, `${path}?${query} → ${JSON.stringify(r.json)}`).toBe(400);
        expect(r.json.error.field).toBe(field);
      }
      // JSON number literals beyond the range, written as text (99999999999999999 has no exact double)
      for (const [extra, field] of [
        ['"since":-8640000000000001', "since"],
        ['"until":8640000000000001', "until"],
        ['"until":99999999999999999', "until"],
        ['"window":"999999999d"', "window"],
      ]) {
        const r = await post(path, `{"model":"m","baseline":"a","candidate":"b",${extra}}`);
        expect(r.status, `${path} ${extra}`).toBe(400);
        expect(r.json.error.field).toBe(field);
      }
    }
    // the edge of the range is still a time
    const edge = await send(`/v1/judge?${judgeArgs}&until=8640000000000000&window=1h`);
    expect(edge.status).toBe(200);
    expect(edge.json.judgement.window).toBe("+275760-09-12T23:00:00.000Z/+275760-09-13T00:00:00.000Z");
  });

  it("JSON nested 100,000 deep on every JSON endpoint: 400 json_too_deep naming the limit", async () => {
    const ce = (type: "request" | "response") => ({
      ...JSON_HEADERS,
      "ce-specversion": "1.0",
      "ce-type": `org.kubeflow.serving.inference.${type}`,
      "ce-id": `deep-${type}`,
      "ce-inferenceservicename": "deep",
      "ce-endpoint": "v1",
    });
    const cases: Array<[string, string, string, Record<string, string>]> = [
      [
        "POST",
        "/v1/judge",
        `{"model":"m","baseline":"a","candidate":"b","latency":${deepObject(DEEP)}}`,
        JSON_HEADERS,
      ],
      [
        "POST",
        "/v1/judge",
        `{"model":"m","baseline":"a","candidate":"b","gates":${deepArray(DEEP)}}`,
        JSON_HEADERS,
      ],
      ["POST", "/v1/judge/latency", deepArray(DEEP), JSON_HEADERS],
      ["PUT", "/v1/models/deep/reference", `{"scores":${deepArray(DEEP)}}`, JSON_HEADERS],
      [
        "PUT",
        "/v1/models/deep/reference",
        `{"scores":[0.5],"features":{"f":${deepObject(DEEP)}}}`,
        JSON_HEADERS,
      ],
      ["POST", "/v1/cloudevents", `{"predictions":${deepArray(DEEP)}}`, ce("response")],
      [
        "POST",
        "/v1/cloudevents",
        `{"outputs":[{"name":"p","datatype":"FP32","shape":[1],"data":${deepArray(DEEP)}}]}`,
        ce("response"),
      ],
      ["POST", "/v1/cloudevents", `{"instances":${deepArray(DEEP)}}`, ce("request")],
      [
        "POST",
        "/v1/cloudevents",
        `{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":${deepArray(DEEP)}}]}`,
        ce("request"),
      ],
      ["POST", "/v1/events", deepArray(DEEP), JSON_HEADERS],
      [
        "POST",
        "/v1/events",
        `[{"model":"m","version":"v","score":0.5,"extra":${deepArray(DEEP)}}]`,
        JSON_HEADERS,
      ],
      [
        "POST",
        "/v1/outcomes",
        `[{"model":"m","id":"x","label":1,"extra":${deepObject(DEEP)}}]`,
        JSON_HEADERS,
      ],
    ];
    for (const [method, path, body, headers] of cases) {
      const r = await send(path, { method, body, headers });
      expect(r.status, `${method} ${path} → ${JSON.stringify(r.json).slice(0, 200)}`).toBe(400);
      expect(r.json.error.code).toBe("json_too_deep");
      expect(r.json.error.message).toContain("64 levels");
    }
  });

  it("an outcome stamped in year 3170 is refused like an event (422 naming ts), leaving no model behind", async () => {
    const far = '{"model":"far-future","version":"v","score":0.5,"label":1,"ts":99999999999999999}';
    const asEvent = await post("/v1/events", `[${far}]`);
    expect(asEvent.status).toBe(422);
    expect(asEvent.json.errors[0].field).toBe("ts");
    for (const contentType of ["application/json", "application/x-ndjson"]) {
      const body = contentType === "application/json" ? `[${far}]` : `${far}\n`;
      const r = await send("/v1/outcomes", {
        method: "POST",
        body,
        headers: { "content-type": contentType },
      });
      expect(r.status, contentType).toBe(422);
      expect(r.json.errors).toEqual([{ line: 1, field: "ts", message: "is more than 1 hour in the future" }]);
    }
    const models = await send("/v1/models");
    expect(models.json.models.map((m: { model: string }) => m.model)).not.toContain("far-future");
  });

  it("reserved names in every ingested name field: refused line by line, naming the field", async () => {
    const ts = Date.now();
    const lines = [
      `{"model":"constructor","version":"v","ts":${ts},"score":0.5}`,
      `{"model":"m","version":"prototype","ts":${ts},"score":0.5}`,
      `{"model":"m","version":"v","ts":${ts},"score":0.5,"groups":{"__proto__":"x"}}`,
      `{"model":"m","version":"v","ts":${ts},"score":0.5,"groups":{"region":"constructor"}}`,
      `{"model":"m","version":"v","ts":${ts},"score":0.5,"features":{"constructor":1}}`,
      `{"model":"m","version":"v","ts":${ts},"score":0.5,"features":{"__proto__":{"polluted":1}}}`,
      `{"model":"m","version":"v","ts":${ts},"score":0.5,"groups":{"toString":"hasOwnProperty"},"features":{"valueOf":2}}`,
    ];
    const events = await post("/v1/events", `[${lines.join(",")}]`);
    expect(events.status).toBe(202);
    expect(events.json.accepted).toBe(1);
    expect(events.json.errors.map((e: { line: number; field: string }) => [e.line, e.field])).toEqual([
      [1, "model"],
      [2, "version"],
      [3, "groups.__proto__"],
      [4, "groups.region"],
      [5, "features.constructor"],
      [6, "features.__proto__"],
    ]);
    const outcomes = await post(
      "/v1/outcomes",
      `[{"model":"m","version":"v","score":0.5,"label":1,"groups":{"__proto__":"x"}}]`,
    );
    expect(outcomes.status).toBe(422);
    expect(outcomes.json.errors[0].field).toBe("groups.__proto__");
    // inherited names that are not reserved are only data: the one accepted event is judged by them
    const judged = await send("/v1/judge/fairness?model=m&baseline=v&candidate=v");
    expect(judged.status).toBe(200);
    const versions = await send("/v1/models/m/versions");
    expect(versions.json.versions).toEqual([expect.objectContaining({ version: "v", events: 1 })]);
  });

  it("a CloudEvent naming its model __proto__ or constructor is refused, not stored", async () => {
    for (const model of ["__proto__", "constructor"]) {
      const r = await send("/v1/cloudevents", {
        method: "POST",
        body: '{"predictions":[0.2,0.7]}',
        headers: {
          ...JSON_HEADERS,
          "ce-specversion": "1.0",
          "ce-type": "org.kubeflow.serving.inference.response",
          "ce-id": `proto-${model}`,
          "ce-inferenceservicename": model,
          "ce-endpoint": "v1",
        },
      });
      // refused as the attribute it came from, before anything is stored
      expect(r.status, JSON.stringify(r.json)).toBe(400);
      expect(r.json.error.code).toBe("bad_cloudevent");
      expect(r.json.error.field).toBe("ce-inferenceservicename");
    }
    const models = await send("/v1/models");
    const names = models.json.models.map((m: { model: string }) => m.model);
    expect(names).not.toContain("__proto__");
    expect(names).not.toContain("constructor");
  });

  it("reference profiles: reserved model and feature names are 400s naming the field", async () => {
    const put = (model: string, body: string) => post(`/v1/models/${model}/reference`, body, "PUT");
    const model = await put("constructor", '{"scores":[0.1,0.5]}');
    expect(model.status).toBe(400);
    expect(model.json.error.field).toBe("model");
    for (const name of ["__proto__", "constructor", "prototype"]) {
      const r = await put("ref", `{"scores":[0.1,0.5],"features":{"${name}":[1,2,3]}}`);
      expect(r.status, name).toBe(400);
      expect(r.json.error.field).toBe(`features.${name}`);
    }
    const categories = await put(
      "ref",
      '{"scores":[0.1,0.5],"features":{"country":["constructor","toString","FR"]}}',
    );
    expect(categories.status).toBe(201);
    expect(categories.json.features.country.counts).toEqual({ constructor: 1, toString: 1, FR: 1 });
  });

  it("a 50 MB judge body is refused at once: 413 before the body is sent, declared or chunked", async () => {
    const declared = await statusWhileSending(
      server.url,
      `POST /v1/judge HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`,
    );
    expect(declared).toMatch(/^HTTP\/1\.1 413 /);
    // chunked: the limit is found by counting, one chunk past it, the rest never sent
    const chunk = Buffer.alloc(MAX_BODY_BYTES + 1024, 0x20);
    const chunked = await statusWhileSending(
      server.url,
      "POST /v1/judge HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
      Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]),
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 413 /);
    const reference = await statusWhileSending(
      server.url,
      `PUT /v1/models/big/reference HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`,
    );
    expect(reference).toMatch(/^HTTP\/1\.1 413 /);
  });

  it("afterwards: alive, healthy, still judging, no 5xx and no error that escaped a request", async () => {
    expect(server.alive()).toBe(true);
    expect((await request(`${server.url}/healthz`)).status).toBe(200);
    const now = Date.now();
    const events = Array.from({ length: 40 }, (_, i) => ({
      model: "after",
      version: i % 2 ? "stable" : "canary",
      ts: now,
      score: (i % 10) / 10,
      latencyMs: 10 + i,
    }));
    expect((await post("/v1/events", JSON.stringify(events))).status).toBe(202);
    const judged = await send("/v1/judge?model=after&baseline=stable&candidate=canary");
    expect(judged.status).toBe(200);
    expect(["pass", "fail", "inconclusive"]).toContain(judged.json.summary.verdict);
    expect(judged.json.judgement.model).toBe("after");
    expect(statuses.filter((s) => s >= 500 || s === 0)).toEqual([]);
    const metrics = String((await request(`${server.url}/metrics`)).json);
    expect(metrics).toContain("# TYPE modelgate_uncaught_errors_total counter");
    expect(metrics).not.toMatch(/^modelgate_uncaught_errors_total\{/m);
    expect(server.stderr()).not.toContain("uncaught error survived");
  });
});

describe("errors escaping request handling", () => {
  it("a throw in a timer and an unhandled rejection after start are logged and counted; the process keeps serving", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "modelgate-fault-"));
    const trigger = join(dataDir, "throw-now");
    const fixture = join(import.meta.dirname, "..", "fixtures", "faults", "throw-after-start.mjs");
    try {
      await using server = await spawnServer({
        dataDir: join(dataDir, "data"),
        env: {
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=${fixture}`.trim(),
          MODELGATE_TEST_FAULT_TRIGGER: trigger,
        },
      });
      writeFileSync(trigger, "");
      let metrics = "";
      // the rejection is reported before the timer's throw (its own later turn): wait for both
      const both = (m: string) =>
        /where="process_unhandled_rejection"} 1/.test(m) && /where="process_uncaught_exception"} 1/.test(m);
      for (let i = 0; i < 400 && !both(metrics); i++) {
        await new Promise((r) => setTimeout(r, 25));
        metrics = String((await request(`${server.url}/metrics`)).json);
      }
      expect(metrics).toMatch(/modelgate_uncaught_errors_total\{where="process_uncaught_exception"} 1/);
      expect(metrics).toMatch(/modelgate_uncaught_errors_total\{where="process_unhandled_rejection"} 1/);
      expect(server.alive()).toBe(true);
      expect((await request(`${server.url}/healthz`)).status).toBe(200);
      expect(server.stderr()).toContain("thrown from a timer after start (test fixture)");
      expect(server.stderr()).toContain("rejected after start (test fixture)");
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("a failure to start stays fatal: a port in use ends the process with status 2", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "modelgate-busy-"));
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    const port = (busy.address() as { port: number }).port;
    try {
      await expect(spawnServer({ dataDir, args: ["--port", String(port)] })).rejects.toThrow(
        /server exited \(2\) before listening[\s\S]*already in use/,
      );
    } finally {
      busy.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
