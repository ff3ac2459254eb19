// @ts-check
/**
 * Traffic for the example model server, as real users and a fraud desk would make it: requests to
 * POST /predict at RPS per second, one synthetic case each (amount, channel, region, and a fraud
 * label the features predict), and later the true label of each case posted to modelgate's
 * /v1/outcomes under the request's id (the id the server logged its prediction with), as a
 * chargeback would confirm it. Each request opens its own connection, so a Kubernetes Service
 * spreads them over the stable and canary pods like independent clients.
 *
 * Environment:
 *   PREDICT_URL (required, e.g. http://fraud-model.ml.svc.cluster.local/predict),
 *   MODELGATE_OUTCOMES_URL (optional: no labels without it), MODELGATE_TOKEN (optional, ingest scope),
 *   MODEL_NAME (fraud), RPS (20), CONCURRENCY (8), LABEL_DELAY_MS (30000), LABEL_SHARE (1),
 *   REQUESTS (0 = run until stopped; N = send N requests, post their labels, print a summary, exit),
 *   SEED (1).
 */
import { request } from "node:http";
import { request as requestTls } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { REGIONS } from "./model.mjs";

const env = process.env;
const number = (name, fallback) => {
  const raw = env[name];
  const n = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`traffic: ${name} must be a non-negative number, got "${raw}"\n`);
    process.exit(2);
  }
  return n;
};
const PREDICT_URL = env.PREDICT_URL;
if (!PREDICT_URL) {
  process.stderr.write("traffic: PREDICT_URL is required\n");
  process.exit(2);
}
const OUTCOMES_URL = env.MODELGATE_OUTCOMES_URL || "";
const TOKEN = env.MODELGATE_TOKEN || "";
const MODEL = env.MODEL_NAME || "fraud";
const RPS = number("RPS", 20);
const CONCURRENCY = Math.max(1, number("CONCURRENCY", 8));
const LABEL_DELAY_MS = number("LABEL_DELAY_MS", 30_000);
const LABEL_SHARE = number("LABEL_SHARE", 1);
const REQUESTS = number("REQUESTS", 0);

// mulberry32: a small seeded generator, so a run can be repeated
let state = number("SEED", 1) >>> 0;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/** One case: a quarter are fraud, which spends more and more often by phone. */
function drawCase() {
  const fraud = random() < 0.25 ? 1 : 0;
  const amount = Math.round(Math.exp(4 + 1.6 * fraud + normal()) * 100) / 100;
  const u = random();
  const channel = fraud
    ? u < 0.45
      ? "phone"
      : u < 0.8
        ? "web"
        : u < 0.95
          ? "app"
          : "pos"
    : u < 0.1
      ? "phone"
      : u < 0.45
        ? "web"
        : u < 0.75
          ? "app"
          : "pos";
  const region = REGIONS[Math.floor(random() * REGIONS.length)];
  // drawn with the case, so a seed gives the same cases whatever order the answers come back in
  const labelled = random() < LABEL_SHARE;
  return { instance: { amount, channel, region }, fraud, labelled };
}

/** POST JSON on a connection of its own; resolves with the status, body and x-request-id. */
function post(url, body, headers = {}) {
  return new Promise((resolve) => {
    const u = new URL(url);
    const send = u.protocol === "https:" ? requestTls : request;
    const req = send(
      u,
      {
        method: "POST",
        agent: false,
        headers: { "content-type": "application/json", ...headers },
        timeout: 10_000,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text, id: res.headers["x-request-id"] }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (e) => resolve({ status: 0, text: e.message, id: undefined }));
    req.end(JSON.stringify(body));
  });
}

/** @type {{ id: string, label: number, due: number }[]} */
const labels = [];
const counts = { requests: 0, answered: 0, failed: 0, labelsPosted: 0, labelsRefused: 0 };

async function postLabels(all) {
  const now = Date.now();
  const firstNotDue = labels.findIndex((l) => l.due > now); // labels are in due order
  const due = labels.splice(0, all || firstNotDue === -1 ? labels.length : firstNotDue);
  for (let i = 0; i < due.length; i += 1000) {
    const batch = due.slice(i, i + 1000).map((l) => ({ model: MODEL, id: l.id, label: l.label }));
    const r = await post(OUTCOMES_URL, batch, TOKEN ? { authorization: `Bearer ${TOKEN}` } : {});
    if (r.status === 202 || r.status === 200) counts.labelsPosted += batch.length;
    else {
      counts.labelsRefused += batch.length;
      process.stderr.write(`traffic: /v1/outcomes answered ${r.status}: ${r.text.slice(0, 300)}\n`);
    }
  }
}

async function worker(interval) {
  while (REQUESTS === 0 || counts.requests < REQUESTS) {
    counts.requests++;
    const started = Date.now();
    const { instance, fraud, labelled } = drawCase();
    const r = await post(PREDICT_URL, { instances: [instance] });
    if (r.status === 200 && r.id) {
      counts.answered++;
      if (OUTCOMES_URL && labelled)
        labels.push({ id: String(r.id), label: fraud, due: Date.now() + LABEL_DELAY_MS });
    } else counts.failed++;
    await sleep(Math.max(0, interval - (Date.now() - started)));
  }
}

let stopping = false;
process.once("SIGTERM", () => {
  stopping = true;
});

const labeller = (async () => {
  while (!stopping && (REQUESTS === 0 || counts.requests < REQUESTS)) {
    await sleep(1000);
    if (OUTCOMES_URL) await postLabels(false);
  }
})();
// RPS = 0: as fast as CONCURRENCY connections go
await Promise.race([
  Promise.all(Array.from({ length: CONCURRENCY }, () => worker(RPS > 0 ? (1000 * CONCURRENCY) / RPS : 0))),
  new Promise((resolve) => process.once("SIGTERM", resolve)),
]);
await labeller;
// the last labels when they are due (a label sent before its prediction reached modelgate would
// find nothing to join), unless the generator is being stopped
if (OUTCOMES_URL && labels.length > 0 && !stopping) await sleep(Math.max(0, labels.at(-1).due - Date.now()));
if (OUTCOMES_URL) await postLabels(true);
process.stdout.write(`${JSON.stringify({ msg: "traffic done", ...counts })}\n`);
process.exit(0);
