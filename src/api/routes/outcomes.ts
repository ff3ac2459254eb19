import { Router } from "express";
import type { Config } from "../../config.js";
import { ingestBatch } from "../../ingest/http-batch.js";
import type { EmbeddedStore } from "../../store/embedded-store.js";

/**
 * POST /v1/outcomes: delayed labels `{"model","id","label"}` joined by id to the stored
 * prediction, or self-contained `{"model","version","score","label"}`. The answer counts how
 * many joined, were unknown, had expired, or were self-contained.
 */
export function outcomesRouter(deps: { store: EmbeddedStore; config: Config }): Router {
  const router = Router();
  router.post("/v1/outcomes", async (req, res) => {
    await ingestBatch(req, res, deps.store, "outcomes", deps.config);
  });
  return router;
}
