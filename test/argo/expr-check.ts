import { ExprError, type Node } from "./expr-parse.js";
import { GoInt, type GoValue, isGoMap } from "./go-values.js";
import { NotEmulated } from "./jsonpath.js";

/**
 * expr-lang's type checker (checker/checker.go) for the parsed subset. Argo compiles every
 * condition with expr.Env(env), env = {result: <the measured value>, asInt, asFloat, isNaN,
 * isInf, isNil, default}, so `result` has the Go type of the value actually measured: a string
 * result makes `result == 1` and `result.verdict` compile errors, a map makes `result == "pass"`
 * one, while a map's members are interface {} and pass the checker (checked at run time). The
 * checker runs before anything is evaluated, so a type error in a branch that would be
 * short-circuited still fails the condition. The first error wins, in expr's visiting order.
 *
 * Two dialects: antonmedv/expr v1.15.5 (Argo v1.8.0–v1.9.1) and expr-lang/expr v1.17.7/v1.17.8
 * (Argo v1.10.0-rc1, master). They agree on what compiles here; their messages differ where a
 * nil result or a member of a non-map is involved, and v1.17 rejects nil for a float64 parameter.
 */
export type ExprDialect = "v1.15.5" | "v1.17";

/** Static types of the subset; "any" is interface {} (and v1.17's unknown nature). */
type Type =
  | "nil"
  | "any"
  | "bool"
  | "int"
  | "int64"
  | "float64"
  | "string"
  | "map[string]interface {}"
  | "[]interface {}";

/** Argo's functions: parameter types and result type. */
const FUNCTIONS: Record<string, { params: Type[]; out: Type }> = {
  asInt: { params: ["any"], out: "int64" },
  asFloat: { params: ["any"], out: "float64" },
  isNaN: { params: ["float64"], out: "bool" },
  isInf: { params: ["float64"], out: "bool" },
  isNil: { params: ["any"], out: "bool" },
  default: { params: ["any", "any"], out: "any" },
};
export const ARGO_FUNCTIONS = new Set(Object.keys(FUNCTIONS));

/** expr's builtins (v1.15.5 and v1.17): known names outside the subset. */
const BUILTINS = new Set(
  (
    "all none any one filter map find findIndex findLast findLastIndex count sum groupBy sortBy reduce " +
    "len type abs ceil floor round int float string trim trimPrefix trimSuffix upper lower split " +
    "splitAfter replace repeat join indexOf lastIndexOf hasPrefix hasSuffix max min mean median toJSON " +
    "fromJSON now duration date timezone first last get take keys values toPairs fromPairs reverse uniq " +
    "concat flatten sort bitnot bitand bitor bitxor bitnand bitshl bitshr bitushr"
  ).split(" "),
);

export function typeOfValue(v: GoValue): Type {
  if (v === null) return "nil";
  if (v instanceof GoInt) return v.kind;
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return "float64";
  if (typeof v === "string") return "string";
  if (Array.isArray(v)) return "[]interface {}";
  if (isGoMap(v)) return "map[string]interface {}";
  throw new NotEmulated(`result of type ${typeof v}`);
}

const isNumber = (t: Type) => t === "int" || t === "int64" || t === "float64";
const isInteger = (t: Type) => t === "int" || t === "int64";

export function check(ast: Node, result: GoValue, dialect: ExprDialect): void {
  // reflect.Type(nil) prints "<nil>" in v1.15.5; a nil nature prints "unknown" in v1.17.
  const name = (t: Type) =>
    t === "nil" ? (dialect === "v1.15.5" ? "<nil>" : "unknown") : t === "any" ? "interface {}" : t;
  const mismatch = (op: string, l: Type, r: Type) =>
    new ExprError(`invalid operation: ${op} (mismatched types ${name(l)} and ${name(r)})`);
  // `or(l, r, fns...)` in v1.15.5, MaybeCompatible in v1.17
  const either = (l: Type, r: Type, fits: (t: Type) => boolean) =>
    (l === "any" && r === "any") || (l === "any" && fits(r)) || (r === "any" && fits(l));

  function visit(n: Node): Type {
    switch (n.k) {
      case "nil":
        return "nil";
      case "bool":
        return "bool";
      case "int":
        return "int";
      case "float":
        return "float64";
      case "str":
        return "string";
      case "ident":
        if (n.name === "result") return typeOfValue(result);
        if (ARGO_FUNCTIONS.has(n.name) || BUILTINS.has(n.name) || n.name === "$env")
          throw new NotEmulated(`${n.name} used as a value`);
        throw new ExprError(`unknown name ${n.name}`);
      case "chain":
        return visit(n.x);
      case "unary": {
        const t = visit(n.x);
        if (n.op === "-") {
          if (isNumber(t) || t === "any") return t;
        } else if (t === "bool" || t === "any") return "bool";
        throw new ExprError(`invalid operation: ${n.op} (mismatched type ${name(t)})`);
      }
      case "binary":
        return binary(n.op, visit(n.l), visit(n.r));
      case "member":
        return member(visit(n.obj), visit(n.prop), n.prop.k === "str" ? n.prop.v : undefined);
      case "call":
        return call(n);
    }
  }

  function binary(op: string, l: Type, r: Type): Type {
    switch (op) {
      case "==":
      case "!=":
        if (
          l === "nil" ||
          r === "nil" ||
          l === "any" ||
          r === "any" ||
          l === r ||
          (isNumber(l) && isNumber(r))
        )
          return "bool";
        throw mismatch(op, l, r);
      case "&&":
      case "and":
      case "||":
      case "or":
        if ((l === "bool" && r === "bool") || either(l, r, (t) => t === "bool")) return "bool";
        throw mismatch(op, l, r);
      case "<":
      case "<=":
      case ">":
      case ">=":
        if ((isNumber(l) && isNumber(r)) || (l === "string" && r === "string")) return "bool";
        if (either(l, r, (t) => isNumber(t) || t === "string")) return "bool";
        throw mismatch(op, l, r);
      case "??":
        if (l === "nil") return r;
        if (r === "nil") return l;
        return r === l || l === "any" ? l : "any";
    }
    throw new NotEmulated(`expr operator ${op}`);
  }

  function member(base: Type, prop: Type, field: string | undefined): Type {
    if (dialect === "v1.17" && base === "any") return "any";
    if (field !== undefined && base === "nil")
      throw new ExprError(`type ${dialect === "v1.15.5" ? "<nil>" : "nil"} has no field ${field}`);
    if (base === "any") return "any";
    if (base === "map[string]interface {}") {
      const fits = prop === "string" || prop === "any" || (dialect === "v1.15.5" && prop === "nil");
      if (!fits) throw new ExprError(`cannot use ${name(prop)} to get an element from ${base}`);
      return "any";
    }
    if (base === "[]interface {}") {
      if (!isInteger(prop) && prop !== "any")
        throw new ExprError(`array elements can only be selected using an integer (got ${name(prop)})`);
      return "any";
    }
    if (dialect === "v1.17" && field !== undefined)
      throw new ExprError(`type ${name(base)} has no field ${field}`);
    throw new ExprError(`type ${name(base)}[${name(prop)}] is undefined`);
  }

  function call(n: Extract<Node, { k: "call" }>): Type {
    const fn = FUNCTIONS[n.fn];
    if (!fn) {
      if (BUILTINS.has(n.fn)) throw new NotEmulated(`expr builtin ${n.fn}()`);
      throw new ExprError(`unknown name ${n.fn}`);
    }
    const count =
      n.args.length > fn.params.length
        ? `too many arguments to call ${n.fn}`
        : n.args.length < fn.params.length
          ? `not enough arguments to call ${n.fn}`
          : undefined;
    if (count) {
      // v1.17 still type-checks the arguments, and an error there comes first
      if (dialect === "v1.17") for (const a of n.args) visit(a);
      throw new ExprError(count);
    }
    n.args.forEach((arg, i) => {
      const t = visit(arg);
      const param = fn.params[i]!;
      // An integer argument to a float64 parameter: int literals become float literals
      // (traverseAndReplaceIntegerNodesWithFloatNodes); an int64 is let through and fails at run time.
      if (param === "float64" && isInteger(t)) {
        toFloatLiterals(arg);
        return;
      }
      if (t === "nil") {
        if (dialect === "v1.15.5" || param === "any") return;
        throw new ExprError(`cannot use nil as argument (type ${param}) to call ${n.fn}`);
      }
      if (param !== "any" && t !== param && t !== "any")
        throw new ExprError(`cannot use ${name(t)} as argument (type ${param}) to call ${n.fn} `);
    });
    return fn.out;
  }

  visit(ast);
}

function toFloatLiterals(n: Node): void {
  if (n.k === "int") (n as Node).k = "float";
  else if (n.k === "unary") toFloatLiterals(n.x);
}
