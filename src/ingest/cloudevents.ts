import type { FieldError, PredictionEvent } from "./event.js";

/**
 * KServe and Seldon payload-logger CloudEvents → prediction events.
 *
 * Both loggers send each inference as two events sharing an id, in HTTP binary mode: the
 * attributes travel as `ce-*` headers and the body is the model's own request or response.
 * - KServe (pkg/agent logger): `ce-type: org.kubeflow.serving.inference.request|response`,
 *   `ce-id`, extensions `ce-inferenceservicename`, `ce-namespace`, `ce-component`,
 *   `ce-endpoint`, `ce-metadata` (JSON of the headers listed in the ISVC's `metadataHeaders`).
 * - Seldon: `ce-type: io.seldon.serving.inference.request|response`, `ce-requestid`,
 *   `ce-modelid`, `ce-inferenceservicename`, `ce-namespace`, `ce-endpoint`.
 * Bodies: v1 `{"instances"}` / `{"predictions"}`, v2 open inference `{"inputs"}` / `{"outputs"}`,
 * Seldon v1 `{"data": {"names", "ndarray" | "tensor"}}`.
 */
export interface CloudEventMeta {
  kind: "request" | "response";
  flavour: "kserve" | "seldon";
  /** the id joining a request to its response */
  id: string;
  model: string;
  version: string;
  /** epoch ms: `ce-time` if given, else arrival */
  ts: number;
}

type Headers = Record<string, string | string[] | undefined>;

const TYPES: Record<string, Pick<CloudEventMeta, "kind" | "flavour">> = {
  "org.kubeflow.serving.inference.request": { kind: "request", flavour: "kserve" },
  "org.kubeflow.serving.inference.response": { kind: "response", flavour: "kserve" },
  "io.seldon.serving.inference.request": { kind: "request", flavour: "seldon" },
  "io.seldon.serving.inference.response": { kind: "response", flavour: "seldon" },
};

const header = (h: Headers, name: string): string | undefined => {
  const v = h[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s === "" ? undefined : s;
};

export const isCloudEvent = (h: Headers) =>
  header(h, "ce-type") !== undefined || header(h, "ce-eventtype") !== undefined;

/** Look a key up in a JSON-object header (ce-metadata values are lists of header values). */
function fromJsonHeader(h: Headers, name: string, key: string): string | undefined {
  const raw = header(h, name);
  if (!raw) return undefined;
  try {
    const obj = JSON.parse(raw) as Record<string, unknown>;
    for (const [k, v] of Object.entries(obj)) {
      if (k.toLowerCase() !== key) continue;
      const s = Array.isArray(v) ? v[0] : v;
      if (typeof s === "string" && s !== "") return s;
    }
  } catch {
    // a malformed extension is ignored: the version may still come from another source
  }
  return undefined;
}

/**
 * Read the CloudEvent attributes. Model: `?model=`, `x-modelgate-model`, `ce-inferenceservicename`,
 * `ce-modelid`. Version, first found: `?version=`, header `x-modelgate-version`, the
 * `x-model-version` entry of `ce-metadata`, the `modelgate.io/version` entry of `ce-annotations`,
 * `ce-endpoint`.
 */
export function cloudEventMeta(
  h: Headers,
  query: Record<string, unknown>,
  now: number,
): CloudEventMeta | FieldError {
  const type = header(h, "ce-type") ?? header(h, "ce-eventtype");
  const t = type ? TYPES[type] : undefined;
  if (!t) {
    return {
      field: "ce-type",
      message: `must be one of ${Object.keys(TYPES).join(", ")}, got "${type ?? ""}"`,
    };
  }
  const id =
    (t.flavour === "seldon" ? header(h, "ce-requestid") : undefined) ??
    header(h, "ce-id") ??
    header(h, "ce-eventid");
  if (!id) return { field: "ce-id", message: "is required to join a request to its response" };
  const q = (k: string) =>
    typeof query[k] === "string" && query[k] !== "" ? (query[k] as string) : undefined;
  const model =
    q("model") ??
    header(h, "x-modelgate-model") ??
    header(h, "ce-inferenceservicename") ??
    header(h, "ce-modelid");
  if (!model)
    return { field: "ce-inferenceservicename", message: "is required (or ?model=) to name the model" };
  const version =
    q("version") ??
    header(h, "x-modelgate-version") ??
    fromJsonHeader(h, "ce-metadata", "x-model-version") ??
    fromJsonHeader(h, "ce-annotations", "modelgate.io/version") ??
    header(h, "ce-endpoint");
  if (!version) {
    return {
      field: "version",
      message:
        "no version: add ?version= to the logger URL, copy an x-model-version header with metadataHeaders, or send ce-endpoint",
    };
  }
  const time = header(h, "ce-time") ?? header(h, "ce-eventtime");
  const parsed = time ? Date.parse(time) : Number.NaN;
  return { ...t, id, model, version, ts: Number.isFinite(parsed) ? parsed : now };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function flatten(v: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(v)) for (const x of v) flatten(x, out);
  else out.push(v);
  return out;
}

const scalar = (x: unknown): x is number | string =>
  (typeof x === "number" && Number.isFinite(x)) || (typeof x === "string" && x.length <= 256);

/** One row of features from a v1 instance (object or flat array), or undefined if it is not tabular. */
function rowOf(
  instance: unknown,
  names: string[] | undefined,
  maxFeatures: number,
): Record<string, number | string> | undefined {
  const row: Record<string, number | string> = {};
  if (Array.isArray(instance)) {
    if (instance.length > maxFeatures) return undefined;
    for (let j = 0; j < instance.length; j++) {
      if (!scalar(instance[j])) return undefined;
      row[names?.[j] ?? String(j)] = instance[j] as number | string;
    }
  } else if (isObject(instance)) {
    const entries = Object.entries(instance);
    if (entries.length > maxFeatures) return undefined;
    for (const [k, x] of entries) if (scalar(x)) row[k] = x;
  } else if (scalar(instance)) row["0"] = instance;
  else return undefined;
  return row;
}

/** v2 tensors → rows: a [N] or [N,1] tensor is one feature, [N,k] is k features `name[j]`. */
function rowsOfTensors(
  inputs: unknown[],
  maxFeatures: number,
): Array<Record<string, number | string>> | undefined {
  let rows: Array<Record<string, number | string>> | undefined;
  let width = 0;
  for (const t of inputs) {
    if (!isObject(t) || typeof t.name !== "string" || !Array.isArray(t.shape)) return undefined;
    const shape = t.shape as number[];
    const data = flatten(t.data);
    const n = shape[0];
    const k = shape.length === 1 ? 1 : shape.length === 2 ? shape[1] : -1;
    if (!Number.isInteger(n) || k < 1 || data.length !== n * k) return undefined;
    width += k;
    if (width > maxFeatures) return undefined;
    rows ??= Array.from({ length: n }, () => ({}));
    if (rows.length !== n) return undefined;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) {
        const x = data[i * k + j];
        if (scalar(x)) rows[i][k === 1 ? t.name : `${t.name}[${j}]`] = x;
      }
    }
  }
  return rows;
}

/** Feature rows of a request body (one per instance), or undefined when they are not tabular. */
export function requestFeatures(
  body: unknown,
  maxFeatures: number,
): Array<Record<string, number | string>> | undefined {
  if (!isObject(body)) return undefined;
  if (Array.isArray(body.inputs) && body.inputs.every((t) => isObject(t) && "data" in t)) {
    return rowsOfTensors(body.inputs, maxFeatures);
  }
  const instances = Array.isArray(body.instances)
    ? body.instances
    : Array.isArray(body.inputs)
      ? body.inputs
      : undefined;
  const seldon = isObject(body.data) ? body.data : undefined;
  const list = instances ?? (seldon ? seldonRows(seldon) : undefined);
  if (!list) return undefined;
  const names = seldon && Array.isArray(seldon.names) ? (seldon.names as string[]) : undefined;
  const rows = list.map((x) => rowOf(x, names, maxFeatures));
  return rows.every((r) => r !== undefined) ? (rows as Array<Record<string, number | string>>) : undefined;
}

function seldonRows(data: Record<string, unknown>): unknown[] | undefined {
  if (Array.isArray(data.ndarray)) return data.ndarray;
  const t = data.tensor;
  if (isObject(t) && Array.isArray(t.shape) && Array.isArray(t.values)) {
    const [n, k = 1] = t.shape as number[];
    if (!Number.isInteger(n) || !Number.isInteger(k) || t.values.length !== n * k) return undefined;
    return Array.from({ length: n }, (_, i) => (t.values as unknown[]).slice(i * k, (i + 1) * k));
  }
  return undefined;
}

/**
 * The score of one prediction: a number; [p] → p; [p0, p1] → p1 (probability of the positive
 * class, as predict_proba returns); an object's `score`/`probability`/`proba` number. Anything
 * else (multi-class vectors, strings) is undefined: counted as an invalid prediction.
 */
export function scoreOf(p: unknown): number | undefined {
  if (typeof p === "number") return Number.isFinite(p) ? p : undefined;
  if (Array.isArray(p)) {
    if (p.length === 1) return scoreOf(p[0]);
    if (p.length === 2 && typeof p[0] === "number") return scoreOf(p[1]);
    return undefined;
  }
  if (isObject(p)) {
    for (const k of ["score", "probability", "proba"]) if (typeof p[k] === "number") return scoreOf(p[k]);
  }
  return undefined;
}

export type ResponseScores = { error: string } | { scores: Array<number | undefined> };

/** Scores of a response body; `output` picks a v2 output tensor by name (default: the first). */
export function responseScores(body: unknown, output?: string): ResponseScores | FieldError {
  if (!isObject(body)) return { field: "body", message: "must be a JSON object" };
  if (body.error !== undefined) return { error: String(body.error) };
  if (Array.isArray(body.predictions)) return { scores: body.predictions.map(scoreOf) };
  if (Array.isArray(body.outputs)) {
    const outs = body.outputs as unknown[];
    const t = output ? outs.find((o) => isObject(o) && o.name === output) : outs[0];
    if (!isObject(t))
      return { field: "outputs", message: output ? `has no output named "${output}"` : "is empty" };
    const shape = Array.isArray(t.shape) ? (t.shape as number[]) : [flatten(t.data).length];
    const data = flatten(t.data);
    const n = shape[0];
    const k = shape.length === 1 ? 1 : shape.length === 2 ? shape[1] : -1;
    if (!Number.isInteger(n) || k < 1 || data.length !== n * k) {
      return { field: "outputs.shape", message: "must be [N] or [N, k] and match the data length" };
    }
    return { scores: Array.from({ length: n }, (_, i) => scoreOf(data.slice(i * k, (i + 1) * k))) };
  }
  if (isObject(body.data)) {
    const rows = seldonRows(body.data);
    if (rows) return { scores: rows.map(scoreOf) };
  }
  return { field: "body", message: "must hold predictions, outputs or data (v1, v2 or Seldon) or an error" };
}

/** Turn a response (and its request, when it arrived first) into prediction events. */
export function responseEvents(
  meta: CloudEventMeta,
  scores: ResponseScores,
  request: { ts: number; features?: Array<Record<string, number | string>> } | undefined,
): PredictionEvent[] {
  const ts = request?.ts ?? meta.ts;
  const latencyMs = request && meta.ts >= request.ts ? meta.ts - request.ts : undefined;
  const base = {
    model: meta.model,
    version: meta.version,
    ts,
    ...(latencyMs !== undefined ? { latencyMs } : {}),
  };
  if ("error" in scores) return [{ ...base, id: meta.id, error: true }];
  const n = scores.scores.length;
  return scores.scores.map((score, i) => {
    const features = request?.features?.length === n ? request.features[i] : undefined;
    return {
      ...base,
      id: n === 1 ? meta.id : `${meta.id}#${i}`,
      ...(score !== undefined ? { score } : { invalid: true, error: false }),
      ...(features && Object.keys(features).length > 0 ? { features } : {}),
    };
  });
}
