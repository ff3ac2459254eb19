import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request, type ServerProcess, spawnServer } from "../helpers/server-process.js";

/**
 * Fuzzing the running service (a real process): every answer must be a non-5xx HTTP answer
 * within the client timeout, the process must stay up, and its RSS must stay within a
 * generous bound. Seeded, with bounded runs (about 20 s on two shared cores).
 */
const ADMIN = "admin-token-fuzz-0123456789";
const SEED = 20261125;
const CLIENT_TIMEOUT_MS = 10_000;
/** RSS growth allowed over the whole fuzz run: generous, a leak per request would exceed it */
const RSS_BOUND_BYTES = 256 * 1024 * 1024;

const ascii = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

const POST_PATHS = [
  "/v1/events",
  "/v1/outcomes",
  "/v1/cloudevents",
  "/v1/judge",
  "/v1/judge/latency",
  "/v1/judge/drift",
  "/v1/judge/no-such-gate",
];
const CONTENT_TYPES = [
  "application/json",
  "application/x-ndjson",
  "application/cloudevents+json",
  "text/plain",
  "application/octet-stream",
];
const CE_TYPES = [
  "org.kubeflow.serving.inference.request",
  "org.kubeflow.serving.inference.response",
  "io.seldon.serving.inference.request",
  "io.seldon.serving.inference.response",
];

const model = fc.constantFrom("fraud", "churn", "x", "");
const version = fc.constantFrom("stable", "canary", "v1");
const eventLike = fc.record(
  {
    model,
    version,
    ts: fc.oneof(fc.integer(), fc.constant(Date.now()), ascii(30)),
    score: fc.oneof(fc.double(), ascii(10), fc.constant(0.5)),
    label: fc.oneof(fc.constantFrom(0, 1), fc.jsonValue()),
    latencyMs: fc.oneof(fc.double(), fc.constant(-1)),
    id: ascii(20),
    error: fc.jsonValue(),
    features: fc.dictionary(ascii(12), fc.oneof(fc.double(), ascii(12), fc.jsonValue()), { maxKeys: 5 }),
    groups: fc.dictionary(ascii(8), fc.oneof(ascii(8), fc.jsonValue()), { maxKeys: 3 }),
  },
  { requiredKeys: [] },
);
const validEvent = fc.record({
  model: fc.constant("fraud"),
  version,
  ts: fc.constant(Date.now()),
  score: fc.double({ min: 0, max: 1, noNaN: true }),
  latencyMs: fc.double({ min: 0, max: 1e4, noNaN: true }),
  label: fc.constantFrom(0, 1),
  features: fc.dictionary(
    fc.constantFrom("f1", "f2", "region"),
    fc.oneof(fc.double({ noNaN: true }), ascii(6)),
    { maxKeys: 3 },
  ),
});
const body = fc.oneof(
  fc.array(validEvent, { minLength: 1, maxLength: 50 }).map((a) => Buffer.from(JSON.stringify(a))),
  fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b)),
  fc.json({ maxDepth: 4 }).map((s) => Buffer.from(s)),
  fc.array(eventLike, { maxLength: 20 }).map((a) => Buffer.from(JSON.stringify(a))),
  fc
    .array(
      fc.oneof(
        eventLike.map((e) => JSON.stringify(e)),
        ascii(60),
      ),
      { maxLength: 30 },
    )
    .map((lines) => Buffer.from(lines.join("\n"))),
  fc
    .record(
      { predictions: fc.array(fc.jsonValue(), { maxLength: 5 }), instances: fc.jsonValue() },
      { requiredKeys: [] },
    )
    .map((o) => Buffer.from(JSON.stringify(o))),
);
const ceHeaders = fc.record(
  {
    "ce-specversion": fc.oneof(fc.constant("1.0"), ascii(5)),
    "ce-type": fc.oneof(fc.constantFrom(...CE_TYPES), ascii(40)),
    "ce-id": ascii(30),
    "ce-source": ascii(30),
    "ce-inferenceservicename": fc.oneof(model, ascii(30)),
    "ce-endpoint": fc.oneof(version, ascii(20)),
    "ce-time": fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      ascii(30),
    ),
    "ce-metadata": fc.oneof(fc.json({ maxDepth: 2 }), ascii(40)),
    "ce-requestid": ascii(20),
    "ce-modelid": ascii(20),
  },
  { requiredKeys: [] },
);
const auth = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ authorization: `Bearer ${ADMIN}` }) },
  { weight: 1, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: ascii(60).map((a) => ({ authorization: a })) },
);
const JUDGE_KEYS = [
  "model",
  "baseline",
  "candidate",
  "gates",
  "runKey",
  "window",
  "source",
  "alpha",
  "minSamples",
  "latency.quantile",
  "latency.maxRatio",
  "drift.reference",
  "look",
];
const randomQuery = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...JUDGE_KEYS), ascii(12)),
        fc.oneof(ascii(20), fc.double().map(String), model, version),
      ),
      { maxLength: 10 },
    )
    .map((kv) => new URLSearchParams(kv).toString()),
  // raw, possibly broken percent-encoding
  fc.string({ unit: fc.constantFrom(..."abcmodel=&%?#+;,[]{}0129ZÿAF".split("")), maxLength: 60 }),
);
// half the time a judgeable request with random extra or overriding fields, so the gates run
const query = fc.oneof(
  randomQuery,
  randomQuery.map((q) => `model=fraud&baseline=stable&candidate=canary&${q}`),
);

// ---- hostile generators: prototype-named keys, deep nesting, extreme numbers and dates ----

/** Names that mean something to a plain JavaScript object, beside ordinary and gate names. */
const PROTO_NAMES = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "__defineSetter__",
  "isPrototypeOf",
];
const protoName = fc.constantFrom(...PROTO_NAMES);
const GATE_NAMES = ["drift", "latency", "auc", "fairness", "errors", "agreement"];
const anyName = fc.oneof(
  { weight: 3, arbitrary: protoName },
  fc.constantFrom(...GATE_NAMES, "maxRatio", "model", "region", "f1", "<script>", ""),
  ascii(8),
);
/** `<gate>.<setting>` and `<proto>.<anything>`: every way a dotted judge field names two things */
const dottedName = fc
  .tuple(fc.oneof(protoName, fc.constantFrom(...GATE_NAMES)), anyName)
  .map(([a, b]) => `${a}.${b}`);
/** numbers and times a date cannot hold, or that overflow a double, as JSON text */
const EXTREME_NUMBERS = [
  "99999999999999999",
  "8640000000000001",
  "-8640000000000001",
  "8640000000000000",
  "1e308",
  "-1e308",
  "1e400",
  "-1e400",
  "5e-324",
  "-0",
  "0",
  "9007199254740993",
  "-1",
  `${"9".repeat(400)}`,
];
const EXTREME_TIMES = [
  "+275760-09-13T00:00:00.000Z",
  "+275760-09-13T00:00:00.001Z",
  "-271821-04-20T00:00:00.000Z",
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "1970-01-01T00:00:00Z",
  "2026-02-30T25:61:00Z",
  "999999999d",
  "9999999999999999999999ms",
  `${"9".repeat(400)}ms`,
  "1e309ms",
  "NaN",
  "Infinity",
];
const extremeNumber = fc.constantFrom(...EXTREME_NUMBERS);
const extremeTime = fc.constantFrom(...EXTREME_TIMES);
const extremeScalar = fc.oneof(
  extremeNumber,
  extremeTime.map((t) => JSON.stringify(t)),
);
/** JSON text of a value whose objects, at any depth, carry prototype names and extreme scalars */
const { value: hostileJson } = fc.letrec<{ value: string; object: string; array: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", maxDepth: 6 },
    extremeScalar,
    fc.jsonValue({ maxDepth: 1 }).map((v) => JSON.stringify(v)),
    tie("object"),
    tie("array"),
  ),
  object: fc
    .array(fc.tuple(fc.oneof(anyName, dottedName), tie("value")), { maxLength: 4 })
    .map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`),
  array: fc.array(tie("value"), { maxLength: 4 }).map((a) => `[${a.join(",")}]`),
}));
const nameValue = fc.oneof(anyName, fc.constantFrom("fraud", "stable", "canary"));
/** an object as JSON text: `fields` always present (each value already JSON text), plus hostile extras */
const objectText = (fields: Record<string, fc.Arbitrary<string>>) =>
  fc
    .tuple(
      fc.record(fields),
      fc.array(fc.tuple(fc.oneof(anyName, dottedName), hostileJson), { maxLength: 3 }),
    )
    .map(
      ([named, extra]) =>
        `{${[...Object.entries(named), ...extra].map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`,
    );
const json = <T>(a: fc.Arbitrary<T>) => a.map((v) => JSON.stringify(v));
/** maps of names: keys and values drawn from the prototype names too */
const nameMap = fc
  .array(fc.tuple(anyName, fc.oneof(json(anyName), extremeScalar, hostileJson)), { maxLength: 3 })
  .map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(",")}}`);
const hostileEvent = objectText({
  model: json(nameValue),
  version: json(nameValue),
  ts: fc.oneof(extremeScalar, fc.constant(String(Date.now()))),
  score: fc.oneof(extremeNumber, fc.constant("0.5")),
  latencyMs: extremeNumber,
  label: fc.constantFrom("0", "1"),
  id: json(anyName),
  groups: nameMap,
  features: nameMap,
});
const hostileOutcome = objectText({
  model: json(nameValue),
  version: json(nameValue),
  id: json(anyName),
  label: fc.constantFrom("0", "1"),
  score: fc.oneof(extremeNumber, fc.constant("0.5")),
  ts: extremeScalar,
  groups: nameMap,
});
const hostileJudgeBody = objectText({
  model: json(nameValue),
  baseline: json(nameValue),
  candidate: json(nameValue),
  window: fc.oneof(json(extremeTime), extremeNumber),
  until: fc.oneof(json(extremeTime), extremeNumber),
  since: fc.oneof(json(extremeTime), extremeNumber),
  gates: fc.oneof(json(anyName), json(fc.array(anyName, { maxLength: 3 }))),
  optional: json(anyName),
  source: json(anyName),
  mode: json(fc.constantFrom("canary", "shadow")),
}).chain((text) =>
  // half the time drop the window fields, so the gates (and their settings) are reached
  fc.boolean().map((keep) => (keep ? text : text.replace(/"(window|until|since)":[^,}]*,?/g, ""))),
);
const hostileQuery = fc
  .array(
    fc.tuple(
      fc.oneof(
        dottedName,
        protoName,
        fc.constantFrom(
          "model",
          "baseline",
          "candidate",
          "gates",
          "optional",
          "source",
          "window",
          "since",
          "until",
        ),
      ),
      fc.oneof(anyName, extremeNumber, extremeTime),
    ),
    { maxLength: 6 },
  )
  .map((kv) => `model=fraud&baseline=stable&candidate=canary&${new URLSearchParams(kv).toString()}`);
const HOSTILE_CE_TYPES = [...CE_TYPES, ...PROTO_NAMES, "org.kubeflow.serving.inference.__proto__"];
const hostileCeHeaders = fc.record({
  "ce-specversion": fc.constant("1.0"),
  "ce-type": fc.constantFrom(...HOSTILE_CE_TYPES),
  "ce-id": fc.oneof(protoName, ascii(12)),
  "ce-inferenceservicename": fc.oneof(protoName, fc.constantFrom("fraud", "<script>", "a/../b")),
  "ce-endpoint": fc.oneof(protoName, version),
  "ce-time": extremeTime,
  "ce-metadata": fc.oneof(hostileJson, json(fc.dictionary(protoName, fc.array(anyName, { maxLength: 2 })))),
});
const hostileCeBody = fc.oneof(
  hostileJson.map((v) => `{"predictions":${v}}`),
  hostileJson.map((v) => `{"instances":[${v}]}`),
  fc
    .array(objectText({ a: extremeNumber }), { maxLength: 3 })
    .map((rows) => `{"instances":[${rows.join(",")}]}`),
  hostileJson.map((v) => `{"outputs":[{"name":"p","datatype":"FP32","shape":[1],"data":${v}}]}`),
  hostileJson.map((v) => `{"inputs":[{"name":"x","datatype":"FP32","shape":[1],"data":${v}}]}`),
  hostileJson,
);
const hostileReference = objectText({
  scores: fc.oneof(hostileJson, fc.constant("[0.1,0.5,0.9]")),
  features: nameMap,
});
/** nesting well past the limit (64), each wrapped where that endpoint would read it */
const DEEP_ENDPOINTS: Array<{ method: string; path: string; wrap: (deep: string) => string; ce?: string }> = [
  {
    method: "POST",
    path: "/v1/judge",
    wrap: (d) => `{"model":"m","baseline":"a","candidate":"b","latency":${d}}`,
  },
  { method: "POST", path: "/v1/judge/errors", wrap: (d) => d },
  { method: "PUT", path: "/v1/models/deep/reference", wrap: (d) => `{"scores":${d}}` },
  { method: "POST", path: "/v1/events", wrap: (d) => `[{"model":"m","version":"v","score":0.5,"x":${d}}]` },
  { method: "POST", path: "/v1/outcomes", wrap: (d) => `[${d}]` },
  { method: "POST", path: "/v1/cloudevents", wrap: (d) => `{"predictions":${d}}`, ce: "response" },
  {
    method: "POST",
    path: "/v1/cloudevents",
    wrap: (d) => `{"outputs":[{"name":"p","datatype":"FP32","shape":[1],"data":${d}}]}`,
    ce: "response",
  },
  { method: "POST", path: "/v1/cloudevents", wrap: (d) => `{"inputs":[{"data":${d}}]}`, ce: "request" },
];
const deepBody = fc.record({
  endpoint: fc.constantFrom(...DEEP_ENDPOINTS),
  depth: fc.constantFrom(65, 200, 5000, 25_000),
  kind: fc.constantFrom("[", '{"k":', '{"__proto__":', '{"constructor":'),
});

describe("fuzzing the running server (fast-check)", () => {
  let dataDir: string;
  let server: ServerProcess;
  const statuses = new Map<number, number>();
  let rssBefore = 0;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "modelgate-fuzz-"));
    server = await spawnServer({
      dataDir,
      env: {
        MODELGATE_TOKENS: `ops admin ${ADMIN}`,
        MODELGATE_REQUEST_TIMEOUT_MS: "5000",
        MODELGATE_HEADERS_TIMEOUT_MS: "2000",
        MODELGATE_MAX_BODY_BYTES: "65536",
      },
    });
    // warm up so the baseline RSS includes compiled code paths
    for (let i = 0; i < 20; i++)
      await request(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${ADMIN}` } });
    rssBefore = server.rssBytes();
  }, 60_000);

  afterAll(async () => {
    await server?.[Symbol.asyncDispose]();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const record = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);

  it("random bytes, JSON, events and CloudEvents headers to every POST endpoint: no 5xx, no hang", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...POST_PATHS),
        fc.option(fc.oneof(fc.constantFrom(...CONTENT_TYPES), ascii(30)), { nil: undefined }),
        body,
        fc.option(ceHeaders, { nil: undefined }),
        auth,
        async (path, contentType, payload, ce, authHeader) => {
          const r = await request(`${server.url}${path}`, {
            method: "POST",
            body: payload as unknown as string,
            headers: { ...(contentType ? { "content-type": contentType } : {}), ...ce, ...authHeader },
            timeoutMs: CLIENT_TIMEOUT_MS,
          });
          record(r.status);
          expect(r.error, `${path} did not answer`).toBeUndefined();
          expect(r.status, `${path} ${contentType} → ${JSON.stringify(r.json).slice(0, 300)}`).toBeLessThan(
            500,
          );
          expect(r.status).toBeGreaterThanOrEqual(200);
        },
      ),
      { numRuns: 2000, seed: SEED },
    );
  }, 120_000);

  it("random query strings to GET /v1/judge and /v1/judge/{gate}: no 5xx, no hang", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/v1/judge", "/v1/judge/errors", "/v1/judge/auc"),
        query,
        async (path, q) => {
          const r = await request(`${server.url}${path}?${q}`, {
            headers: { authorization: `Bearer ${ADMIN}` },
            timeoutMs: CLIENT_TIMEOUT_MS,
          });
          record(r.status);
          expect(r.error, `${path}?${q} did not answer`).toBeUndefined();
          expect(r.status, `${path}?${q} → ${JSON.stringify(r.json).slice(0, 300)}`).toBeLessThan(500);
        },
      ),
      { numRuns: 1000, seed: SEED },
    );
  }, 120_000);

  it("random bytes on a raw TCP connection: the server answers 4xx or closes, and stays up", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 2048 }), async (bytes) => {
        const u = new URL(server.url);
        const answer = await new Promise<string>((resolve, reject) => {
          const s = connect({ host: u.hostname, port: Number(u.port) });
          let got = "";
          s.setTimeout(CLIENT_TIMEOUT_MS, () => reject(new Error("raw connection hung")));
          s.on("data", (d) => {
            got += d.toString("latin1");
          });
          s.on("error", () => resolve(got));
          s.on("close", () => resolve(got));
          // end our side: a server still waiting for more must give up (headers timeout)
          s.end(Buffer.from(bytes));
        });
        const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
        if (status !== undefined) expect(Number(status)).toBeLessThan(500);
      }),
      { numRuns: 150, seed: SEED },
    );
  }, 120_000);

  const send = async (
    path: string,
    init: { method?: string; body?: string; headers?: Record<string, string> },
  ) => {
    const r = await request(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${ADMIN}`, ...init.headers },
      timeoutMs: CLIENT_TIMEOUT_MS,
    });
    record(r.status);
    expect(r.error, `${init.method ?? "GET"} ${path} did not answer`).toBeUndefined();
    expect(
      r.status,
      `${init.method ?? "GET"} ${path} ${init.body?.slice(0, 300)} → ${JSON.stringify(r.json).slice(0, 300)}`,
    ).toBeLessThan(500);
    return r;
  };
  const jsonHeaders = { "content-type": "application/json" };

  it("prototype-named keys at every depth and in every name field, extreme numbers and dates: no 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc
            .tuple(fc.constantFrom("/v1/judge", "/v1/judge/latency", "/v1/judge/fairness"), hostileJudgeBody)
            .map(([path, b]) => ["POST", path, b] as const),
          fc
            .array(hostileEvent, { maxLength: 5 })
            .map((a) => ["POST", "/v1/events", `[${a.join(",")}]`] as const),
          fc
            .array(hostileEvent, { maxLength: 5 })
            .map((a) => ["POST", "/v1/events#ndjson", a.join("\n")] as const),
          fc
            .array(hostileOutcome, { maxLength: 5 })
            .map((a) => ["POST", "/v1/outcomes", `[${a.join(",")}]`] as const),
          fc
            .tuple(fc.oneof(protoName, fc.constantFrom("fraud", "ref")), hostileReference)
            .map(([m, b]) => ["PUT", `/v1/models/${encodeURIComponent(m)}/reference`, b] as const),
        ),
        async ([method, target, body]) => {
          const ndjson = target.endsWith("#ndjson");
          const path = target.replace("#ndjson", "");
          await send(path, {
            method,
            body,
            headers: { "content-type": ndjson ? "application/x-ndjson" : "application/json" },
          });
        },
      ),
      { numRuns: 600, seed: SEED },
    );
  }, 180_000);

  it("prototype-named and extreme query fields on GET /v1/judge and /v1/judge/{gate}: no 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/v1/judge", "/v1/judge/latency", "/v1/judge/drift"),
        hostileQuery,
        async (path, q) => {
          await send(`${path}?${q}`, {});
        },
      ),
      { numRuns: 400, seed: SEED },
    );
  }, 120_000);

  it("CloudEvents with hostile headers (ce-type, ce-time, model names) and bodies: no 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/v1/cloudevents", "/v1/events"),
        hostileCeHeaders,
        hostileCeBody,
        fc.constantFrom("application/json", "application/cloudevents+json"),
        async (path, ce, body, contentType) => {
          const structured = contentType === "application/cloudevents+json";
          const payload = structured
            ? `{${Object.entries(ce)
                .map(([k, v]) => `${JSON.stringify(k.slice(3))}:${JSON.stringify(v)}`)
                .join(",")},"data":${body}}`
            : body;
          await send(path, {
            method: "POST",
            body: payload,
            headers: { "content-type": contentType, ...(structured ? {} : ce) },
          });
        },
      ),
      { numRuns: 500, seed: SEED },
    );
  }, 180_000);

  it("nesting far past the limit on every JSON endpoint: 400 json_too_deep, no 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(deepBody, async ({ endpoint, depth, kind }) => {
        const close = kind === "[" ? "]" : "}";
        const deep = `${kind.repeat(depth)}${kind === "[" ? "" : "1"}${close.repeat(depth)}`;
        const ce: Record<string, string> = endpoint.ce
          ? {
              "ce-specversion": "1.0",
              "ce-type": `org.kubeflow.serving.inference.${endpoint.ce}`,
              "ce-id": "deep",
              "ce-inferenceservicename": "deep",
              "ce-endpoint": "v1",
            }
          : {};
        const r = await send(endpoint.path, {
          method: endpoint.method,
          body: endpoint.wrap(deep),
          headers: { ...jsonHeaders, ...ce },
        });
        // within the fuzz server's 64 KiB body limit the depth limit answers; beyond it, the size limit
        expect([400, 413]).toContain(r.status);
        if (r.status === 400) expect(r.json.error.code).toBe("json_too_deep");
      }),
      { numRuns: 120, seed: SEED },
    );
  }, 120_000);

  it("afterwards: alive, healthy, RSS within the bound", async () => {
    expect(server.alive()).toBe(true);
    expect((await request(`${server.url}/healthz`)).status).toBe(200);
    const rssAfter = server.rssBytes();
    const fives = [...statuses].filter(([s]) => s >= 500);
    expect(fives).toEqual([]);
    console.log(
      `fuzz: ${[...statuses.values()].reduce((a, b) => a + b, 0)} HTTP requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}; RSS ${(rssBefore / 2 ** 20).toFixed(1)} MiB → ${(rssAfter / 2 ** 20).toFixed(1)} MiB (bound +${RSS_BOUND_BYTES / 2 ** 20} MiB)`,
    );
    expect(rssAfter - rssBefore).toBeLessThan(RSS_BOUND_BYTES);
    // nothing escaped a request's own error handling either
    const metrics = String(
      (await request(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).json,
    );
    expect(metrics).not.toMatch(/^modelgate_uncaught_errors_total\{/m);
    expect(server.stderr()).not.toContain("uncaught error survived");
  });
});
