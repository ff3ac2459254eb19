import { NotEmulated } from "./jsonpath.js";

/**
 * Go values as Argo Rollouts handles them after encoding/json decoded a response into `any`:
 * JSON numbers are float64 (plain JavaScript numbers here), objects map[string]interface {},
 * arrays []interface {}, null nil. Integers that expr itself makes (an int literal, asInt's
 * int64) are GoInt, so that messages name their Go type as Argo's do ("expected bool, but got
 * int"). The printers follow Go's fmt (%T, %v), strconv (Quote, ParseInt, ParseFloat) and
 * encoding/json (Marshal), for the values that can occur here.
 */
export class GoInt {
  constructor(
    readonly kind: "int" | "int64",
    readonly value: number,
  ) {
    if (!Number.isSafeInteger(value)) throw new NotEmulated(`integer ${value} beyond 2^53`);
  }
}

export type GoValue = null | boolean | number | string | GoInt | GoValue[] | { [key: string]: GoValue };

export const isGoMap = (v: unknown): v is Record<string, GoValue> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof GoInt);

/** A number of any Go numeric type, as a JavaScript number; undefined for anything else. */
export const numeric = (v: unknown): number | undefined =>
  typeof v === "number" ? v : v instanceof GoInt ? v.value : undefined;

/** fmt's %T. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (v instanceof GoInt) return v.kind;
  if (typeof v === "number") return "float64";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "string";
  if (Array.isArray(v)) return "[]interface {}";
  return "map[string]interface {}";
}

/** strconv.FormatFloat(f, 'g', -1, 64), which fmt's %v uses for a float64. */
export function formatFloatG(f: number): string {
  if (Number.isNaN(f)) return "NaN";
  if (!Number.isFinite(f)) return f > 0 ? "+Inf" : "-Inf";
  if (f === 0) return Object.is(f, -0) ? "-0" : "0";
  const [mantissa, exponent] = f.toExponential().split("e") as [string, string];
  const exp = Number(exponent);
  // shortest digits: %e when the exponent is < -4 or >= 6 (strconv's eprec for shortest)
  if (exp < -4 || exp >= 6) {
    const abs = Math.abs(exp);
    return `${mantissa}e${exp < 0 ? "-" : "+"}${abs < 10 ? "0" : ""}${abs}`;
  }
  return String(f);
}

/** fmt's %v (maps print with sorted keys, as fmt does since Go 1.12). */
export function goFormatV(v: unknown): string {
  if (v === null || v === undefined) return "<nil>";
  if (v instanceof GoInt) return String(v.value);
  if (typeof v === "number") return formatFloatG(v);
  if (typeof v === "boolean" || typeof v === "string") return String(v);
  if (Array.isArray(v)) return `[${v.map(goFormatV).join(" ")}]`;
  const map = v as Record<string, unknown>;
  return `map[${Object.keys(map)
    .sort()
    .map((k) => `${k}:${goFormatV(map[k])}`)
    .join(" ")}]`;
}

/** strconv.Quote for the strings that occur here (printable text, common escapes). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else if (c >= 0xa0 && !/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/u.test(ch)) out += ch;
    else throw new NotEmulated(`strconv.Quote of U+${c.toString(16)}`);
  }
  return `${out}"`;
}

export class GoNumError extends Error {
  override name = "GoNumError";
}

const syntaxError = (fn: string, s: string) =>
  new GoNumError(`strconv.${fn}: parsing ${goQuote(s)}: invalid syntax`);
const rangeError = (fn: string, s: string) =>
  new GoNumError(`strconv.${fn}: parsing ${goQuote(s)}: value out of range`);

/** strconv.ParseInt(s, 10, 64): optional sign, decimal digits only (no underscores in base 10). */
export function parseGoInt(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw syntaxError("ParseInt", s);
  const big = BigInt(s);
  if (big > 9223372036854775807n || big < -9223372036854775808n) throw rangeError("ParseInt", s);
  if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER))
    throw new NotEmulated(`asInt of ${s}: beyond 2^53`);
  return Number(big);
}

/**
 * strconv.ParseFloat(s, 64): sign, "inf"/"infinity" (any case, signed) and "nan" (unsigned), a
 * decimal mantissa with an optional point and exponent, underscores only between digits
 * (underscoreOK), correctly rounded as JavaScript's Number() also rounds; overflow is "value out
 * of range". Hexadecimal floats are not emulated.
 */
export function parseGoFloat(s: string): number {
  const special = /^([+-]?)(inf|infinity)$/i.exec(s);
  if (special) return special[1] === "-" ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return Number.NaN;
  if (/^[+-]?0[xX]/.test(s)) throw new NotEmulated(`hexadecimal float ${s}`);
  const decimal =
    /^[+-]?[0-9_]*(\.[0-9_]*)?([eE][+-]?[0-9][0-9_]*)?$/.test(s) && /[0-9]/.test(s.split(/[eE]/)[0]!);
  if (!decimal || (s.includes("_") && !underscoresBetweenDigits(s))) throw syntaxError("ParseFloat", s);
  const f = Number(s.replaceAll("_", ""));
  if (!Number.isFinite(f)) throw rangeError("ParseFloat", s);
  return f;
}

/** strconv's underscoreOK for a decimal number: every "_" has a digit on both sides. */
function underscoresBetweenDigits(s: string): boolean {
  let saw = "^";
  for (const c of s.replace(/^[+-]/, "")) {
    if (c >= "0" && c <= "9") saw = "0";
    else if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
    } else if (saw === "_") return false;
    else saw = "!";
  }
  return saw !== "_";
}

/** encoding/json's Marshal of a decoded value: keys sorted, HTML characters escaped, -0 kept. */
export function goMarshal(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (v instanceof GoInt) return String(v.value);
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : JSON.stringify(v);
  if (typeof v === "string")
    return JSON.stringify(v).replace(
      /[<>&\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
  if (Array.isArray(v)) return `[${v.map(goMarshal).join(",")}]`;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${goMarshal(k)}:${goMarshal(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}
