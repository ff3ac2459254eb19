// @ts-check
/**
 * An example model server judged by modelgate: a small fraud scorer over HTTP that logs every
 * prediction to modelgate, tagged with the version Argo Rollouts' templates compare (the
 * pod-template-hash, from the Downward API). No dependencies: Node 20's standard library only.
 *
 *   POST /predict   {"instances": [{"amount": 120.5, "channel": "web", "region": "eu"}]}
 *                   → {"predictions": [{"score": 0.12, "decision": 0}]}, header x-request-id
 *   GET  /healthz   → {"status": "ok"}
 *
 * One event per instance goes to MODELGATE_EVENTS_URL (POST /v1/events, NDJSON), batched off the
 * request path: flushed every FLUSH_MS or at MAX_BATCH events, at most MAX_BUFFER waiting (the
 * oldest are dropped and counted when modelgate cannot be reached: predictions never wait for it).
 * The event id is the request's x-request-id (`<id>` for one instance, `<id>#<i>` for several), so
 * the labels posted later to /v1/outcomes with that id join it. A request that fails (bad input)
 * is logged as {"error": true}, so modelgate's errors gate sees it.
 *
 * Environment:
 *   MODEL_NAME (fraud), MODEL_VERSION (required: the pod-template-hash in a Rollout),
 *   MODELGATE_EVENTS_URL (required), MODELGATE_TOKEN (optional bearer token, an ingest scope),
 *   PORT (8000; 0 = any free port, printed), HOST (0.0.0.0), DECISION_THRESHOLD (0.5),
 *   LATENCY_FACTOR (1; the Dockerfile's build argument: 1.5 makes the slow "bad" version),
 *   MODEL_BUILD (the image's build name, shown by /healthz and the start line),
 *   FLUSH_MS (1000), MAX_BATCH (500), MAX_BUFFER (50000).
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { CHANNELS, score } from "./model.mjs";

const env = process.env;
const required = (name) => {
  const v = env[name];
  if (!v) {
    process.stderr.write(`model-server: ${name} is required\n`);
    process.exit(2);
  }
  return v;
};
const number = (name, fallback) => {
  const raw = env[name];
  const n = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`model-server: ${name} must be a non-negative number, got "${raw}"\n`);
    process.exit(2);
  }
  return n;
};

const MODEL = env.MODEL_NAME || "fraud";
const VERSION = required("MODEL_VERSION");
const EVENTS_URL = required("MODELGATE_EVENTS_URL");
const TOKEN = env.MODELGATE_TOKEN || "";
const THRESHOLD = number("DECISION_THRESHOLD", 0.5);
const LATENCY_FACTOR = number("LATENCY_FACTOR", 1);
const BUILD = env.MODEL_BUILD || "";
const FLUSH_MS = number("FLUSH_MS", 1000);
const MAX_BATCH = number("MAX_BATCH", 500);
const MAX_BUFFER = number("MAX_BUFFER", 50_000);
/** A validated instance, or the reason it is not one. */
function instanceOf(value, i) {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { error: `instances[${i}] must be an object` };
  const { amount, channel, region } = value;
  if (typeof amount !== "number" || !Number.isFinite(amount) || amount < 0)
    return { error: `instances[${i}].amount must be a non-negative number` };
  if (typeof channel !== "string" || !CHANNELS.has(channel))
    return { error: `instances[${i}].channel must be one of ${[...CHANNELS.keys()].join(", ")}` };
  if (region !== undefined && typeof region !== "string")
    return { error: `instances[${i}].region must be a string` };
  return { instance: { amount, channel, region } };
}

// ---- the event logger: a bounded buffer flushed in the background ----
/** @type {string[]} */
let buffer = [];
let dropped = 0;
let sent = 0;

function log(event) {
  buffer.push(JSON.stringify({ model: MODEL, version: VERSION, ts: new Date().toISOString(), ...event }));
  if (buffer.length > MAX_BUFFER) {
    dropped += buffer.length - MAX_BUFFER;
    buffer = buffer.slice(-MAX_BUFFER);
  }
}

async function flush() {
  while (buffer.length > 0) {
    const batch = buffer.slice(0, MAX_BATCH);
    try {
      const res = await fetch(EVENTS_URL, {
        method: "POST",
        headers: {
          "content-type": "application/x-ndjson",
          ...(TOKEN ? { authorization: `Bearer ${TOKEN}` } : {}),
        },
        body: `${batch.join("\n")}\n`,
        signal: AbortSignal.timeout(5000),
      });
      const text = await res.text();
      if (res.status !== 202 && res.status !== 200) {
        // 4xx: these events will never be accepted (say why once per batch and drop them);
        // 5xx/429: modelgate is busy or restarting, keep them for the next flush.
        if (res.status >= 500 || res.status === 429) return;
        process.stderr.write(
          `model-server: modelgate refused a batch: ${res.status} ${text.slice(0, 300)}\n`,
        );
      }
      buffer.splice(0, batch.length);
      sent += batch.length;
    } catch (e) {
      process.stderr.write(`model-server: cannot reach modelgate: ${/** @type {Error} */ (e).message}\n`);
      return;
    }
  }
}

let flushing = Promise.resolve();
const timer = setInterval(() => {
  flushing = flushing.then(flush);
}, FLUSH_MS);

// ---- HTTP ----
function answer(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

async function readJson(req) {
  let text = "";
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 1_000_000) throw new Error("body larger than 1 MB");
  }
  return JSON.parse(text);
}

async function predict(req, res) {
  const started = performance.now();
  const id = String(req.headers["x-request-id"] || randomUUID());
  let body;
  try {
    body = await readJson(req);
  } catch (e) {
    log({ id, error: true });
    return answer(
      res,
      400,
      { error: `body must be JSON: ${/** @type {Error} */ (e).message}` },
      { "x-request-id": id },
    );
  }
  const raw = body?.instances;
  if (!Array.isArray(raw) || raw.length === 0) {
    log({ id, error: true });
    return answer(res, 400, { error: "instances must be a non-empty array" }, { "x-request-id": id });
  }
  const parsed = raw.map(instanceOf);
  const bad = parsed.find((p) => p.error);
  if (bad) {
    log({ id, error: true });
    return answer(res, 400, { error: bad.error }, { "x-request-id": id });
  }
  const predictions = parsed.map(({ instance }) => {
    const s = score(instance);
    return { score: Number(s.toFixed(6)), decision: s >= THRESHOLD ? 1 : 0, region: instance.region };
  });
  // The model's work: a few milliseconds per instance (a real model's inference), scaled by
  // LATENCY_FACTOR so that a "slow" build of the same model is slower and nothing else.
  await sleep(LATENCY_FACTOR * (8 + 4 * predictions.length + 6 * Math.random()));
  const latencyMs = Number((performance.now() - started).toFixed(2));
  predictions.forEach((p, i) => {
    log({
      id: predictions.length === 1 ? id : `${id}#${i}`,
      score: p.score,
      decision: p.decision,
      latencyMs,
      ...(p.region ? { groups: { region: p.region } } : {}),
    });
  });
  answer(
    res,
    200,
    { predictions: predictions.map(({ score, decision }) => ({ score, decision })) },
    { "x-request-id": id },
  );
}

const server = createServer((req, res) => {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method === "POST" && path === "/predict") {
    predict(req, res).catch((e) => answer(res, 500, { error: String(e) }));
  } else if (req.method === "GET" && path === "/healthz") {
    answer(res, 200, {
      status: "ok",
      model: MODEL,
      version: VERSION,
      build: BUILD,
      eventsSent: sent,
      eventsDropped: dropped,
    });
  } else answer(res, 404, { error: `no route for ${req.method} ${path}` });
});

server.listen(number("PORT", 8000), env.HOST || "0.0.0.0", () => {
  const address = /** @type {import("node:net").AddressInfo} */ (server.address());
  process.stdout.write(
    `${JSON.stringify({ msg: "model server listening", port: address.port, model: MODEL, version: VERSION, build: BUILD, latencyFactor: LATENCY_FACTOR })}\n`,
  );
});

// SIGTERM (a pod stopping): stop accepting, send what is buffered, then exit.
process.once("SIGTERM", () => {
  clearInterval(timer);
  server.close();
  flushing.then(flush).finally(() => {
    process.stdout.write(
      `${JSON.stringify({ msg: "model server stopped", eventsSent: sent, eventsDropped: dropped })}\n`,
    );
    process.exit(0);
  });
});
