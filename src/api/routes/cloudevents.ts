import { type Request, type Response, Router } from "express";
import type { Config } from "../../config.js";
import { BatchResult } from "../../ingest/batch-result.js";
import { parseJson, readBody } from "../../ingest/body.js";
import { readCloudEvent } from "../../ingest/cloudevents.js";
import { mediaType } from "../../ingest/http-batch.js";
import type { EmbeddedStore } from "../../store/embedded-store.js";
import { StoreNotReady } from "../../store/embedded-store.js";
import { HttpError } from "../http-error.js";

interface Deps {
  store: EmbeddedStore;
  config: Config;
}

const NO_MODELS = new Map();
/** the CloudEvent attribute an event field came from, for the message */
const FIELD_FROM = new Map([
  ["model", (m: { modelFrom: string }) => m.modelFrom],
  ["ts", () => "ce-time"],
]);

const badEvent = (field: string, message: string) =>
  new HttpError(400, "bad_cloudevent", `${field} ${message}`, field);

/**
 * One KServe/Seldon payload-logger CloudEvent (binary mode: `ce-*` headers, the model's body;
 * structured mode `application/cloudevents+json` is unwrapped the same way). Its model, version
 * and time pass the checks /v1/events applies to an event's; whichever half of an inference
 * comes first waits for the other (see docs/ingestion.md).
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
  const event = readCloudEvent(headers, query, data, store.now(), {
    maxPredictions: config.cloudEventMaxPredictions,
    maxFeatures: config.maxFeatures,
    models: config.cloudEventModels ?? NO_MODELS,
  });
  if ("error" in event) {
    const { field, message } = event.error;
    if (event.status === 413) throw new HttpError(413, "too_many_predictions", `${field} ${message}`, field);
    throw badEvent(field, message);
  }
  const { meta, half } = event;
  const versionFrom = event.kind === "response" ? (event.versionFrom ?? meta.versionFrom) : meta.versionFrom;
  // the same checks an event's model, version and ts get, named by the attribute they came from
  const refused = store.checkCloudEventAttributes(half);
  if (refused) {
    const from =
      refused.field === "version" ? (versionFrom ?? "version") : FIELD_FROM.get(refused.field)?.(meta);
    throw badEvent(from ?? refused.field, refused.message);
  }
  const result = new BatchResult();
  try {
    if (event.kind === "request") {
      const outcome = store.cloudEventRequest(event.half, result);
      if (outcome === "pending") {
        res
          .status(202)
          .json({ accepted: 1, rejected: 0, cloudevent: { kind: "request", id: meta.id, pending: true } });
        return;
      }
    } else {
      const outcome = store.cloudEventResponse(event.half, result);
      if (outcome === "no_version") {
        throw badEvent(
          "version",
          "is named by neither this response nor its request: add ?version= to the logger URL, list X-Model-Version in the InferenceService's logger.metadataHeaders, or return model_version in the response body (docs/ingestion.md)",
        );
      }
      if (outcome === "pending") {
        res
          .status(202)
          .json({ accepted: 1, rejected: 0, cloudevent: { kind: "response", id: meta.id, pending: true } });
        return;
      }
    }
    res
      .status(result.status())
      .json({ ...result.toJSON("events"), cloudevent: { kind: meta.kind, id: meta.id, paired: true } });
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
