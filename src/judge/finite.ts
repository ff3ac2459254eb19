import { dictionary } from "../safe-keys.js";

/**
 * JSON cannot carry NaN or ±Infinity: `JSON.stringify` silently turns them into `null`, and a
 * `null` where Argo's expression expects a number is how a broken judgement could slip through.
 * `finite` makes that choice explicit and in one place: every non-finite number in a response
 * becomes `null` (documented as "not defined for this data"), and `nonFinitePaths` lets tests
 * (and callers) prove no NaN/Infinity is left anywhere.
 */
export function finite<T>(value: T): T {
  return sanitise(value) as T;
}

function sanitise(value: unknown): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(sanitise);
  if (value !== null && typeof value === "object") {
    // null prototype: keys are group and feature names, data whatever they are
    const out = dictionary<unknown>();
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = sanitise(v);
    }
    return out;
  }
  return value;
}

/** JSON-style paths ("gates.latency.interval[1]") of every number that is NaN or infinite. */
export function nonFinitePaths(value: unknown, path = "$"): string[] {
  if (typeof value === "number") return Number.isFinite(value) ? [] : [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => nonFinitePaths(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => nonFinitePaths(v, `${path}.${k}`));
  }
  return [];
}
