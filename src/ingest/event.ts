import {
  EVENT_FIELD_SET,
  EVENT_FIELDS,
  type FieldPolicy,
  OUTCOME_FIELD_SET,
  OUTCOME_FIELDS,
  REJECT_UNKNOWN_FIELDS,
  unknownFieldError,
  unknownFieldsOf,
} from "./fields.js";

/**
 * Normalised ingestion records and their validation. Every input format (JSON, NDJSON, CSV,
 * CloudEvents) ends as these records; validation runs once here and names the bad field. The
 * accepted fields are the vocabulary of fields.ts.
 */

import { dictionary, isReservedName, reservedNameMessage } from "../safe-keys.js";

/** One prediction (and/or its latency, error, label) of one model version. */
export interface PredictionEvent {
  model: string;
  version: string;
  /** request id, the key delayed outcomes are joined by */
  id?: string;
  /** epoch ms */
  ts: number;
  score?: number;
  label?: 0 | 1;
  decision?: 0 | 1;
  latencyMs?: number;
  error?: boolean;
  groups?: Record<string, string>;
  features?: Record<string, number | string>;
  /** set by the CloudEvents parser for an output it cannot read as a score (never by clients) */
  invalid?: boolean;
}

/**
 * A delayed label: joined by `id` to a stored prediction, or self-contained (carries `version`
 * and `score`, for predictions sent without an id).
 */
export interface Outcome {
  model: string;
  id?: string;
  label: 0 | 1;
  version?: string;
  score?: number;
  decision?: 0 | 1;
  groups?: Record<string, string>;
  /** epoch ms of the prediction (self-contained outcomes) */
  ts: number;
}

export interface FieldError {
  field: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: FieldError };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:\-/]{0,127}$/;
const MAX_KEY = 128;
const MAX_VALUE = 256;

const fail = (field: string, message: string): { ok: false; error: FieldError } => ({
  ok: false,
  error: { field, message },
});

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A model or version name as the store keys it; a FieldError naming `field` otherwise. */
export function parseName(v: unknown, field: string): string | FieldError {
  if (typeof v !== "string") return { field, message: "must be a string" };
  if (isReservedName(v)) return { field, message: reservedNameMessage(v) };
  if (!NAME.test(v)) {
    return {
      field,
      message: "must be 1-128 characters of letters, digits and . _ : - / (starting alphanumeric)",
    };
  }
  return v;
}

function binary(v: unknown, field: string): 0 | 1 | FieldError {
  if (v === 0 || v === false) return 0;
  if (v === 1 || v === true) return 1;
  return { field, message: "must be 0, 1, true or false" };
}

function finite(v: unknown, field: string): number | FieldError {
  if (typeof v !== "number" || !Number.isFinite(v)) return { field, message: "must be a finite number" };
  return v;
}

/** Timestamps: RFC 3339 string or epoch milliseconds; absent = arrival time. */
function timestamp(v: unknown, now: number): number | FieldError {
  if (v === undefined || v === null) return now;
  if (typeof v === "number") {
    if (Number.isFinite(v) && v > 0) return v;
    return { field: "ts", message: "must be an RFC 3339 string or positive epoch milliseconds" };
  }
  if (typeof v === "string") {
    const t = Date.parse(v);
    if (Number.isFinite(t)) return t;
  }
  return { field: "ts", message: "must be an RFC 3339 string or positive epoch milliseconds" };
}

function stringMap(v: unknown, field: string): Record<string, string> | FieldError {
  if (!isObject(v)) return { field, message: "must be an object of strings" };
  // the common case, already a valid map of strings, is returned as is (no copy per event)
  let clean = true;
  for (const k in v) {
    const x = v[k];
    if (
      k.length === 0 ||
      k.length > MAX_KEY ||
      typeof x !== "string" ||
      x.length === 0 ||
      x.length > MAX_VALUE ||
      isReservedName(k) ||
      isReservedName(x)
    ) {
      clean = false;
      break;
    }
  }
  if (clean) return v as Record<string, string>;
  const out = dictionary<string>();
  // for-in over JSON.parse output (own properties only): no entries array per event
  for (const k in v) {
    const x = v[k];
    if (k.length === 0 || k.length > MAX_KEY)
      return { field: `${field}.${k}`, message: "name must be 1-128 characters" };
    if (isReservedName(k)) return { field: `${field}.${k}`, message: reservedNameMessage(k) };
    if (typeof x === "string" && isReservedName(x))
      return { field: `${field}.${k}`, message: reservedNameMessage(x) };
    if (typeof x === "number" && Number.isFinite(x)) out[k] = String(x);
    else if (typeof x === "boolean") out[k] = String(x);
    else if (typeof x === "string" && x.length > 0 && x.length <= MAX_VALUE) out[k] = x;
    else
      return {
        field: `${field}.${k}`,
        message: "must be a string of 1-256 characters, a number or a boolean",
      };
  }
  return out;
}

function featureMap(v: unknown): Record<string, number | string> | FieldError {
  if (!isObject(v)) return { field: "features", message: "must be an object of numbers and strings" };
  const out = dictionary<number | string>();
  for (const k in v) {
    const x = v[k];
    if (k.length === 0 || k.length > MAX_KEY)
      return { field: `features.${k}`, message: "name must be 1-128 characters" };
    if (isReservedName(k)) return { field: `features.${k}`, message: reservedNameMessage(k) };
    if (x === null || x === undefined) continue; // a missing feature value is not an observation
    if (typeof x === "number") {
      if (!Number.isFinite(x))
        return { field: `features.${k}`, message: "must be a finite number or a string" };
      out[k] = x;
    } else if (typeof x === "string" && x.length <= MAX_VALUE) out[k] = x;
    else if (typeof x === "boolean") out[k] = String(x);
    else
      return {
        field: `features.${k}`,
        message: "must be a finite number or a string of at most 256 characters",
      };
  }
  return out;
}

const isError = (x: unknown): x is FieldError =>
  typeof x === "object" && x !== null && "message" in x && "field" in x;

/**
 * A field outside the vocabulary: the line's error (policy "reject"), or undefined and the fields
 * are reported once the rest of the line is valid (policy "ignore", see `reportIgnored`).
 */
function vocabularyError(
  unknown: string[] | undefined,
  known: readonly string[],
  policy: FieldPolicy,
): { ok: false; error: FieldError } | undefined {
  if (unknown === undefined || policy.unknownFields === "ignore") return undefined;
  return { ok: false, error: unknownFieldError(unknown[0], known) };
}

function reportIgnored(unknown: string[] | undefined, policy: FieldPolicy): void {
  if (unknown !== undefined && policy.ignoredField) for (const f of unknown) policy.ignoredField(f);
}

/**
 * Validate one prediction event; `now` is the arrival time (default `ts`). A field outside
 * EVENT_FIELDS rejects the event unless `fields` says to ignore it.
 */
export function parseEvent(
  raw: unknown,
  now: number,
  fields: FieldPolicy = REJECT_UNKNOWN_FIELDS,
): Parsed<PredictionEvent> {
  if (!isObject(raw)) return fail("", "event must be a JSON object");
  const unknown = unknownFieldsOf(raw, EVENT_FIELD_SET);
  const refused = vocabularyError(unknown, EVENT_FIELDS, fields);
  if (refused) return refused;
  const model = parseName(raw.model, "model");
  if (isError(model)) return { ok: false, error: model };
  const version = parseName(raw.version, "version");
  if (isError(version)) return { ok: false, error: version };
  const ts = timestamp(raw.ts, now);
  if (isError(ts)) return { ok: false, error: ts };
  const e: PredictionEvent = { model, version, ts };
  if (raw.id !== undefined && raw.id !== null) {
    if (typeof raw.id !== "string" || raw.id.length === 0 || raw.id.length > MAX_VALUE) {
      return fail("id", "must be a string of 1-256 characters");
    }
    e.id = raw.id;
  }
  if (raw.score !== undefined && raw.score !== null) {
    const s = finite(raw.score, "score");
    if (isError(s)) return { ok: false, error: s };
    e.score = s;
  }
  if (raw.latencyMs !== undefined && raw.latencyMs !== null) {
    const l = finite(raw.latencyMs, "latencyMs");
    if (isError(l)) return { ok: false, error: l };
    if (l < 0) return fail("latencyMs", "must be >= 0");
    e.latencyMs = l;
  }
  if (raw.error !== undefined && raw.error !== null) {
    if (typeof raw.error !== "boolean") return fail("error", "must be true or false");
    e.error = raw.error;
  }
  if (e.score === undefined && e.latencyMs === undefined && e.error === undefined) {
    return fail("score", "one of score, error or latencyMs is required");
  }
  if (raw.label !== undefined && raw.label !== null) {
    const b = binary(raw.label, "label");
    if (isError(b)) return { ok: false, error: b };
    e.label = b;
  }
  if (raw.decision !== undefined && raw.decision !== null) {
    const b = binary(raw.decision, "decision");
    if (isError(b)) return { ok: false, error: b };
    e.decision = b;
  }
  if (raw.groups !== undefined && raw.groups !== null) {
    const g = stringMap(raw.groups, "groups");
    if (isError(g)) return { ok: false, error: g };
    e.groups = g;
  }
  if (raw.features !== undefined && raw.features !== null) {
    const f = featureMap(raw.features);
    if (isError(f)) return { ok: false, error: f };
    e.features = f;
  }
  reportIgnored(unknown, fields);
  return { ok: true, value: e };
}

/** Validate one delayed outcome; a field outside OUTCOME_FIELDS as for parseEvent. */
export function parseOutcome(
  raw: unknown,
  now: number,
  fields: FieldPolicy = REJECT_UNKNOWN_FIELDS,
): Parsed<Outcome> {
  if (!isObject(raw)) return fail("", "outcome must be a JSON object");
  const unknown = unknownFieldsOf(raw, OUTCOME_FIELD_SET);
  const refused = vocabularyError(unknown, OUTCOME_FIELDS, fields);
  if (refused) return refused;
  const model = parseName(raw.model, "model");
  if (isError(model)) return { ok: false, error: model };
  if (raw.label === undefined || raw.label === null) return fail("label", "is required");
  const label = binary(raw.label, "label");
  if (isError(label)) return { ok: false, error: label };
  const ts = timestamp(raw.ts, now);
  if (isError(ts)) return { ok: false, error: ts };
  const o: Outcome = { model, label, ts };
  if (raw.id !== undefined && raw.id !== null) {
    if (typeof raw.id !== "string" || raw.id.length === 0 || raw.id.length > MAX_VALUE) {
      return fail("id", "must be a string of 1-256 characters");
    }
    o.id = raw.id;
  }
  if (raw.version !== undefined && raw.version !== null) {
    const v = parseName(raw.version, "version");
    if (isError(v)) return { ok: false, error: v };
    o.version = v;
  }
  if (raw.score !== undefined && raw.score !== null) {
    const s = finite(raw.score, "score");
    if (isError(s)) return { ok: false, error: s };
    o.score = s;
  }
  if (o.id === undefined && (o.version === undefined || o.score === undefined)) {
    return fail("id", "is required unless the outcome carries version and score");
  }
  if (raw.decision !== undefined && raw.decision !== null) {
    const d = binary(raw.decision, "decision");
    if (isError(d)) return { ok: false, error: d };
    o.decision = d;
  }
  if (raw.groups !== undefined && raw.groups !== null) {
    const g = stringMap(raw.groups, "groups");
    if (isError(g)) return { ok: false, error: g };
    o.groups = g;
  }
  reportIgnored(unknown, fields);
  return { ok: true, value: o };
}
