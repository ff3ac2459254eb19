/**
 * Sample efficiency of one gate decision: simulate `runs` canaries of the row's world, ask the gate
 * (alone, at its share of alpha) at a geometric grid of looks, and report n80 — the smallest look
 * (candidate events) by which 80% of runs have reached the right decision — beside the oracle's.
 * Events go through the store's own CohortState, cumulative window, every event labelled.
 */
import { GATES } from "../../src/gates/registry.js";
import { DEFAULT_LAYOUT } from "../../src/sketch/cohort-summary.js";
import { mulberry32, type RandomSource } from "../../src/stats/random.js";
import { CohortState } from "../../src/store/cohort-state.js";
import { drawEvent } from "../sim/analysis-run.js";
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

function newState(): CohortState {
  return new CohortState({
    bucketMs: 3_600_000,
    retentionMs: 86_400_000,
    threshold: 0.5,
    layout: DEFAULT_LAYOUT,
    joinTtlMs: 60_000,
    joinMaxEntries: 1_000,
    pairing: false,
    limits: {
      maxModels: 10,
      maxVersionsPerModel: 10,
      maxGroupAttributes: 10,
      maxGroupValues: 100,
      maxFeatures: 10,
      maxCategories: 100,
    },
  });
}

/** First look index at which the gate decides in one run, and what it decided. */
function oneRun(
  row: EfficiencyRow,
  looks: number[],
  alpha: number,
  random: RandomSource,
  config: unknown,
): { look: number; verdict: "pass" | "fail" } | null {
  const gate = GATES[row.gate];
  const state = newState();
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
    const r = (gate.evaluate as (i: unknown) => { verdict: string })({ baseline, candidate, config, alpha });
    if (r.verdict === "pass" || r.verdict === "fail") return { look: i, verdict: r.verdict };
  }
  return null;
}

export function measureN80(
  row: EfficiencyRow,
  opts: { runs: number; alpha: number; seed: number; maxFactor?: number; settings?: Record<string, unknown> },
): N80Result {
  const oracleN80 =
    "ksTolerance" in row.oracle
      ? ksEquivalenceN(row.oracle.ksTolerance, opts.alpha, BASELINE_RATIO)
      : oracleN(row.oracle.effect, row.oracle.se1, opts.alpha);
  const looks = lookGrid(Math.min(100, oracleN80), Math.ceil(oracleN80 * (opts.maxFactor ?? 6)));
  const config = GATES[row.gate].parseConfig(opts.settings ?? {});
  const rightBy = new Array<number>(looks.length).fill(0);
  let wrong = 0;
  for (let run = 0; run < opts.runs; run++) {
    const d = oneRun(row, looks, opts.alpha, mulberry32(opts.seed + run * 7919), config);
    if (!d) continue;
    if (d.verdict !== row.expect) wrong++;
    else rightBy[d.look]++;
  }
  let cumulative = 0;
  let n80: number | null = null;
  for (let i = 0; i < looks.length; i++) {
    cumulative += rightBy[i];
    if (cumulative >= 0.8 * opts.runs) {
      n80 = looks[i];
      break;
    }
  }
  return { row, runs: opts.runs, oracleN80, n80, ratio: n80 === null ? null : n80 / oracleN80, wrong, looks };
}
