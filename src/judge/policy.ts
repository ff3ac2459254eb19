import type { GateResult, Verdict } from "../gates/gate.js";

export interface Summary {
  verdict: Verdict;
  pass: boolean;
  /** Kayenta-like 0–100: weighted share of passing gates; informative only, never decides */
  score: number;
  reason: string;
}

/**
 * Each requested gate's share of the family-wise alpha (Bonferroni). Every gate's fail decision
 * is anytime-valid at its share, so by the union bound P(any gate ever falsely fails) ≤ alpha,
 * uniformly over looks.
 */
export function alphaPerGate(alpha: number, gates: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(Number.isInteger(gates) && gates >= 1))
    throw new RangeError(`gates must be a positive integer, got ${gates}`);
  return alpha / gates;
}

/**
 * Combine gate results into the overall verdict:
 * - fail if any gate fails (the decisive reason is the first failing gate's, in registry order);
 * - pass if every gate passes, except those marked optional which may be inconclusive, and those with
 *   nothing to judge (judged: false), which neither block a pass nor count as one;
 * - inconclusive otherwise (the reason is the first blocking inconclusive gate's).
 * The score is 100 × Σ weight(pass) / Σ weight(judged gates), rounded to 2 decimals, like Kayenta's
 * group score where a gate is a group and a group without data leaves the denominator; it is
 * reported beside the verdict and never changes it.
 */
export function combine(
  results: ReadonlyArray<readonly [string, GateResult]>,
  opts: { weights?: Readonly<Record<string, number>>; optional?: ReadonlyArray<string> } = {},
): Summary {
  if (results.length === 0) throw new RangeError("combine needs at least one gate result");
  const weight = (name: string) => opts.weights?.[name] ?? 1;
  const optional = new Set(opts.optional ?? []);
  const judged = results.filter(([, r]) => r.judged !== false);
  const notJudged = results.filter(([, r]) => r.judged === false);
  let total = 0;
  let passing = 0;
  for (const [name, r] of judged) {
    total += weight(name);
    if (r.verdict === "pass") passing += weight(name);
  }
  const score = total > 0 ? Math.round((10000 * passing) / total) / 100 : 0;
  const notJudgedText = notJudged.map(([name, r]) => `; ${name} not judged: ${r.reason}`).join("");
  const failed = results.find(([, r]) => r.verdict === "fail");
  if (failed) {
    const more = results.filter(([, r]) => r.verdict === "fail").length - 1;
    const suffix = more > 0 ? ` (and ${more} more failing gate${more > 1 ? "s" : ""})` : "";
    return { verdict: "fail", pass: false, score, reason: `${failed[0]}: ${failed[1].reason}${suffix}` };
  }
  const blocking = judged.find(([name, r]) => r.verdict === "inconclusive" && !optional.has(name));
  if (blocking) {
    return {
      verdict: "inconclusive",
      pass: false,
      score,
      reason: `${blocking[0]}: ${blocking[1].reason}${notJudgedText}`,
    };
  }
  const passed = results.filter(([, r]) => r.verdict === "pass");
  if (passed.length === 0) {
    const why =
      judged.length === 0 ? "no gate had anything to judge" : "no gate could decide (all are optional)";
    return { verdict: "inconclusive", pass: false, score, reason: `${why}${notJudgedText}` };
  }
  const skipped = judged.length - passed.length;
  const optionalText = skipped > 0 ? `; ${skipped} optional gate${skipped > 1 ? "s" : ""} inconclusive` : "";
  const reason = passed.map(([name, r]) => `${name}: ${r.reason}`).join("; ") + optionalText + notJudgedText;
  return { verdict: "pass", pass: true, score, reason };
}
