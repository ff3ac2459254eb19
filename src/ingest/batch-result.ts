import type { FieldError } from "./event.js";
import type { FieldPolicy, UnknownFields } from "./fields.js";

/** One rejected line (or array element, numbered from 1) and why. */
export interface LineError extends FieldError {
  line: number;
  /** the cardinality limit that refused the line, when that was the reason */
  limit?: string;
}

/** At most this many errors are listed in an answer; the rest are counted. */
export const MAX_LISTED_ERRORS = 100;

/**
 * The 202 answer of an ingestion request. Batches are partially accepted: every valid line is
 * stored, every invalid one is named with its field; `invalid` counts accepted predictions whose
 * score was outside the model's range (stored as invalid predictions, see docs/ingestion.md).
 *
 * It is also the parsers' field policy for the request (fields.ts): with `unknownFields` "ignore"
 * (MODELGATE_UNKNOWN_EVENT_FIELDS) a field outside the vocabulary is counted by name in
 * `ignoredFields` instead of rejecting the line, so the client still sees what was not stored.
 */
export class BatchResult implements FieldPolicy {
  accepted = 0;
  rejected = 0;
  invalid = 0;
  readonly errors: LineError[] = [];
  /** outcome joins: joined by id, unknown id, expired, self-contained */
  readonly outcomes = { joined: 0, unknown: 0, expired: 0, self: 0 };
  limitHit = false;
  /**
   * ignored field name → lines that carried it and whose other fields were valid (at most
   * MAX_LISTED_ERRORS names); counted by the parser, before the store's retention and limit checks
   */
  readonly ignoredFields = new Map<string, number>();
  /** occurrences of ignored fields beyond the listed names */
  ignoredUnlisted = 0;

  constructor(readonly unknownFields: UnknownFields = "reject") {}

  ignoredField(field: string): void {
    const seen = this.ignoredFields.get(field);
    if (seen !== undefined) this.ignoredFields.set(field, seen + 1);
    else if (this.ignoredFields.size < MAX_LISTED_ERRORS) this.ignoredFields.set(field, 1);
    else this.ignoredUnlisted++;
  }

  reject(e: LineError): void {
    this.rejected++;
    if (e.limit) this.limitHit = true;
    if (this.errors.length < MAX_LISTED_ERRORS) this.errors.push(e);
  }

  /** 202 if anything was accepted (or the batch was empty); else 422 (bad lines) or 429 (limits). */
  status(): number {
    if (this.accepted > 0 || this.rejected === 0) return 202;
    return this.limitHit ? 429 : 422;
  }

  toJSON(kind: "events" | "outcomes"): Record<string, unknown> {
    return {
      accepted: this.accepted,
      rejected: this.rejected,
      ...(kind === "events" ? { invalid: this.invalid } : { outcomes: this.outcomes }),
      errors: this.errors,
      ...(this.rejected > this.errors.length ? { errorsTruncated: this.rejected - this.errors.length } : {}),
      ...(this.unknownFields === "ignore" ? { ignoredFields: Object.fromEntries(this.ignoredFields) } : {}),
      ...(this.ignoredUnlisted > 0 ? { ignoredFieldsTruncated: this.ignoredUnlisted } : {}),
    };
  }
}
