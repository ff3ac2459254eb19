import { didYouMean } from "../closest-name.js";
import type { FieldError } from "./event.js";

/**
 * The field vocabulary of ingestion: one table for every format. JSON arrays and NDJSON lines use
 * these names as keys; CSV files use them as columns, except `groups` and `features`, which become
 * one `group.<attribute>` or `feature.<name>` column each. A field outside the table is refused (or,
 * by the server setting MODELGATE_UNKNOWN_EVENT_FIELDS=ignore, counted in the answer), never
 * silently dropped: a misspelt `lable` or `latency_ms` would otherwise lose the label or latency.
 */
export const EVENT_FIELDS = [
  "model",
  "version",
  "id",
  "ts",
  "score",
  "label",
  "decision",
  "latencyMs",
  "error",
  "groups",
  "features",
] as const;

export const OUTCOME_FIELDS = [
  "model",
  "id",
  "label",
  "ts",
  "version",
  "score",
  "decision",
  "groups",
] as const;

/** Fields that are objects in JSON and a prefix of columns in CSV. */
export const CSV_PREFIXES = { groups: "group.", features: "feature." } as const;

export const EVENT_FIELD_SET: ReadonlySet<string> = new Set(EVENT_FIELDS);
export const OUTCOME_FIELD_SET: ReadonlySet<string> = new Set(OUTCOME_FIELDS);

/** What to do with a field outside the vocabulary: reject the line (default), or ignore it and count it. */
export type UnknownFields = "reject" | "ignore";

export interface FieldPolicy {
  readonly unknownFields: UnknownFields;
  /** told of each ignored field of a line that was otherwise valid (policy "ignore") */
  ignoredField?(field: string): void;
}

/** The default: a field outside the vocabulary rejects the line. */
export const REJECT_UNKNOWN_FIELDS: FieldPolicy = { unknownFields: "reject" };
/** Replay of what was acknowledged: ignore, count nothing. */
export const IGNORE_UNKNOWN_FIELDS: FieldPolicy = { unknownFields: "ignore" };

/** The keys of `raw` outside `known`, in order; undefined (no allocation) when there are none. */
export function unknownFieldsOf(
  raw: Record<string, unknown>,
  known: ReadonlySet<string>,
): string[] | undefined {
  let unknown: string[] | undefined;
  for (const key in raw) {
    if (known.has(key)) continue;
    if (unknown === undefined) unknown = [key];
    else unknown.push(key);
  }
  return unknown;
}

/** The line error for a field outside the vocabulary, with the closest known name. */
export function unknownFieldError(field: string, known: readonly string[]): FieldError {
  return { field, message: `unknown field${didYouMean(field, known)}; fields: ${known.join(", ")}` };
}
