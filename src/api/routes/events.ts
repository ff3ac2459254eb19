import { Router } from "express";
import type { Config } from "../../config.js";
import { isCloudEvent } from "../../ingest/cloudevents.js";
import { ingestBatch, mediaType } from "../../ingest/http-batch.js";
import type { EmbeddedStore } from "../../store/embedded-store.js";
import { handleCloudEvent } from "./cloudevents.js";

/**
 * POST /v1/events: a JSON array of events (or one event), or an NDJSON stream of any size.
 * A request carrying CloudEvents headers (KServe/Seldon payload logger), or a structured-mode
 * CloudEvent (application/cloudevents+json), is handled as
 * POST /v1/cloudevents, so a logger may point at either URL.
 */
export function eventsRouter(deps: { store: EmbeddedStore; config: Config }): Router {
  const router = Router();
  router.post("/v1/events", async (req, res) => {
    if (isCloudEvent(req.headers) || mediaType(req) === "application/cloudevents+json") {
      await handleCloudEvent(req, res, deps);
    } else await ingestBatch(req, res, deps.store, "events", deps.config);
  });
  return router;
}
