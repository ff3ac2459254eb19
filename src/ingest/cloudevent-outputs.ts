import { flatten, isObject, shapeOf } from "./cloudevent-inputs.js";
import type { FieldError } from "./event.js";

/**
 * The outputs of a logged inference response: one score per prediction (null for an output that
 * is not a score: an invalid prediction), or a failure, and the model version the body names.
 * Bodies: v1 `{"predictions"}`, v2 open inference `{"outputs": [tensor, ...], "model_version"}`,
 * Seldon `{"data": {"ndarray" | "tensor"}}`; `{"error": …}` is a failed request.
 */
export interface ResponseOutputs {
  failed?: boolean;
  scores?: Array<number | null>;
  /** `model_version` of the body (a v2 response field; a v1 server may add it too) */
  modelVersion?: string;
}

/** A body that expands to more events than one CloudEvent may (MODELGATE_CLOUDEVENT_MAX_PREDICTIONS). */
export interface TooManyPredictions extends FieldError {
  count: number;
  limit: number;
}

export function tooMany(field: string, count: number, limit: number): TooManyPredictions {
  return {
    field,
    count,
    limit,
    message: `has ${count} entries; one CloudEvent may expand to at most ${limit} predictions (MODELGATE_CLOUDEVENT_MAX_PREDICTIONS)`,
  };
}

const SCORE_KEYS = ["score", "probability", "proba"];

/**
 * The score of one prediction: a number; [p] → p; [p0, p1] → p1 (the positive class, as
 * predict_proba returns); an object's `score`/`probability`/`proba` number. Anything else
 * (multi-class vectors, strings, deeper nesting) is undefined: an invalid prediction.
 */
export function scoreOf(p: unknown): number | undefined {
  let x = p;
  if (Array.isArray(x)) {
    if (x.length === 1) x = x[0];
    else if (x.length === 2 && typeof x[0] === "number") x = x[1];
    else return undefined;
  }
  if (isObject(x)) {
    const obj = x;
    const key = SCORE_KEYS.find((k) => typeof obj[k] === "number");
    x = key === undefined ? undefined : obj[key];
  }
  return typeof x === "number" && Number.isFinite(x) ? x : undefined;
}

const scores = (rows: unknown[]) => rows.map((p) => scoreOf(p) ?? null);

/** Scores of a response body; `output` picks a v2 output tensor by name (default: the first). */
export function responseOutputs(
  body: unknown,
  opts: { output?: string; maxPredictions: number },
): ResponseOutputs | FieldError | TooManyPredictions {
  if (!isObject(body)) return { field: "body", message: "must be a JSON object" };
  const version =
    typeof body.model_version === "string" && body.model_version !== ""
      ? { modelVersion: body.model_version }
      : {};
  if (body.error !== undefined) return { failed: true, ...version };
  const { maxPredictions } = opts;
  if (Array.isArray(body.predictions)) {
    const n = body.predictions.length;
    if (n > maxPredictions) return tooMany("predictions", n, maxPredictions);
    return { scores: scores(body.predictions), ...version };
  }
  if (Array.isArray(body.outputs)) {
    const outs = body.outputs as unknown[];
    const t = opts.output ? outs.find((o) => isObject(o) && o.name === opts.output) : outs[0];
    if (!isObject(t)) {
      return { field: "outputs", message: opts.output ? `has no output named "${opts.output}"` : "is empty" };
    }
    const shape = t.shape === undefined && Array.isArray(t.data) ? { n: t.data.length, k: 1 } : shapeOf(t);
    if (shape && shape.n > maxPredictions) return tooMany("outputs", shape.n, maxPredictions);
    const data = shape ? flatten(t.data, 2) : undefined;
    if (!shape || !data || data.length !== shape.n * shape.k) {
      return { field: "outputs.shape", message: "must be [N] or [N, k] and match the data length" };
    }
    const { n, k } = shape;
    const rows = Array.from({ length: n }, (_, i) => (k === 1 ? data[i] : data.slice(i * k, (i + 1) * k)));
    return { scores: scores(rows), ...version };
  }
  if (isObject(body.data)) {
    const data = body.data;
    if (Array.isArray(data.ndarray)) {
      if (data.ndarray.length > maxPredictions)
        return tooMany("data.ndarray", data.ndarray.length, maxPredictions);
      return { scores: scores(data.ndarray), ...version };
    }
    const t = data.tensor;
    const shape = isObject(t) ? shapeOf(t) : undefined;
    if (isObject(t) && shape && Array.isArray(t.values) && t.values.length === shape.n * shape.k) {
      if (shape.n > maxPredictions) return tooMany("data.tensor", shape.n, maxPredictions);
      const values = t.values as unknown[];
      const rows = Array.from({ length: shape.n }, (_, i) => values.slice(i * shape.k, (i + 1) * shape.k));
      return { scores: scores(rows), ...version };
    }
  }
  return { field: "body", message: "must hold predictions, outputs or data (v1, v2 or Seldon) or an error" };
}
