/**
 * Sample efficiency of one gate decision: simulate `runs` canaries of the row's world, ask the gate
 * (alone, at its share of alpha) at a geometric grid of looks, and report n80 — the smallest look
 * (candidate events) by which 80% of runs have reached the right decision — beside the oracle's.
 * Events go through the store's own CohortState, cumulative window, every event labelled.
 */
import type { GateResult } from "../../src/gates/gate.js";
import { GATES } from "../../src/gates/registry.js";
import { RESERVE, type SequentialContext } from "../../src/gates/sequential.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { SequentialRuns } from "../../src/judge/sequential-runs.js";
import type { SpendingFunction } from "../../src/stats/alpha-spending.js";
import { planGroupSequential } from "../../src/stats/group-sequential-design.js";
import { mulberry32, type RandomSource } from "../../src/stats/random.js";
import { drawEvent, newState } from "../sim/analysis-run.js";
import { ksEquivalenceN, oracleN } from "./oracle.js";
import { BASELINE_RATIO, type EfficiencyRow } from "./scenarios.js";

export interface N80Result {
  row: EfficiencyRow;
  runs: number;
  oracleN80: number;
  /** candidate events by which 80% of runs decided right; null if not reached by the last look */
  n80: number | null;
  ratio: number | null;
  /** runs that reached the wrong decision at some look (before any right one) */
  wrong: number;
  /** share of runs decided right by each look */
  rightBy: number[];
  looks: number[];
}

/** Looks at candidate sizes growing by `step` from `first` to `last`. */
export function lookGrid(first: number, last: number, step = 1.1): number[] {
  const out: number[] = [];
  for (let n = first; n <= last; n = Math.ceil(n * step)) out.push(n);
  if (out.at(-1)! < last) out.push(last);
  return out;
}

const T0 = 1_700_000_000_000;

/** A declared look schedule: K looks at these candidate sizes, with this spending function. */
export interface Schedule {
  /** candidate sizes of every look asked, declared or not */
  looks: number[];
  /** looks declared (the first `declared` of `looks`) */
  declared: number;
  spending: SpendingFunction;
}

/**
 * Look `i` (0-based) of one simulated run of one gate: `evaluate` gets the gate's sequential context
 * when a schedule is declared, and the answer is recorded in the run's state as the judge records it.
 */
export function judgeLook(
  runs: SequentialRuns,
  gateName: string,
  i: number,
  schedule: Schedule | undefined,
  evaluate: (sequential: SequentialContext | undefined) => GateResult,
): GateResult {
  const design = schedule && { look: i + 1, looks: schedule.declared, spending: schedule.spending };
  const sequential = design && runs.contextFor("run", gateName, design);
  const r = evaluate(sequential);
  if (design && sequential) {
    const record = { ...design, observed: Object.fromEntries(sequential.observed) };
    // (the service prepares the next look ahead on idle turns: the answers are the same without it)
    runs.observe("run", { gates: { [gateName]: { ...r, sequential: record } } } as unknown as JudgeResponse);
  }
  return r;
}

/** First look index at which the gate decides in one run, and what it decided. */
function oneRun(
  row: EfficiencyRow,
  looks: number[],
  alpha: number,
  random: RandomSource,
  config: unknown,
  schedule?: Schedule,
): { look: number; verdict: "pass" | "fail" } | null {
  const gate = GATES[row.gate];
  const state = newState(3_600_000);
  const runs = new SequentialRuns();
  let n = 0;
  for (let i = 0; i < looks.length; i++) {
    for (; n < looks[i]; n++) {
      state.applyEvent(drawEvent(row.candidate, random, "candidate", T0, 1), T0);
      for (let j = 0; j < BASELINE_RATIO; j++) {
        state.applyEvent(drawEvent(row.baseline, random, "baseline", T0, 1), T0);
      }
    }
    const baseline = state.window("bench", "baseline", undefined, T0 + 1)!;
    const candidate = state.window("bench", "candidate", undefined, T0 + 1)!;
    const r = judgeLook(runs, row.gate, i, schedule, (sequential) =>
      (gate.evaluate as (i: unknown) => GateResult)({ baseline, candidate, config, alpha, sequential }),
    );
    if (r.verdict === "pass" || r.verdict === "fail") return { look: i, verdict: r.verdict };
  }
  return null;
}

export function oracleN80(row: EfficiencyRow, alpha: number): number {
  return "ksTolerance" in row.oracle
    ? ksEquivalenceN(row.oracle.ksTolerance, alpha, BASELINE_RATIO)
    : oracleN(row.oracle.effect, row.oracle.se1, alpha);
}

/**
 * The schedule a release engineer would declare for this row after `modelgate plan`: K equally spaced
 * looks, the last at the group-sequential design's maximum sample size for 80% power at the row's
 * effect (at the design's share of alpha), rounded up.
 */
export function plannedSchedule(
  row: EfficiencyRow,
  alpha: number,
  k: number,
  spending: SpendingFunction,
  power = 0.9,
): Schedule {
  if ("ksTolerance" in row.oracle) {
    const n = oracleN80(row, alpha);
    const looks = Array.from({ length: 2 * k }, (_, j) => Math.ceil((n * 1.3 * (j + 1)) / k));
    return { looks, declared: k, spending };
  }
  const fractions = Array.from({ length: k }, (_, j) => (j + 1) / k);
  const plan = planGroupSequential({
    alpha: (1 - RESERVE) * alpha * row.claimShare,
    spending,
    fractions,
    power,
    effect: row.oracle.effect,
  });
  const nMax = plan.maxInformation! * row.oracle.se1 ** 2;
  // Argo may keep asking after the declared looks (as many again here): only the reserve decides there
  return {
    looks: Array.from({ length: 2 * k }, (_, j) => Math.ceil((nMax * (j + 1)) / k)),
    declared: k,
    spending,
  };
}

export function measureN80(
  row: EfficiencyRow,
  opts: {
    runs: number;
    alpha: number;
    seed: number;
    maxFactor?: number;
    settings?: Record<string, unknown>;
    schedule?: Schedule;
  },
): N80Result {
  const oracle = oracleN80(row, opts.alpha);
  const looks =
    opts.schedule?.looks ?? lookGrid(Math.min(100, oracle), Math.ceil(oracle * (opts.maxFactor ?? 6)));
  const config = GATES[row.gate].parseConfig(opts.settings ?? {});
  const rightBy = new Array<number>(looks.length).fill(0);
  let wrong = 0;
  for (let run = 0; run < opts.runs; run++) {
    const d = oneRun(row, looks, opts.alpha, mulberry32(opts.seed + run * 7919), config, opts.schedule);
    if (!d) continue;
    if (d.verdict !== row.expect) wrong++;
    else rightBy[d.look]++;
  }
  let cumulative = 0;
  let n80: number | null = null;
  const shares: number[] = [];
  for (let i = 0; i < looks.length; i++) {
    cumulative += rightBy[i];
    shares.push(cumulative / opts.runs);
    if (n80 === null && cumulative >= 0.8 * opts.runs) n80 = looks[i];
  }
  return {
    row,
    runs: opts.runs,
    oracleN80: oracle,
    n80,
    ratio: n80 === null ? null : n80 / oracle,
    wrong,
    looks,
    rightBy: shares,
  };
}
