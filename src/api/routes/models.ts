import { Router } from "express";
import type { EmbeddedStore } from "../../store/embedded-store.js";
import { HttpError } from "../http-error.js";

const iso = (ts: number | null) => (ts === null ? null : new Date(ts).toISOString());

/**
 * GET /v1/models and GET /v1/models/:model/versions: what the embedded store holds, with
 * lifetime counts (events, scored, labelled, errors, invalid, unmatched outcomes) and the
 * time range of event timestamps.
 */
export function modelsRouter(deps: { store: EmbeddedStore }): Router {
  const router = Router();
  router.get("/v1/models", (_req, res) => {
    const models = deps.store.models().map((m) => ({
      model: m.model,
      versions: m.versions,
      events: m.events,
      unmatchedOutcomes: { unknown: m.unknownOutcomes, expired: m.expiredOutcomes },
      firstTs: iso(m.firstTs),
      lastTs: iso(m.lastTs),
    }));
    const { pending } = deps.store;
    res.json({
      models,
      // KServe/Seldon halves waiting for the other, requests counted as errors, requests dropped
      cloudEvents: {
        pendingRequests: pending.requests.size,
        pendingResponses: pending.responses.size,
        unansweredRequests: pending.unanswered,
        unpairedRequests: pending.unpaired,
      },
    });
  });
  router.get("/v1/models/:model/versions", (req, res) => {
    const versions = deps.store.versions(req.params.model);
    if (!versions)
      throw new HttpError(404, "unknown_model", `no model "${req.params.model}" in the store`, "model");
    res.json({
      model: req.params.model,
      versions: versions.map((v) => ({
        version: v.version,
        events: v.events,
        scored: v.scored,
        labelled: v.labelled,
        errors: v.errors,
        invalid: v.invalid,
        expiredOutcomes: v.expiredOutcomes,
        buckets: v.buckets,
        firstTs: iso(v.firstTs),
        lastTs: iso(v.lastTs),
      })),
    });
  });
  return router;
}
