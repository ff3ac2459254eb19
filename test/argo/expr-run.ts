import type { ExprDialect } from "./expr-check.js";
import { ExprError, type Node } from "./expr-parse.js";
import {
  GoInt,
  GoNumError,
  type GoValue,
  goFormatV,
  goTypeName,
  isGoMap,
  numeric,
  parseGoFloat,
  parseGoInt,
} from "./go-values.js";
import { NotEmulated } from "./jsonpath.js";

/**
 * What expr-lang does after the checker: the optimizer's constant folding (optimizer/fold.go:
 * `x && true` is `x`, `false && x` and `x && false` are `false`, likewise for `||`, `!` of a bool
 * literal, `==` of two literals of one kind), then the VM (vm/vm.go, vm/runtime): `&&`/`||`
 * assert their left operand is a bool and short-circuit, `??` takes its right side when the
 * left is nil, `?.` ends its member chain with nil, a missing map key is nil, and the panics of
 * runtime.Fetch/Less/Negate and of Argo's asInt/asFloat become the condition's error message.
 */

/** The nil an optional member `?.` met: the whole chain evaluates to nil. */
class ChainNil {}

const isBoolLiteral = (n: Node): n is Extract<Node, { k: "bool" }> => n.k === "bool";

/** fold.go, applied until nothing changes (post-order, as ast.Walk visits). */
export function fold(n: Node): Node {
  switch (n.k) {
    case "unary": {
      const x = fold(n.x);
      if (n.op === "-" && (x.k === "int" || x.k === "float")) return { k: x.k, v: -x.v };
      if (n.op !== "-" && isBoolLiteral(x)) return { k: "bool", v: !x.v };
      return { ...n, x };
    }
    case "binary": {
      const l = fold(n.l);
      const r = fold(n.r);
      const a = isBoolLiteral(l) ? l.v : undefined;
      const b = isBoolLiteral(r) ? r.v : undefined;
      if (n.op === "&&" || n.op === "and") {
        if (a === true) return r;
        if (b === true) return l;
        if (a === false || b === false) return { k: "bool", v: false };
      } else if (n.op === "||" || n.op === "or") {
        if (a === false) return r;
        if (b === false) return l;
        if (a === true || b === true) return { k: "bool", v: true };
      } else if (n.op === "==" && l.k === r.k && (l.k === "int" || l.k === "str" || l.k === "bool")) {
        return { k: "bool", v: (l as { v: unknown }).v === (r as { v: unknown }).v };
      }
      return { ...n, l, r };
    }
    case "member":
      return { ...n, obj: fold(n.obj), prop: fold(n.prop) };
    case "chain":
      return { ...n, x: fold(n.x) };
    case "call":
      return { ...n, args: n.args.map(fold) };
    default:
      return n;
  }
}

/** runtime.Equal: numbers across Go types, strings; then nil == nil; else reflect.DeepEqual. */
function goEqual(a: GoValue, b: GoValue, dialect: ExprDialect): boolean {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return x === y;
  if (typeof a === "string" && typeof b === "string") return a === b;
  if (dialect === "v1.17" && Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((v, i) => goEqual(v, b[i]!, dialect));
  if (a === null && b === null) return true;
  return deepEqual(a, b);
}

function deepEqual(a: GoValue, b: GoValue): boolean {
  if (goTypeName(a) !== goTypeName(b)) return false;
  if (a instanceof GoInt) return a.value === (b as GoInt).value;
  if (Array.isArray(a)) {
    const other = b as GoValue[];
    return a.length === other.length && a.every((v, i) => deepEqual(v, other[i]!));
  }
  if (isGoMap(a)) {
    const other = b as Record<string, GoValue>;
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(other).length &&
      keys.every((k) => Object.hasOwn(other, k) && deepEqual(a[k]!, other[k]!))
    );
  }
  return a === b;
}

/** Go's message for a failed type assertion `v.(T)` on an interface {}. */
const assertion = (v: GoValue, want: string) =>
  new ExprError(`interface conversion: interface {} is ${v === null ? "nil" : goTypeName(v)}, not ${want}`);

function toInt(i: GoValue): number {
  const n = numeric(i);
  if (n === undefined) throw new ExprError(`invalid operation: int(${goTypeName(i)})`);
  if (!Number.isFinite(n)) throw new NotEmulated("a non-finite index");
  return Math.trunc(n);
}

/** runtime.Fetch for decoded JSON values. */
function fetch(from: GoValue, i: GoValue, dialect: ExprDialect): GoValue {
  if (from === null) throw new ExprError(`cannot fetch ${goFormatV(i)} from <nil>`);
  if (Array.isArray(from)) {
    let index = toInt(i);
    if (index < 0) index += from.length;
    if (index < 0 || index >= from.length)
      throw new ExprError(
        dialect === "v1.15.5"
          ? "reflect: slice index out of range"
          : `index out of range: ${index} (array length is ${from.length})`,
      );
    return from[index]!;
  }
  if (typeof from === "string") {
    toInt(i);
    throw new NotEmulated("indexing a string (a byte)");
  }
  if (isGoMap(from)) {
    // reflect's MapIndex: nil looks up the zero key ""; another type is a reflect panic
    const key = i === null ? "" : i;
    if (typeof key !== "string")
      throw new ExprError(
        `reflect.Value.MapIndex: value of type ${goTypeName(key)} is not assignable to type string`,
      );
    return Object.hasOwn(from, key) ? from[key]! : null;
  }
  throw new ExprError(`cannot fetch ${goFormatV(i)} from ${goTypeName(from)}`);
}

/** Go's byte-wise string order. */
const compareStrings = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function compare(op: string, a: GoValue, b: GoValue): boolean {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined)
    return op === "<" ? x < y : op === "<=" ? x <= y : op === ">" ? x > y : x >= y;
  if (typeof a === "string" && typeof b === "string") {
    const c = compareStrings(a, b);
    return op === "<" ? c < 0 : op === "<=" ? c <= 0 : op === ">" ? c > 0 : c >= 0;
  }
  throw new ExprError(`invalid operation: ${goTypeName(a)} ${op} ${goTypeName(b)}`);
}

/** Argo's asInt / asFloat (utils/evaluate/evaluate.go): a panic becomes the error. */
function convert(fn: "asInt" | "asFloat", v: GoValue): GoValue {
  try {
    if (v instanceof GoInt) return fn === "asInt" ? new GoInt("int64", v.value) : v.value;
    if (typeof v === "number") {
      if (fn === "asFloat") return v;
      if (!Number.isFinite(v) || Math.abs(v) >= 2 ** 63) throw new NotEmulated(`int64(${v})`);
      return new GoInt("int64", Math.trunc(v));
    }
    if (typeof v === "string") return fn === "asInt" ? new GoInt("int64", parseGoInt(v)) : parseGoFloat(v);
  } catch (e) {
    if (e instanceof GoNumError) throw new ExprError(e.message);
    throw e;
  }
  throw new ExprError(`${fn}() not supported on ${goTypeName(v)} ${goFormatV(v)}`);
}

export function evaluate(ast: Node, result: GoValue, dialect: ExprDialect): GoValue {
  const isNilResult = result === null;
  function run(n: Node): GoValue {
    switch (n.k) {
      case "nil":
        return null;
      case "bool":
      case "str":
      case "float":
        return n.v;
      case "int":
        return new GoInt("int", n.v);
      case "ident":
        return result;
      case "chain":
        try {
          return run(n.x);
        } catch (e) {
          if (e instanceof ChainNil) return null;
          throw e;
        }
      case "member": {
        const obj = run(n.obj);
        if (n.optional && obj === null) throw new ChainNil();
        return fetch(obj, run(n.prop), dialect);
      }
      case "unary": {
        const x = run(n.x);
        if (n.op === "-") {
          if (x instanceof GoInt) return new GoInt(x.kind, -x.value);
          if (typeof x === "number") return -x;
          throw new ExprError(`invalid operation: - ${goTypeName(x)}`);
        }
        if (typeof x !== "boolean") throw assertion(x, "bool");
        return !x;
      }
      case "binary": {
        if (["&&", "and", "||", "or"].includes(n.op)) {
          const l = run(n.l);
          if (typeof l !== "boolean") throw assertion(l, "bool");
          const and = n.op === "&&" || n.op === "and";
          return l === !and ? l : run(n.r);
        }
        if (n.op === "??") {
          const l = run(n.l);
          return l !== null ? l : run(n.r);
        }
        const l = run(n.l);
        const r = run(n.r);
        if (n.op === "==") return goEqual(l, r, dialect);
        if (n.op === "!=") return !goEqual(l, r, dialect);
        return compare(n.op, l, r);
      }
      case "call": {
        const args = n.args.map(run);
        switch (n.fn) {
          case "asInt":
          case "asFloat":
            return convert(n.fn, args[0]!);
          case "isNaN":
          case "isInf": {
            const f = args[0]!;
            if (typeof f !== "number") throw assertion(f, "float64");
            return n.fn === "isNaN" ? Number.isNaN(f) : f === Infinity || f === -Infinity;
          }
          // Argo binds both to the measured result, whatever their first argument is.
          case "isNil":
            return isNilResult;
          case "default":
            return isNilResult ? args[1]! : result;
        }
        throw new NotEmulated(`expr function ${n.fn}()`);
      }
    }
  }
  return run(ast);
}
