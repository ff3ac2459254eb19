import {
  GateConfigError,
  parseEnumField,
  parseNameListField,
  parseNumberField,
} from "../gates/config-parse.js";
import type { GateRegistry } from "../gates/registry.js";
import { SHADOW_GATES } from "../gates/shadow/registry.js";
import { parseRolloutRef } from "../k8s/rollout-ref.js";
import { dictionary, isReservedName, reservedNameMessage } from "../safe-keys.js";
import { SPENDING_FUNCTIONS, type SpendingFunction } from "../stats/alpha-spending.js";

/** Most looks a schedule may declare (Argo counts in the hundreds at most; bounds the run state). */
export const MAX_LOOKS = 1000;

/** A judge request, parsed once at the edge into typed values. */
export interface JudgeRequest {
  model: string;
  baseline: string;
  candidate: string;
  /** window start, epoch ms; undefined = since the candidate's first event */
  since: number | undefined;
  /** window end (exclusive), epoch ms */
  until: number;
  /** gates to run, in registry order */
  gates: string[];
  /** gates whose inconclusive verdict does not block an overall pass */
  optional: string[];
  /** raw fields of each requested gate, prefix removed, shared minSamples folded in */
  gateFields: Record<string, Record<string, unknown>>;
  /** score weight per gate (default 1) */
  weights: Record<string, number>;
  alpha: number;
  runKey: string;
  /** name of the source to read; undefined = the service default */
  source: string | undefined;
  /** canary (default): two cohorts; shadow: paired answers to the same requests, shadow gates */
  mode?: "canary" | "shadow";
  /**
   * declared number of looks of the run (Argo's `count`): group-sequential bounds over them, with an
   * anytime-valid reserve (src/gates/sequential.ts); undefined = anytime-valid bounds only
   */
  looks?: number;
  /** alpha-spending function of a declared schedule; default O'Brien–Fleming type */
  spending?: SpendingFunction;
  /** "namespace/name" of the Argo Rollout the request names, recorded with the judgement */
  rollout?: string;
}

const TOP_LEVEL = [
  "model",
  "baseline",
  "candidate",
  "window",
  "since",
  "until",
  "gates",
  "optional",
  "minSamples",
  "runKey",
  "alpha",
  "source",
  "mode",
  "rollout",
  "looks",
  "spending",
] as const;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "15m", "1h30m", "90s", "2d", "500ms" → milliseconds; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(m[1]) * UNIT_MS[m[2]];
  return total;
}

/**
 * The largest distance from the epoch a JavaScript Date can hold (±8.64e15 ms, about ±273,790
 * years): a window bound beyond it cannot be written as a time, so it is a bad request.
 */
export const MAX_TIME_MS = 8.64e15;

const inTimeRange = (t: number) => Number.isFinite(t) && Math.abs(t) <= MAX_TIME_MS;

const timeRangeMessage = "must lie within ±8.64e15 ms of 1970-01-01 (the range of a date)";

/** ISO 8601 time or epoch milliseconds (number or digits) → epoch ms; throws naming the field. */
function parseInstant(value: unknown, field: string): number {
  let t: number | undefined;
  if (typeof value === "number" && Number.isFinite(value)) t = value;
  else if (typeof value === "string") {
    const s = value.trim();
    if (/^\d+$/.test(s)) t = Number(s);
    else if (/^\d{4}-\d{2}-\d{2}/.test(s) && Number.isFinite(Date.parse(s))) t = Date.parse(s);
  }
  if (t === undefined) {
    throw new GateConfigError(
      field,
      `must be an ISO 8601 time, epoch milliseconds or a duration like 15m, got ${JSON.stringify(value)}`,
    );
  }
  if (!inTimeRange(t)) throw new GateConfigError(field, `${timeRangeMessage}, got ${JSON.stringify(value)}`);
  return t;
}

/** Run a gate-level parser, reporting a bad field as "<gate>.<field>" (the name the request used). */
export function withGatePrefix<T>(gate: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof GateConfigError && !e.field.startsWith(`${gate}.`)) {
      throw new GateConfigError(`${gate}.${e.field}`, e.message.slice(e.field.length + 2));
    }
    throw e;
  }
}

const present = (v: unknown) => v !== undefined && v !== null && !(typeof v === "string" && v.trim() === "");

function requiredName(raw: Record<string, unknown>, field: string): string {
  const v = raw[field];
  let name: string | undefined;
  if (typeof v === "number" && Number.isFinite(v)) name = String(v);
  else if (typeof v === "string" && v.trim() !== "") name = v.trim();
  else if (!present(v)) throw new GateConfigError(field, "is required");
  if (name === undefined)
    throw new GateConfigError(field, `must be a non-empty string, got ${JSON.stringify(v)}`);
  if (isReservedName(name)) throw new GateConfigError(field, reservedNameMessage(name));
  return name;
}

/** A name a client chose for a gate, a setting or a field; reserved names are refused, naming `field`. */
function checkKey(name: string, field: string): void {
  if (isReservedName(name)) throw new GateConfigError(field, reservedNameMessage(name));
}

function optionalName(raw: Record<string, unknown>, field: string): string | undefined {
  return present(raw[field]) ? requiredName(raw, field) : undefined;
}

/**
 * Parse a judge request from a JSON body or a query string (every number may be a string, as Argo
 * substitutes `{{args.*}}` into both). Gate settings come as `"<gate>.<field>"` keys or a `<gate>`
 * object; `<gate>.weight` is the score weight. Unknown fields are rejected so a typo in a threshold
 * is a 400 rather than a silently ignored tolerance. `onlyGate` fixes the gate list (per-gate route).
 * Throws GateConfigError naming the field.
 */
export function parseJudgeRequest(
  raw: Record<string, unknown>,
  opts: {
    registry: GateRegistry;
    now: number;
    onlyGate?: string;
    shadowRegistry?: Readonly<Record<string, unknown>>;
  },
): JudgeRequest {
  // mode=shadow judges with the shadow gates (src/gates/shadow), so gate names are checked against them
  const mode = parseEnumField(raw, "mode", ["canary", "shadow"] as const, "canary");
  const known = Object.keys(mode === "shadow" ? (opts.shadowRegistry ?? SHADOW_GATES) : opts.registry);
  // Keyed by what the client sent: a Map and null-prototype objects, so no name reaches a prototype.
  const perGate = new Map<string, Record<string, unknown>>(known.map((g) => [g, dictionary()]));
  const top = dictionary<unknown>();
  for (const key of Object.keys(raw)) {
    const value = raw[key];
    const dot = key.indexOf(".");
    if (dot > 0) {
      const gate = key.slice(0, dot);
      const setting = key.slice(dot + 1);
      checkKey(gate, key);
      checkKey(setting, key);
      const fields = perGate.get(gate);
      if (!fields) throw new GateConfigError(key, `unknown gate "${gate}"; known gates: ${known.join(", ")}`);
      fields[setting] = value;
    } else if (perGate.has(key) && value !== null && typeof value === "object" && !Array.isArray(value)) {
      const fields = perGate.get(key) as Record<string, unknown>;
      const nested = value as Record<string, unknown>;
      for (const setting of Object.keys(nested)) {
        checkKey(setting, `${key}.${setting}`);
        fields[setting] = nested[setting];
      }
    } else if ((TOP_LEVEL as readonly string[]).includes(key)) {
      top[key] = value;
    } else {
      checkKey(key, key);
      throw new GateConfigError(key, `unknown field; accepted: ${TOP_LEVEL.join(", ")} and <gate>.<setting>`);
    }
  }

  const model = requiredName(top, "model");
  const baseline = requiredName(top, "baseline");
  const candidate = requiredName(top, "candidate");

  let gates: string[];
  if (opts.onlyGate !== undefined) gates = [opts.onlyGate];
  else {
    const listed = parseNameListField(top, "gates", "all");
    gates = listed === "all" ? known : listed;
  }
  for (const g of gates) {
    checkKey(g, "gates");
    if (!perGate.has(g))
      throw new GateConfigError("gates", `unknown gate "${g}"; known gates: ${known.join(", ")}`);
  }
  gates = known.filter((g) => gates.includes(g));
  const listedOptional = parseNameListField(top, "optional", []);
  const optional = listedOptional === "all" ? [...gates] : listedOptional;
  for (const g of optional) {
    checkKey(g, "optional");
    if (!perGate.has(g))
      throw new GateConfigError("optional", `unknown gate "${g}"; known gates: ${known.join(", ")}`);
  }

  const alpha = parseNumberField(top, "alpha", 0.05, { above: 0, max: 0.5 });
  const minSamples = present(top.minSamples)
    ? parseNumberField(top, "minSamples", 0, { min: 1, integer: true })
    : undefined;

  const until = present(top.until) ? parseInstant(top.until, "until") : opts.now;
  if (present(top.window) && present(top.since)) {
    throw new GateConfigError("window", "give either window or since, not both");
  }
  const windowField = present(top.window) ? "window" : "since";
  let since: number | undefined;
  if (present(top[windowField])) {
    const text = top[windowField];
    const duration = typeof text === "string" ? parseDuration(text) : undefined;
    since = duration !== undefined ? until - duration : parseInstant(text, windowField);
    if (!inTimeRange(since)) {
      throw new GateConfigError(
        windowField,
        `starts before the range of a date (±8.64e15 ms of 1970-01-01) when counted back from until, got ${JSON.stringify(text)}`,
      );
    }
    if (!(since < until))
      throw new GateConfigError(windowField, "must start before the window's end (until)");
  }

  const weights = dictionary<number>();
  const gateFields = dictionary<Record<string, unknown>>();
  for (const g of gates) {
    const fields = Object.assign(dictionary<unknown>(), perGate.get(g));
    weights[g] = withGatePrefix(g, () => parseNumberField(fields, "weight", 1, { min: 0 }));
    delete fields.weight;
    if (minSamples !== undefined && !present(fields.minSamples)) fields.minSamples = minSamples;
    gateFields[g] = fields;
  }

  const looks = present(top.looks)
    ? parseNumberField(top, "looks", 0, { min: 1, max: MAX_LOOKS, integer: true })
    : undefined;
  const spending = parseEnumField(top, "spending", SPENDING_FUNCTIONS, "obrien-fleming");
  if (looks === undefined && present(top.spending)) {
    throw new GateConfigError(
      "spending",
      "applies to a declared look schedule: give looks (Argo's count) too",
    );
  }
  if (looks !== undefined && present(top.window)) {
    // a sliding window judges different events at each look: the schedule's boundaries assume one
    // growing sample (the default window, since the candidate's first event, or a fixed `since`)
    throw new GateConfigError(
      "looks",
      "a declared look schedule needs the cumulative window: drop window (or give a fixed since)",
    );
  }
  return {
    model,
    baseline,
    candidate,
    since,
    until,
    gates,
    optional: optional.filter((g) => gates.includes(g)),
    gateFields,
    weights,
    alpha,
    runKey: optionalName(top, "runKey") ?? `${model}/${baseline}/${candidate}`,
    source: optionalName(top, "source"),
    mode,
    looks,
    spending,
    ...rolloutOf(top.rollout),
  };
}

function rolloutOf(raw: unknown): Pick<JudgeRequest, "rollout"> {
  let ref: ReturnType<typeof parseRolloutRef>;
  try {
    ref = parseRolloutRef(raw === undefined || raw === null ? undefined : String(raw));
  } catch (e) {
    throw new GateConfigError("rollout", (e as Error).message);
  }
  return ref ? { rollout: `${ref.namespace}/${ref.name}` } : {};
}
