import { type Request, type Response, Router } from "express";
import type { Config } from "../../config.js";
import { BatchResult } from "../../ingest/batch-result.js";
import { parseJson, readBody } from "../../ingest/body.js";
import { cloudEventMeta, requestFeatures, responseEvents, responseScores } from "../../ingest/cloudevents.js";
import { mediaType } from "../../ingest/http-batch.js";
import type { EmbeddedStore } from "../../store/embedded-store.js";
import { StoreNotReady } from "../../store/embedded-store.js";
import { HttpError } from "../http-error.js";

interface Deps {
  store: EmbeddedStore;
  config: Config;
}

/**
 * One KServe/Seldon payload-logger CloudEvent (binary mode: `ce-*` headers, the model's body;
 * structured mode `application/cloudevents+json` is unwrapped the same way). A request is kept
 * until its response; a response becomes one event per prediction (see docs/ingestion.md).
 */
export async function handleCloudEvent(req: Request, res: Response, deps: Deps): Promise<void> {
  const { store, config } = deps;
  if (!store.ready) throw new HttpError(503, "not_ready", new StoreNotReady().message);
  let body: Buffer;
  try {
    body = await readBody(req, config.maxBodyBytes);
  } catch (e) {
    res.setHeader("Connection", "close");
    throw e;
  }
  let headers: Record<string, string | string[] | undefined> = req.headers;
  let data = parseJson(body);
  if (mediaType(req) === "application/cloudevents+json") {
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      throw new HttpError(400, "bad_request", "a structured CloudEvent must be a JSON object", "body");
    }
    const envelope = data as Record<string, unknown>;
    headers = { ...req.headers };
    for (const [k, v] of Object.entries(envelope))
      if (typeof v === "string") headers[`ce-${k.toLowerCase()}`] = v;
    data = envelope.data;
  }
  const query = req.query as Record<string, unknown>;
  const meta = cloudEventMeta(headers, query, store.now());
  if ("field" in meta)
    throw new HttpError(400, "bad_cloudevent", `${meta.field} ${meta.message}`, meta.field);
  const key = `${meta.model}\u0000${meta.id}`;
  try {
    if (meta.kind === "request") {
      const features = requestFeatures(data, config.maxFeatures);
      store.cloudEventRequest(key, {
        model: meta.model,
        version: meta.version,
        ts: meta.ts,
        ...(features ? { features } : {}),
      });
      res
        .status(202)
        .json({ accepted: 1, rejected: 0, cloudevent: { kind: "request", id: meta.id, pending: true } });
      return;
    }
    const output = typeof query.output === "string" ? query.output : undefined;
    const scores = responseScores(data, output);
    if ("field" in scores)
      throw new HttpError(400, "bad_cloudevent", `${scores.field} ${scores.message}`, scores.field);
    const result = new BatchResult();
    const paired = store.cloudEventResponse(key, (r) => responseEvents(meta, scores, r), result);
    res
      .status(result.status())
      .json({ ...result.toJSON("events"), cloudevent: { kind: "response", id: meta.id, paired } });
  } catch (e) {
    if (e instanceof StoreNotReady) throw new HttpError(503, "not_ready", e.message);
    throw e;
  }
}

/** POST /v1/cloudevents — the URL to give KServe's `logger.url` or Seldon's logger. */
export function cloudEventsRouter(deps: Deps): Router {
  const router = Router();
  router.post("/v1/cloudevents", async (req, res) => {
    await handleCloudEvent(req, res, deps);
  });
  return router;
}
