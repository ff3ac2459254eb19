import { expect } from "vitest";
import type { GateResult, Verdict } from "../../src/gates/gate.js";
import type { SequentialContext, SequentialRecord } from "../../src/gates/sequential.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { SequentialRuns } from "../../src/judge/sequential-runs.js";
import type { SpendingFunction } from "../../src/stats/alpha-spending.js";

/**
 * Simulated runs of one gate at its tolerance boundary, for the Monte Carlo validity tests: a run is a
 * series of looks at cumulative data, evaluated either anytime-valid (no schedule) or as the judge
 * evaluates a run that declared `looks` (each look gets the run's SequentialContext, and what the gate
 * observed is kept for the next look, as src/judge/assembly.ts and JudgementHistory do).
 */
export type Mode = "anytime" | "declared";

/** The declared schedule the tests use: 10 looks declared, Argo asks 20 times. */
export const DECLARED_LOOKS = 10;
export const ASKED_LOOKS = 20;

/** A canary gate (cohorts) or a shadow gate (paired summary): what a run's looks need of it. */
interface RunnableGate<I> {
  readonly name: string;
  evaluate(input: I & { sequential?: SequentialContext }): GateResult;
}

/**
 * One run's looks at a gate: call once per look with the cumulative cohorts (or paired summary). `at`
 * is the look's number in the run when the caller skips looks it knows repeat an earlier answer
 * (default: the next number).
 */
export function gateRun<I>(
  gate: RunnableGate<I>,
  mode: Mode,
  spending: SpendingFunction = "obrien-fleming",
  looks = DECLARED_LOOKS,
): (input: Omit<I, "sequential">, at?: number) => GateResult {
  const runs = new SequentialRuns();
  let look = 0;
  return (input, at) => {
    look = at ?? look + 1;
    const design = { look, looks, spending };
    const sequential = mode === "declared" ? runs.contextFor("run", gate.name, design) : undefined;
    const result = gate.evaluate({ ...input, sequential } as I & { sequential?: SequentialContext });
    if (sequential) {
      const record: SequentialRecord = { ...design, observed: Object.fromEntries(sequential.observed) };
      // observe() reads only the gates' sequential records of an answer
      runs.observe("run", {
        gates: { [gate.name]: { ...result, sequential: record } },
      } as unknown as JudgeResponse);
      // (the service prepares the next look ahead on idle turns between Argo's looks; the answers are
      // the same without it: test/stats/group-sequential.test.ts)
    }
    return result;
  };
}

/** Share of runs in which any look gave each verdict. */
export interface EverRates {
  fail: number;
  pass: number;
  runs: number;
}

/** Runs `runs` simulated runs; `run(index)` returns the verdicts of its looks. */
export function everRates(runs: number, run: (index: number) => Verdict[]): EverRates {
  let fail = 0;
  let pass = 0;
  for (let i = 0; i < runs; i++) {
    const verdicts = run(i);
    if (verdicts.includes("fail")) fail++;
    if (verdicts.includes("pass")) pass++;
  }
  return { fail: fail / runs, pass: pass / runs, runs };
}

/**
 * Monte Carlo allowance for a rate whose true value is at most alpha: alpha plus two binomial standard
 * deviations at the run count (a valid rule exactly at alpha exceeds it with probability ≈ 2.3%; the
 * seeds are fixed, so a pass is reproducible).
 */
export const monteCarloLimit = (alpha: number, runs: number) =>
  alpha + 2 * Math.sqrt((alpha * (1 - alpha)) / runs);

/**
 * Each wrong claim made in at most `alpha` of the runs, within the Monte Carlo allowance; the rates are
 * printed. Not vacuous: where both claims are wrong, a declared schedule (which spends its alpha) makes
 * one in some run; where only fails are wrong, most runs pass, so the absence of fails is not an
 * absence of decisions.
 */
export function checkWrongClaims(
  label: string,
  mode: Mode,
  rates: EverRates,
  wrong: ReadonlyArray<"fail" | "pass">,
  alpha: number,
): void {
  const limit = monteCarloLimit(alpha, rates.runs);
  console.info(
    `${label} ${mode}: ever fail ${rates.fail.toFixed(3)}, ever pass ${rates.pass.toFixed(3)} over ${rates.runs} runs × ${ASKED_LOOKS} looks (wrong: ${wrong.join(", ")}; limit ${limit.toFixed(3)})`,
  );
  for (const claim of wrong) expect(rates[claim], `${label}: wrong ${claim}s`).toBeLessThanOrEqual(limit);
  if (wrong.length === 1) expect(rates.pass).toBeGreaterThan(0.5);
  else if (mode === "declared") expect(rates.fail + rates.pass).toBeGreaterThan(0);
}
