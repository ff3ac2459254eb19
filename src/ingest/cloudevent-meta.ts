import type { FieldError } from "./event.js";

/**
 * The attributes of one payload-logger CloudEvent, read from its `ce-*` headers (HTTP binary
 * mode; structured mode is turned into the same headers by the route). What the two loggers send,
 * read from their sources (docs/ingestion.md cites the files and commits):
 * - KServe's agent (pkg/logger/worker.go): `ce-type` org.kubeflow.serving.inference.request|response,
 *   `ce-id` (the request's `Ce-Id` header or a new UUID, shared by both halves),
 *   `ce-inferenceservicename`, `ce-namespace`, `ce-component`, `ce-endpoint` (the pod's `endpoint`
 *   label: empty or `default`, never a revision), `ce-metadata` (JSON of the request headers named
 *   in `logger.metadataHeaders`, keyed in Go's canonical case), `ce-annotations` (JSON of the
 *   annotations named in `logger.metadataAnnotations`), `ce-time` (since 0.18 when the agent
 *   received the request / the model's answer, with `ce-recordedtime` the send time; before, the
 *   send time).
 * - Seldon Core 1.x's executor (executor/logger/worker.go): `ce-type`
 *   io.seldon.serving.inference.request|response, `ce-requestid` (the prediction's puid, shared by
 *   both halves; `ce-id` is new per event), `ce-modelid`, `ce-inferenceservicename`, `ce-endpoint`
 *   (the predictor's name), `ce-time` the send time.
 */
export interface CloudEventMeta {
  kind: "request" | "response";
  flavour: "kserve" | "seldon";
  /** the id joining a request to its response */
  id: string;
  model: string;
  /** the attribute the model name came from, named when it is refused */
  modelFrom: string;
  /** undefined when no attribute names it (a response body's `model_version` may, later) */
  version?: string;
  versionFrom?: string;
  /** epoch ms: `ce-time` when sent, else the arrival time */
  ts: number;
  /** whether `ts` is the event's own `ce-time` */
  stamped: boolean;
  /** latency measured by whoever sent the event (`x-modelgate-latency-ms`), ms */
  latencyMs?: number;
}

type Headers = Record<string, string | string[] | undefined>;

/** A Map, not an object: `toString` or `__proto__` must not resolve to anything. */
const TYPES = new Map<string, Pick<CloudEventMeta, "kind" | "flavour">>([
  ["org.kubeflow.serving.inference.request", { kind: "request", flavour: "kserve" }],
  ["org.kubeflow.serving.inference.response", { kind: "response", flavour: "kserve" }],
  ["io.seldon.serving.inference.request", { kind: "request", flavour: "seldon" }],
  ["io.seldon.serving.inference.response", { kind: "response", flavour: "seldon" }],
]);

/** ids become event ids `<id>#<i>`, which events limit to 256 characters */
const MAX_ID = 240;
/** RFC 3339, as the CloudEvents spec requires for `time` (Date.parse alone accepts far more) */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** The header KServe's `logger.metadataHeaders` must list, in the case Go compares it in. */
export const VERSION_HEADER = "X-Model-Version";
/** The annotation KServe's `logger.metadataAnnotations` may list. */
export const VERSION_ANNOTATION = "modelgate.io/version";
/** A relay that measured the model's latency may send it on the response event. */
export const LATENCY_HEADER = "x-modelgate-latency-ms";

const header = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === "" ? undefined : s;
};

export const isCloudEvent = (h: Headers) =>
  header(h, "ce-type") !== undefined || header(h, "ce-eventtype") !== undefined;

/**
 * Look a key up, case-insensitively, in a JSON-object extension: `ce-metadata` maps canonical
 * header names to lists of values, `ce-annotations` names to values.
 */
function fromJsonExtension(h: Headers, name: string, key: string): string | undefined {
  const raw = header(h, name);
  if (!raw) return undefined;
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    return undefined; // a malformed extension is ignored: the version may still come from elsewhere
  }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return undefined;
  const wanted = key.toLowerCase();
  for (const [k, v] of Object.entries(obj)) {
    if (k.toLowerCase() !== wanted) continue;
    const s = Array.isArray(v) ? v[0] : v;
    if (typeof s === "string" && s !== "") return s;
  }
  return undefined;
}

const fieldError = (field: string, message: string): FieldError => ({ field, message });

/**
 * Read the attributes. Model, first found: `?model=`, `x-modelgate-model`,
 * `ce-inferenceservicename`, `ce-modelid`. Version, first found: `?version=`,
 * `x-modelgate-version`, the `X-Model-Version` entry of `ce-metadata`, the `modelgate.io/version`
 * entry of `ce-annotations`, and for Seldon `ce-endpoint` (the predictor). KServe's `ce-endpoint`
 * is never a version: every revision sends the same value.
 */
export function cloudEventMeta(
  h: Headers,
  query: Record<string, unknown>,
  now: number,
): CloudEventMeta | FieldError {
  const type = header(h, "ce-type") ?? header(h, "ce-eventtype");
  const t = type === undefined ? undefined : TYPES.get(type);
  if (!t) {
    return fieldError("ce-type", `must be one of ${[...TYPES.keys()].join(", ")}, got "${type ?? ""}"`);
  }
  const idFrom = t.flavour === "seldon" && header(h, "ce-requestid") ? "ce-requestid" : "ce-id";
  const id = header(h, idFrom) ?? header(h, "ce-eventid");
  if (!id) return fieldError("ce-id", "is required to join a request to its response");
  if (id.length > MAX_ID) return fieldError(idFrom, `must be at most ${MAX_ID} characters`);
  const q = (k: string) => {
    const v = query[k];
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  const firstOf = (candidates: Array<[string, string | undefined]>) => candidates.find(([, v]) => v);
  const model = firstOf([
    ["model", q("model")],
    ["x-modelgate-model", header(h, "x-modelgate-model")],
    ["ce-inferenceservicename", header(h, "ce-inferenceservicename")],
    ["ce-modelid", header(h, "ce-modelid")],
  ]);
  if (!model) return fieldError("ce-inferenceservicename", "is required (or ?model=) to name the model");
  const version = firstOf([
    ["version", q("version")],
    ["x-modelgate-version", header(h, "x-modelgate-version")],
    ["ce-metadata", fromJsonExtension(h, "ce-metadata", VERSION_HEADER)],
    ["ce-annotations", fromJsonExtension(h, "ce-annotations", VERSION_ANNOTATION)],
    ["ce-endpoint", t.flavour === "seldon" ? header(h, "ce-endpoint") : undefined],
  ]);
  const time = header(h, "ce-time") ?? header(h, "ce-eventtime");
  let ts = now;
  if (time !== undefined) {
    ts = RFC3339.test(time) ? Date.parse(time) : Number.NaN;
    if (!Number.isFinite(ts)) return fieldError("ce-time", `must be an RFC 3339 time, got "${time}"`);
  }
  const meta: CloudEventMeta = {
    ...t,
    id,
    model: model[1]!,
    modelFrom: model[0],
    ts,
    stamped: time !== undefined,
  };
  if (version) {
    meta.version = version[1];
    meta.versionFrom = version[0];
  }
  const latency = header(h, LATENCY_HEADER);
  if (latency !== undefined) {
    const ms = Number(latency);
    if (latency.trim() === "" || !Number.isFinite(ms) || ms < 0) {
      return fieldError(LATENCY_HEADER, `must be a finite number of milliseconds >= 0, got "${latency}"`);
    }
    meta.latencyMs = ms;
  }
  return meta;
}
