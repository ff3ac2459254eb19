import { NotEmulated } from "./jsonpath.js";

/**
 * A tiny evaluator for the expr-lang conditions Argo Rollouts runs on a measurement
 * (utils/evaluate/evaluate.go: EvalCondition compiles the condition with env {result, asInt,
 * asFloat, isNaN, isInf, isNil, default} and requires a bool).
 *
 * Supported, with expr-lang's semantics:
 * - literals: numbers (all float64 here, as JSON numbers are in Go), "strings" and 'strings',
 *   true, false, nil; the identifier `result`;
 * - member access `a.b`, `a?.b`, `a["b"]`, `a[0]`: a missing map key is nil; member access on
 *   nil (without `?.`) or on a string/number/bool is a runtime error;
 * - `==`, `!=` (numbers by value, otherwise same type and value; nil == nil), `<`, `<=`, `>`,
 *   `>=` (numbers or strings, else a type error), `&&`/`and`, `||`/`or` (bool operands only,
 *   short-circuit), `!`/`not`, unary `-`, `??` (left if not nil, else right), parentheses;
 * - Argo's functions asInt, asFloat (numbers or numeric strings), isNaN, isInf, and isNil(x)/
 *   default(x, d), which in Argo test the WHOLE result, not their argument (DESIGN.md).
 * Precedence as expr-lang's parser: or 10 < and 15 < comparisons 20 < unary ! 50 < unary - 90
 * < ?? 500.
 *
 * Anything else (arithmetic, `in`, `matches`, closures like all(...), ternaries, other functions)
 * throws NotEmulated, so a template that uses it makes the contract test fail loudly instead of
 * being judged by a guess. Errors Argo itself would raise are thrown as ExprError.
 */
export class ExprError extends Error {
  override name = "ExprError";
}

type Tok =
  | { t: "num"; v: number; int: boolean }
  | { t: "str"; v: string }
  | { t: "id"; v: string }
  | { t: "op"; v: string }
  | { t: "eof" };

const OPS = [
  "?.",
  "??",
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "<",
  ">",
  "!",
  "(",
  ")",
  "[",
  "]",
  ".",
  ",",
  "-",
];

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^(\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(src.slice(i))!;
      out.push({ t: "num", v: Number(m[1]), int: /^\d+$/.test(m[1]!) });
      i += m[1]!.length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = "";
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\") {
          const e = src[j + 1];
          const map: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', "'": "'" };
          if (e === undefined || map[e] === undefined) throw new NotEmulated(`string escape \\${e}`);
          s += map[e];
          j += 2;
          continue;
        }
        s += src[j];
        j++;
      }
      if (j >= src.length) throw new ExprError("literal not terminated");
      out.push({ t: "str", v: s });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i))!;
      out.push({ t: "id", v: m[0] });
      i += m[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new NotEmulated(`expr operator at "${src.slice(i)}"`);
    out.push({ t: "op", v: op });
    i += op.length;
  }
  out.push({ t: "eof" });
  return out;
}

type Ast =
  | { k: "lit"; v: unknown; int?: boolean }
  | { k: "result" }
  | { k: "member"; obj: Ast; prop: Ast; optional: boolean }
  | { k: "unary"; op: string; x: Ast }
  | { k: "binary"; op: string; l: Ast; r: Ast }
  | { k: "call"; fn: string; args: Ast[] };

const BINARY: Record<string, { p: number; op: string }> = {
  "||": { p: 10, op: "||" },
  or: { p: 10, op: "||" },
  "&&": { p: 15, op: "&&" },
  and: { p: 15, op: "&&" },
  "==": { p: 20, op: "==" },
  "!=": { p: 20, op: "!=" },
  "<": { p: 20, op: "<" },
  "<=": { p: 20, op: "<=" },
  ">": { p: 20, op: ">" },
  ">=": { p: 20, op: ">=" },
  "??": { p: 500, op: "??" },
};
const FUNCTIONS = new Set(["asInt", "asFloat", "isNaN", "isInf", "isNil", "default"]);

function parse(src: string): Ast {
  const toks = tokenize(src);
  let pos = 0;
  const peek = () => toks[pos]!;
  const next = () => toks[pos++]!;
  const expectOp = (v: string) => {
    const t = next();
    if (t.t !== "op" || t.v !== v) throw new ExprError(`expected ${v}`);
  };

  function binaryOf(t: Tok): { p: number; op: string } | undefined {
    if (t.t === "op" || t.t === "id") return BINARY[t.v];
    return undefined;
  }

  function expression(minP: number): Ast {
    let left = unary();
    for (;;) {
      const t = peek();
      if (t.t === "id" && ["in", "matches", "contains", "startsWith", "endsWith"].includes(t.v))
        throw new NotEmulated(`expr operator ${t.v}`);
      const b = binaryOf(t);
      if (!b || b.p < minP) return left;
      next();
      const right = expression(b.p + 1);
      left = { k: "binary", op: b.op, l: left, r: right };
    }
  }

  function unary(): Ast {
    const t = peek();
    if ((t.t === "op" && t.v === "!") || (t.t === "id" && t.v === "not")) {
      next();
      return { k: "unary", op: "!", x: expression(50) };
    }
    if (t.t === "op" && t.v === "-") {
      next();
      return { k: "unary", op: "-", x: expression(90) };
    }
    return postfix(primary());
  }

  function primary(): Ast {
    const t = next();
    if (t.t === "num") return { k: "lit", v: t.v, int: t.int };
    if (t.t === "str") return { k: "lit", v: t.v };
    if (t.t === "op" && t.v === "(") {
      const e = expression(0);
      expectOp(")");
      return e;
    }
    if (t.t === "id") {
      if (t.v === "true") return { k: "lit", v: true };
      if (t.v === "false") return { k: "lit", v: false };
      if (t.v === "nil") return { k: "lit", v: null };
      if (t.v === "result") return { k: "result" };
      const after = peek();
      if (after.t === "op" && after.v === "(") {
        if (!FUNCTIONS.has(t.v)) throw new NotEmulated(`expr function ${t.v}()`);
        next();
        const args: Ast[] = [];
        if (!(peek().t === "op" && (peek() as { v: string }).v === ")")) {
          for (;;) {
            args.push(expression(0));
            const sep = next();
            if (sep.t === "op" && sep.v === ")") break;
            if (!(sep.t === "op" && sep.v === ",")) throw new ExprError("expected , or )");
          }
        } else next();
        return { k: "call", fn: t.v, args };
      }
      throw new ExprError(`unknown name ${t.v}`);
    }
    throw new NotEmulated(`expr token ${JSON.stringify(t)}`);
  }

  function postfix(e: Ast): Ast {
    for (;;) {
      const t = peek();
      if (t.t === "op" && (t.v === "." || t.v === "?.")) {
        next();
        const name = next();
        if (name.t !== "id") throw new ExprError("expected name after .");
        e = { k: "member", obj: e, prop: { k: "lit", v: name.v }, optional: t.v === "?." };
      } else if (t.t === "op" && t.v === "[") {
        next();
        const idx = expression(0);
        expectOp("]");
        e = { k: "member", obj: e, prop: idx, optional: false };
      } else {
        return e;
      }
    }
  }

  const ast = expression(0);
  const rest = peek();
  if (rest.t !== "eof") {
    if (rest.t === "op" && rest.v === "?") throw new NotEmulated("expr ternary");
    throw new NotEmulated(`expr token ${JSON.stringify(rest)}`);
  }
  return ast;
}

const isNilValue = (v: unknown) => v === null || v === undefined;
const isMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

function typeName(v: unknown): string {
  if (isNilValue(v)) return "<nil>";
  if (Array.isArray(v)) return "[]interface {}";
  if (isMap(v)) return "map[string]interface {}";
  if (typeof v === "number") return "float64";
  return typeof v;
}

function equal(a: unknown, b: unknown): boolean {
  if (isNilValue(a) || isNilValue(b)) return isNilValue(a) && isNilValue(b);
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b)) return false;
  if (typeof a === "object") return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

function asBool(v: unknown, where: string): boolean {
  if (typeof v !== "boolean") throw new ExprError(`invalid operation: ${where} on ${typeName(v)}`);
  return v;
}

function toNumber(v: unknown, fn: string): number {
  if (typeof v === "number") return fn === "asInt" ? Math.trunc(v) : v;
  if (typeof v === "string") {
    const ok = fn === "asInt" ? /^[+-]?\d+$/.test(v) : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v);
    if (!ok)
      throw new ExprError(
        `strconv.${fn === "asInt" ? "ParseInt" : "ParseFloat"}: parsing "${v}": invalid syntax`,
      );
    return Number(v);
  }
  throw new ExprError(`${fn}() not supported on ${typeName(v)} ${String(v)}`);
}

/**
 * The type expr-lang's checker knows before running (literals and Argo's typed functions), or
 * undefined for anything read from `result` (interface{}, only checked at run time). Comparing two
 * known, different types is a compile error in expr-lang, e.g. asFloat(result) == "1.1".
 */
function staticType(ast: Ast): string | undefined {
  if (ast.k === "lit") {
    if (ast.v === null) return "nil";
    if (typeof ast.v === "number") return ast.int ? "int" : "float64";
    return typeof ast.v === "boolean" ? "bool" : "string";
  }
  if (ast.k === "call") return ast.fn === "asInt" ? "int64" : ast.fn === "asFloat" ? "float64" : undefined;
  if (ast.k === "binary" && ["==", "!=", "<", "<=", ">", ">=", "&&", "||"].includes(ast.op)) return "bool";
  if (ast.k === "unary") return ast.op === "!" ? "bool" : staticType(ast.x);
  return undefined;
}

const NUMERIC = new Set(["int", "int64", "float64"]);

function check(ast: Ast): void {
  if (ast.k === "binary") {
    check(ast.l);
    check(ast.r);
    const l = staticType(ast.l);
    const r = staticType(ast.r);
    if (
      ast.op !== "??" &&
      l &&
      r &&
      l !== r &&
      l !== "nil" &&
      r !== "nil" &&
      !(NUMERIC.has(l) && NUMERIC.has(r))
    )
      throw new ExprError(`invalid operation: ${ast.op} (mismatched types ${l} and ${r})`);
  } else if (ast.k === "unary") check(ast.x);
  else if (ast.k === "member") {
    check(ast.obj);
    check(ast.prop);
  } else if (ast.k === "call") ast.args.forEach(check);
}

function evaluate(ast: Ast, result: unknown, inCoalesce = false): unknown {
  switch (ast.k) {
    case "lit":
      return ast.v;
    case "result":
      return result;
    case "member": {
      const obj = evaluate(ast.obj, result, inCoalesce);
      const prop = evaluate(ast.prop, result);
      if (isNilValue(obj)) {
        if (ast.optional) return null;
        // expr-lang may make a member chain on the left of ?? nil-safe; not pinned down here.
        if (inCoalesce) throw new NotEmulated("member access on nil inside the left side of ??");
        throw new ExprError(`cannot fetch ${String(prop)} from <nil>`);
      }
      if (isMap(obj) && typeof prop === "string") return Object.hasOwn(obj, prop) ? obj[prop] : null;
      if (Array.isArray(obj) && typeof prop === "number") {
        const i = prop < 0 ? prop + obj.length : prop;
        if (!Number.isInteger(i) || i < 0 || i >= obj.length)
          throw new ExprError(`index out of range: ${prop} (array length is ${obj.length})`);
        return obj[i];
      }
      throw new ExprError(`cannot fetch ${String(prop)} from ${typeName(obj)}`);
    }
    case "unary": {
      const x = evaluate(ast.x, result);
      if (ast.op === "!") return !asBool(x, "!");
      if (typeof x !== "number") throw new ExprError(`invalid operation: - on ${typeName(x)}`);
      return -x;
    }
    case "binary": {
      if (ast.op === "&&")
        return asBool(evaluate(ast.l, result), "&&") && asBool(evaluate(ast.r, result), "&&");
      if (ast.op === "||")
        return asBool(evaluate(ast.l, result), "||") || asBool(evaluate(ast.r, result), "||");
      if (ast.op === "??") {
        const l = evaluate(ast.l, result, true);
        return isNilValue(l) ? evaluate(ast.r, result) : l;
      }
      const l = evaluate(ast.l, result);
      const r = evaluate(ast.r, result);
      if (ast.op === "==") return equal(l, r);
      if (ast.op === "!=") return !equal(l, r);
      const bothNumbers = typeof l === "number" && typeof r === "number";
      const bothStrings = typeof l === "string" && typeof r === "string";
      if (!bothNumbers && !bothStrings)
        throw new ExprError(
          `invalid operation: ${ast.op} (mismatched types ${typeName(l)} and ${typeName(r)})`,
        );
      const a = l as number | string;
      const b = r as number | string;
      if (ast.op === "<") return a < b;
      if (ast.op === "<=") return a <= b;
      if (ast.op === ">") return a > b;
      return a >= b;
    }
    case "call": {
      const args = ast.args.map((a) => evaluate(a, result));
      switch (ast.fn) {
        case "asInt":
        case "asFloat":
          if (args.length !== 1) throw new ExprError(`${ast.fn} takes 1 argument`);
          return toNumber(args[0], ast.fn);
        case "isNaN":
          return typeof args[0] === "number" && Number.isNaN(args[0]);
        case "isInf":
          return typeof args[0] === "number" && !Number.isFinite(args[0]) && !Number.isNaN(args[0]);
        // Argo binds these to the measurement's result, whatever the argument is.
        case "isNil":
          return isNilValue(result);
        case "default":
          return isNilValue(result) ? args[1] : result;
      }
      throw new NotEmulated(`expr function ${ast.fn}()`);
    }
  }
}

/** EvalCondition: evaluate `condition` with `result` bound; a non-bool outcome is an error. */
export function evalCondition(result: unknown, condition: string): boolean {
  const ast = parse(condition);
  check(ast);
  const out = evaluate(ast, result);
  if (typeof out !== "boolean")
    throw new ExprError(`expected bool, but got ${staticType(ast) ?? typeName(out)}`);
  return out;
}
