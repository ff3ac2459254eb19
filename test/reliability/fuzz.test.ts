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
  });
});
