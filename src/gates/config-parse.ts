/**
 * Parsing of gate configuration from raw request fields. Argo substitutes `{{args.*}}` into
 * `jsonBody` and query strings as strings, so every number and boolean may arrive as text
 * ("0.25", "true"). Parsers accept both, apply the default when the field is absent (undefined,
 * null or ""), and throw GateConfigError naming the field otherwise — the API turns that into a
 * 400 whose body names the field.
 */
export class GateConfigError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "GateConfigError";
  }
}

export interface NumberRule {
  /** inclusive lower bound */
  min?: number;
  /** inclusive upper bound */
  max?: number;
  /** exclusive lower bound (e.g. a margin that must be > 0) */
  above?: number;
  /** exclusive upper bound (e.g. alpha < 1) */
  below?: number;
  integer?: boolean;
}

const absent = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");

function describe(rule: NumberRule): string {
  const parts: string[] = [];
  if (rule.integer) parts.push("an integer");
  else parts.push("a number");
  if (rule.min !== undefined) parts.push(`>= ${rule.min}`);
  if (rule.above !== undefined) parts.push(`> ${rule.above}`);
  if (rule.max !== undefined) parts.push(`<= ${rule.max}`);
  if (rule.below !== undefined) parts.push(`< ${rule.below}`);
  return parts.join(" ");
}

/** A finite number (or numeric string) satisfying `rule`; `fallback` when the field is absent. */
export function parseNumberField(
  raw: Record<string, unknown>,
  field: string,
  fallback: number,
  rule: NumberRule = {},
): number {
  const v = raw[field];
  if (absent(v)) return fallback;
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v.trim()) : Number.NaN;
  const ok =
    Number.isFinite(n) &&
    (!rule.integer || Number.isInteger(n)) &&
    (rule.min === undefined || n >= rule.min) &&
    (rule.max === undefined || n <= rule.max) &&
    (rule.above === undefined || n > rule.above) &&
    (rule.below === undefined || n < rule.below);
  if (!ok) throw new GateConfigError(field, `must be ${describe(rule)}, got ${JSON.stringify(v)}`);
  return n;
}

/** true/false, "true"/"false", "1"/"0", "yes"/"no"; `fallback` when absent. */
export function parseBooleanField(raw: Record<string, unknown>, field: string, fallback: boolean): boolean {
  const v = raw[field];
  if (absent(v)) return fallback;
  if (typeof v === "boolean") return v;
  if (typeof v === "number" && (v === 0 || v === 1)) return v === 1;
  if (typeof v === "string") {
    const s = v.trim().toLowerCase();
    if (s === "true" || s === "1" || s === "yes") return true;
    if (s === "false" || s === "0" || s === "no") return false;
  }
  throw new GateConfigError(field, `must be true or false, got ${JSON.stringify(v)}`);
}

/**
 * A list of names: a JSON array of strings or a comma-separated string ("age,income"); the
 * literal "all" (or ["all"]) is returned as "all". `fallback` when absent.
 */
export function parseNameListField(
  raw: Record<string, unknown>,
  field: string,
  fallback: string[] | "all",
): string[] | "all" {
  const v = raw[field];
  if (absent(v)) return fallback;
  let names: unknown[];
  if (Array.isArray(v)) names = v;
  else if (typeof v === "string") names = v.split(",");
  else throw new GateConfigError(field, `must be a list of names or "all", got ${JSON.stringify(v)}`);
  const out: string[] = [];
  for (const n of names) {
    if (typeof n !== "string" || n.trim() === "") {
      throw new GateConfigError(field, `must be a list of non-empty names, got ${JSON.stringify(v)}`);
    }
    out.push(n.trim());
  }
  if (out.length === 1 && out[0].toLowerCase() === "all") return "all";
  return out;
}

/** One of the allowed strings; `fallback` when absent. */
export function parseEnumField<T extends string>(
  raw: Record<string, unknown>,
  field: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = raw[field];
  if (absent(v)) return fallback;
  if (typeof v === "string" && (allowed as readonly string[]).includes(v.trim())) return v.trim() as T;
  throw new GateConfigError(field, `must be one of ${allowed.join(", ")}, got ${JSON.stringify(v)}`);
}
