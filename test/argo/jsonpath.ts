/**
 * The part of client-go's JSONPath (k8s.io/client-go/util/jsonpath, parser.go + jsonpath.go) that
 * Argo Rollouts' web provider runs on a response: `jsonParser.Parse(jsonPath)` then
 * `FindResults(data)`, of which the provider keeps the first value of the first non-empty list.
 *
 * Emulated exactly:
 * - Text outside `{…}` is a literal TextNode; it is not an error. `$.summary` without braces
 *   therefore "finds" the string "$.summary", which is what Argo hands to the conditions (and
 *   `result.verdict` then fails to evaluate on a string: an Error measurement, every time).
 * - Inside braces: `$`/`@` and spaces are skipped; `.name` selects a map key (backslashes
 *   escape a terminator and are then dropped); `['key']` is parsed again as the action `.key`
 *   (parseArray → parseAction), so `['a.b']` means `.a.b`, not the key "a.b"; `[n]` (negative
 *   allowed) indexes an array; `"text"`/`'text'` is a literal.
 * - A missing key is an error "<key> is not found" (Argo does not set AllowMissingKeys);
 *   a nil value is skipped (template.Indirect); indexing a non-array is "… is not array or slice";
 *   an out-of-range index is "array index out of bounds: index i, length n".
 * - A body that is the JSON `null` is reflect's zero Value, which template.Indirect does not skip:
 *   a field of it is "not found", while indexing it or selecting it whole (`{$}`) makes reflect
 *   panic inside the provider (ZeroValuePanic).
 * - Parse errors: "unclosed action", "unrecognized character in action: …".
 *
 * Not emulated (throws NotEmulated so a template using it fails loudly): wildcards, `..`,
 * filters `[?()]`, unions, slices with `:`, `range`/`end`, numbers and booleans as nodes.
 */

/** reflect's panic on the zero Value a JSON `null` body decodes to. */
export class ZeroValuePanic extends Error {
  override name = "ZeroValuePanic";
}

/** The decoded body when it is the JSON `null`: reflect.ValueOf(nil), the zero Value. */
export const ZERO_VALUE: unique symbol = Symbol("reflect zero Value");

export class NotEmulated extends Error {
  constructor(what: string) {
    super(`not emulated: ${what} (extend test/argo before relying on it)`);
    this.name = "NotEmulated";
  }
}

type Step =
  | { kind: "field"; name: string }
  | { kind: "index"; index: number }
  | { kind: "text"; text: string };
type Node = { kind: "text"; text: string } | { kind: "action"; steps: Step[] };

const TERMINATORS = new Set([" ", "\t", "\r", "\n", ".", ",", "[", "]", "$", "@", "{", "}"]);

/** client-go Parser.Parse: a list of text and action nodes; throws client-go's parse errors. */
export function parseJsonPath(text: string): Node[] {
  const nodes: Node[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("{", i);
    if (open < 0) {
      nodes.push({ kind: "text", text: text.slice(i) });
      break;
    }
    if (open > i) nodes.push({ kind: "text", text: text.slice(i, open) });
    const { steps, end } = parseAction(text, open + 1);
    nodes.push({ kind: "action", steps });
    i = end;
  }
  return nodes;
}

function parseAction(text: string, start: number): { steps: Step[]; end: number } {
  const steps: Step[] = [];
  let i = start;
  for (;;) {
    if (text.startsWith("}", i)) return { steps, end: i + 1 };
    if (text.startsWith("[?(", i)) throw new NotEmulated("JSONPath filter [?()]");
    if (text.startsWith("..", i)) throw new NotEmulated("JSONPath recursive descent ..");
    const r = text[i];
    if (r === undefined || r === "\r" || r === "\n") throw new Error("unclosed action");
    if (r === " " || r === "$" || r === "@") {
      i++;
      continue;
    }
    if (r === ".") {
      let j = i + 1;
      while (j < text.length && !TERMINATORS.has(text[j]!)) j += text[j] === "\\" ? 2 : 1;
      const raw = text.slice(i + 1, Math.min(j, text.length));
      if (raw === "*") throw new NotEmulated("JSONPath wildcard .*");
      steps.push({ kind: "field", name: raw.replaceAll("\\", "") });
      i = j;
      continue;
    }
    if (r === "[") {
      const close = text.indexOf("]", i);
      const nl = text.indexOf("\n", i);
      if (close < 0 || (nl >= 0 && nl < close)) throw new Error("unterminated array");
      const inner = text.slice(i + 1, close);
      i = close + 1;
      const key = /^'([^']*)'$/.exec(inner);
      if (inner.includes(",")) {
        throw new NotEmulated(`JSONPath union [${inner}]`);
      } else if (key) {
        // parseArray: a dict key is parsed again as the action `.<key>`
        const again = parseAction(`.${key[1]}}`, 0);
        steps.push(...again.steps);
      } else if (/^-?\d+$/.test(inner)) {
        steps.push({ kind: "index", index: Number(inner) });
      } else if (/^(-?\d*)(:-?\d*)?(:-?\d*)?$/.test(inner) || inner === "*") {
        throw new NotEmulated(`JSONPath slice/union/wildcard [${inner}]`);
      } else {
        throw new Error(`invalid array index ${inner}`);
      }
      continue;
    }
    if (r === '"' || r === "'") {
      const close = text.indexOf(r, i + 1);
      if (close < 0) throw new Error("unterminated quoted string");
      if (text.slice(i + 1, close).includes("\\")) throw new NotEmulated("escapes in JSONPath quotes");
      steps.push({ kind: "text", text: text.slice(i + 1, close) });
      i = close + 1;
      continue;
    }
    if (/[+\-0-9]/.test(r)) throw new NotEmulated("JSONPath number node");
    if (/[\p{L}\p{N}_]/u.test(r)) throw new NotEmulated("JSONPath identifier (range/end/true/false)");
    throw new Error(
      `unrecognized character in action: U+${r.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} '${r}'`,
    );
  }
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

function goType(v: unknown): string {
  if (Array.isArray(v)) return "[]interface {}";
  if (isMap(v)) return "map[string]interface {}";
  if (typeof v === "number") return "float64";
  return typeof v;
}

function walk(values: unknown[], step: Step): unknown[] {
  if (step.kind === "text") return [step.text];
  const out: unknown[] = [];
  if (step.kind === "field") {
    if (values.length === 0) return out;
    for (const v of values) {
      if (v === null || v === undefined) continue; // template.Indirect: nil is skipped
      if (isMap(v) && Object.hasOwn(v, step.name)) out.push(v[step.name]);
    }
    if (out.length === 0) throw new Error(`${step.name} is not found`);
    return out;
  }
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (v === ZERO_VALUE) throw new ZeroValuePanic("reflect: call of reflect.Value.Type on zero Value");
    if (!Array.isArray(v)) throw new Error(`${goType(v)} is not array or slice`);
    const i = step.index < 0 ? step.index + v.length : step.index;
    if (i < 0 || i >= v.length) throw new Error(`array index out of bounds: index ${i}, length ${v.length}`);
    out.push(v[i]);
  }
  return out;
}

/**
 * client-go FindResults: one result list per top-level node, walked in order (an error in any
 * node is the error). A top-level JSON null is the zero Value (ZERO_VALUE in the results).
 */
export function findResults(nodes: Node[], data: unknown): unknown[][] {
  return nodes.map((node) => {
    if (node.kind === "text") return [node.text];
    let cur: unknown[] = [data === null ? ZERO_VALUE : data];
    for (const step of node.steps) cur = walk(cur, step);
    return cur;
  });
}
