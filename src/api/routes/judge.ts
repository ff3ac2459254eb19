import express from "express";
import { Counter, Gauge, type Registry } from "prom-client";
import type { VerdictEvents } from "../../events/verdict-events.js";
import { GateConfigError } from "../../gates/config-parse.js";
import { GATES, type GateRegistry } from "../../gates/registry.js";
import { SHADOW_GATES } from "../../gates/shadow/registry.js";
import { checkRequestGateSettings } from "../../judge/gate-settings.js";
import type { JudgementHistory } from "../../judge/history.js";
import { runJudgement } from "../../judge/judge.js";
import type { JudgeResponse } from "../../judge/judgement.js";
import { parseJudgeRequest } from "../../judge/request.js";
import type { KubeClient, RolloutRef } from "../../k8s/kube-client.js";
import { emitVerdictEvent } from "../../k8s/rollout-events.js";
import { parseRolloutRef } from "../../k8s/rollout-ref.js";
import { dictionary } from "../../safe-keys.js";
import { type Source, SourceUnavailable } from "../../sources/source.js";
import { HttpError } from "../http-error.js";
import { jsonBody } from "../json-body.js";

/**
 * The judge over HTTP, shaped for Argo Rollouts' web metric provider:
 *
 * - `POST /v1/judge` (jsonBody) and `GET /v1/judge?model=…&baseline=…&candidate=…` (URL with
 *   `{{args.*}}`): all requested gates (default: every registered gate).
 * - `GET|POST /v1/judge/{gate}`: one gate, so a template can have one metric per gate.
 * - `GET /v1/judgements?model=&limit=` and `GET /v1/judgements/{id}`: the judgement history.
 *
 * A computed verdict — pass, fail or inconclusive, including "no data yet" — is always 200 with
 * the JSON object; a bad request is 4xx naming the field (Argo counts it as an Error, which is
 * right for a misconfigured template); 503 only when the source cannot answer (SourceUnavailable),
 * so Argo records an Error measurement rather than a verdict it cannot trust.
 */
export interface JudgeRouterOptions {
  sources: Readonly<Record<string, Source>>;
  /** name in `sources` used when a request names none */
  defaultSource: string;
  history: JudgementHistory;
  registry?: GateRegistry;
  clock?: () => number;
  maxBodyBytes?: number;
  /** loader of a model's uploaded reference profile, for `drift.reference` = profile | both */
  referenceProfile?: (model: string) => Promise<unknown | undefined>;
  /** when given, verdict counters and gate values are registered on it (the app's own registry) */
  metricsRegistry?: Registry;
  /**
   * Kubernetes client (optional): resolves `rollout=ns/name` into stable/canary pod-template hashes
   * when baseline/candidate are not given, and puts a ModelGateFailed / ModelGateInconclusive Event
   * on the Rollout for every fail or inconclusive verdict.
   */
  kube?: KubeClient;
  /** verdict CloudEvents (optional): told of every judgement once it is answered (src/events) */
  events?: Pick<VerdictEvents, "judged">;
  /**
   * false while the embedded store is still replaying its log: a judgement then would see part of
   * the data, so the judge answers 503 not_ready (an Error for Argo, which asks again)
   */
  ready?: () => boolean;
}

interface JudgeMetrics {
  verdicts: Counter<"model" | "gate" | "verdict">;
  values: Gauge<"model" | "gate" | "metric">;
}

function judgeMetrics(registry: Registry): JudgeMetrics {
  const existing = registry.getSingleMetric("modelgate_judgements_total");
  if (existing) {
    return {
      verdicts: existing as Counter<"model" | "gate" | "verdict">,
      values: registry.getSingleMetric("modelgate_gate_value") as Gauge<"model" | "gate" | "metric">,
    };
  }
  return {
    verdicts: new Counter({
      name: "modelgate_judgements_total",
      help: "Judgements answered, by model, gate (overall for the combined verdict) and verdict",
      labelNames: ["model", "gate", "verdict"],
      registers: [registry],
    }),
    values: new Gauge({
      name: "modelgate_gate_value",
      help: "Decisive metric value of the latest judgement, by model, gate and metric",
      labelNames: ["model", "gate", "metric"],
      registers: [registry],
    }),
  };
}

function observe(m: JudgeMetrics, r: JudgeResponse): void {
  const model = r.judgement.model;
  m.verdicts.inc({ model, gate: "overall", verdict: r.summary.verdict });
  for (const [gate, g] of Object.entries(r.gates)) {
    m.verdicts.inc({ model, gate, verdict: g.verdict });
    if (typeof g.value === "number") m.values.set({ model, gate, metric: g.metric }, g.value);
  }
}

function asFields(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new HttpError(400, "bad_request", `${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

const given = (v: unknown) => v !== undefined && v !== null && String(v).trim() !== "";

/**
 * `rollout=namespace/name`: validate it, and when baseline or candidate is missing fill them from
 * the Rollout's status (stableRS, currentPodHash). Hashes given in the request win. Without a
 * Kubernetes client a rollout-only request is a 400 (the template must pass the hashes); a Rollout
 * the API server cannot return is a 503, so Argo records an Error and asks again.
 */
async function resolveRollout(
  raw: Record<string, unknown>,
  kube: KubeClient | undefined,
): Promise<RolloutRef | undefined> {
  let ref: RolloutRef | undefined;
  try {
    ref = parseRolloutRef(raw.rollout === undefined ? undefined : String(raw.rollout));
  } catch (e) {
    throw new HttpError(400, "bad_request", `rollout: ${(e as Error).message}`, "rollout");
  }
  if (!ref || (given(raw.baseline) && given(raw.candidate))) return ref;
  if (!kube) {
    throw new HttpError(
      400,
      "bad_request",
      "rollout: no Kubernetes credentials, so the Rollout cannot be read; pass baseline and candidate",
      "rollout",
    );
  }
  const versions = await kube.resolveRollout(ref.namespace, ref.name);
  if (!versions) {
    throw new HttpError(
      503,
      "rollout_unavailable",
      `rollout ${ref.namespace}/${ref.name} could not be read from the Kubernetes API`,
      "rollout",
    );
  }
  if (!given(raw.baseline)) raw.baseline = versions.stable;
  if (!given(raw.candidate)) raw.candidate = versions.canary;
  return { ...ref, ...(versions.uid ? { uid: versions.uid } : {}) };
}

export function createJudgeRouter(opts: JudgeRouterOptions): express.Router {
  const registry = opts.registry ?? GATES;
  const clock = opts.clock ?? Date.now;
  const metrics = opts.metricsRegistry ? judgeMetrics(opts.metricsRegistry) : undefined;
  const router = express.Router();
  const json = jsonBody({ limit: opts.maxBodyBytes ?? 1024 * 1024, hint: "(MODELGATE_MAX_BODY_BYTES)" });

  const handle = async (req: express.Request, res: express.Response) => {
    if (opts.ready && !opts.ready()) {
      throw new HttpError(503, "not_ready", "the store is still replaying its log; ask again shortly");
    }
    const gate = req.params.gate as string | undefined;
    // Query fields first, body fields win: a template may put fixed settings in the URL. A
    // null-prototype object: every name the client sent is an own key and nothing else is.
    const raw = Object.assign(
      dictionary<unknown>(),
      asFields(req.query, "query"),
      req.method === "POST" ? asFields(req.body, "request body") : {},
    );
    const gates = String(raw.mode ?? "").trim() === "shadow" ? SHADOW_GATES : registry;
    if (gate !== undefined && !Object.hasOwn(gates, gate)) {
      throw new HttpError(
        404,
        "unknown_gate",
        `unknown gate "${gate}"; known gates: ${Object.keys(gates).join(", ")}`,
        "gate",
      );
    }
    const rollout = await resolveRollout(raw, opts.kube);
    let response: JudgeResponse;
    try {
      checkRequestGateSettings(raw, { registry });
      const request = parseJudgeRequest(raw, { registry, now: clock(), onlyGate: gate });
      response = await runJudgement(request, {
        registry,
        sources: opts.sources,
        defaultSource: opts.defaultSource,
        history: opts.history,
        clock,
        referenceProfile: opts.referenceProfile,
      });
    } catch (err) {
      if (err instanceof GateConfigError) {
        throw new HttpError(400, "bad_request", err.message, err.field);
      }
      if (err instanceof SourceUnavailable) {
        throw new HttpError(503, "source_unavailable", `no verdict: ${err.message}`);
      }
      throw err;
    }
    if (metrics) observe(metrics, response);
    void emitVerdictEvent(opts.kube, rollout, response);
    res.status(200).json(response);
    opts.events?.judged(response);
  };

  // Express answers HEAD with the GET handler; a judgement records a look and an audit record, which
  // a safe method must not do.
  router.head(["/v1/judge", "/v1/judge/:gate"], (_req, res) => {
    res.status(405).set("Allow", "GET, POST").end();
  });
  router.post("/v1/judge", json, handle);
  router.get("/v1/judge", handle);
  router.post("/v1/judge/:gate", json, handle);
  router.get("/v1/judge/:gate", handle);

  router.get("/v1/judgements", (req, res) => {
    const model = typeof req.query.model === "string" && req.query.model !== "" ? req.query.model : undefined;
    const rawLimit = req.query.limit;
    const limit = rawLimit === undefined ? 100 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new HttpError(
        400,
        "bad_request",
        `limit: must be an integer in [1, 10000], got ${JSON.stringify(rawLimit)}`,
        "limit",
      );
    }
    res.json({ judgements: opts.history.list({ model, limit }) });
  });
  router.get("/v1/judgements/:id", (req, res) => {
    const found = opts.history.get(String(req.params.id));
    if (!found)
      throw new HttpError(404, "not_found", `no judgement with id ${JSON.stringify(req.params.id)}`, "id");
    res.json(found);
  });
  return router;
}
