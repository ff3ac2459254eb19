import type { RequestHalf, ResponseHalf } from "./cloudevent-events.js";
import { type CloudEventModelSettings, instanceGroups } from "./cloudevent-groups.js";
import { featureRows, inputTable } from "./cloudevent-inputs.js";
import { type CloudEventMeta, cloudEventMeta } from "./cloudevent-meta.js";
import { responseOutputs, tooMany } from "./cloudevent-outputs.js";
import type { FieldError } from "./event.js";

export { isCloudEvent } from "./cloudevent-meta.js";

/**
 * KServe and Seldon payload-logger CloudEvents → the request and response halves of an
 * inference (src/ingest/cloudevent-events.ts turns a pair into prediction events). The headers
 * are read by cloudevent-meta.ts, request bodies by cloudevent-inputs.ts (and the protected
 * attributes an operator mapped, cloudevent-groups.ts), response bodies by cloudevent-outputs.ts.
 */
export interface CloudEventOptions {
  /** most predictions (or request instances) one event may expand to */
  maxPredictions: number;
  maxFeatures: number;
  /** per-model settings (MODELGATE_CLOUDEVENT_MODELS) */
  models: ReadonlyMap<string, CloudEventModelSettings>;
}

export type CloudEvent =
  | { kind: "request"; meta: CloudEventMeta; half: RequestHalf }
  | { kind: "response"; meta: CloudEventMeta; half: ResponseHalf; versionFrom?: string };

/** A refused event: 400 for a malformed one, 413 for one that expands beyond the limit. */
export interface CloudEventError {
  status: 400 | 413;
  error: FieldError;
}

/** Read one CloudEvent: its attributes (`headers`, `query`) and its data (parsed JSON). */
export function readCloudEvent(
  headers: Record<string, string | string[] | undefined>,
  query: Record<string, unknown>,
  data: unknown,
  now: number,
  opts: CloudEventOptions,
): CloudEvent | CloudEventError {
  const meta = cloudEventMeta(headers, query, now);
  if ("field" in meta) return { status: 400, error: meta };
  const common = {
    id: meta.id,
    model: meta.model,
    ...(meta.version !== undefined ? { version: meta.version } : {}),
    ts: meta.ts,
    stamped: meta.stamped,
  };
  if (meta.kind === "request") {
    const table = inputTable(data);
    if (table && table.n > opts.maxPredictions) {
      return { status: 413, error: tooMany("instances", table.n, opts.maxPredictions) };
    }
    const features = table ? featureRows(table, opts.maxFeatures) : undefined;
    const mapping = opts.models.get(meta.model)?.groups;
    const groups = table && mapping && mapping.size > 0 ? instanceGroups(table, mapping) : undefined;
    const half: RequestHalf = {
      ...common,
      instances: table?.n ?? 1,
      ...(features ? { features } : {}),
      ...(groups ? { groups } : {}),
    };
    return { kind: "request", meta, half };
  }
  const output = typeof query.output === "string" && query.output !== "" ? query.output : undefined;
  const outputs = responseOutputs(data, { output, maxPredictions: opts.maxPredictions });
  if ("field" in outputs) return { status: "limit" in outputs ? 413 : 400, error: outputs };
  const half: ResponseHalf = {
    ...common,
    ...(meta.latencyMs !== undefined ? { latencyMs: meta.latencyMs } : {}),
    ...(outputs.failed ? { failed: true } : { scores: outputs.scores ?? [] }),
  };
  let versionFrom = meta.versionFrom;
  if (half.version === undefined && outputs.modelVersion !== undefined) {
    half.version = outputs.modelVersion;
    versionFrom = "model_version";
  }
  return { kind: "response", meta, half, ...(versionFrom ? { versionFrom } : {}) };
}
