import { check, type ExprDialect } from "./expr-check.js";
import { ExprError, parse } from "./expr-parse.js";
import { evaluate, fold } from "./expr-run.js";
import { type GoValue, goTypeName } from "./go-values.js";

export type { ExprDialect } from "./expr-check.js";
/**
 * Argo Rollouts' EvalCondition (utils/evaluate/evaluate.go): compile the condition with expr and
 * env {result, asInt, asFloat, isNaN, isInf, isNil, default}, run it, and require a bool. A
 * compile error (parser, type checker) or a run-time panic is the error Argo reports, with expr's
 * position dropped (Argo unwraps file.Error to its Message). The steps live in expr-parse.ts,
 * expr-check.ts and expr-run.ts; what they do not emulate throws NotEmulated.
 */
export { ExprError } from "./expr-parse.js";

export function evalCondition(result: GoValue, condition: string, dialect: ExprDialect = "v1.15.5"): boolean {
  const ast = parse(condition);
  check(ast, result, dialect);
  const out = evaluate(fold(ast), result, dialect);
  if (typeof out !== "boolean") throw new ExprError(`expected bool, but got ${goTypeName(out)}`);
  return out;
}
