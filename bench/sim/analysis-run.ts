/**
 * One simulated Argo analysis run: traffic arrives as a Poisson process at `rate` requests/s, each
 * request goes to the candidate with probability `candidateShare` (a 90/10 canary), and the judges
 * are asked at `looks` measurements `lookSeconds` apart over the cumulative window since the start.
 * Events go through the embedded store's own CohortState.applyEvent (60 s buckets), and every judge
 * reads the same cohort summaries (state.window) and the same per-10-second series.
 */

import type { PredictionEvent } from "../../src/ingest/event.js";
import { DEFAULT_LAYOUT } from "../../src/sketch/cohort-summary.js";
import { type RandomSource, randomNormal } from "../../src/stats/random.js";
import { CohortState } from "../../src/store/cohort-state.js";
import type { BenchJudge, GateKey } from "../judges/judge.js";
import { StepAccumulator } from "./steps.js";
import { type ArmModel, LATENCY_MEDIAN_MS, LATENCY_SIGMA, PREVALENCE, type Scenario } from "./world.js";

export interface RunOptions {
  /** requests per second, both arms together */
  rate: number;
  candidateShare: number;
  looks: number;
  lookSeconds: number;
  /** Kayenta's step */
  stepSeconds: number;
  /** share of events that carry their label */
  labelledShare: number;
}

export const DEFAULT_RUN: RunOptions = {
  rate: 100,
  candidateShare: 0.1,
  looks: 10,
  lookSeconds: 60,
  stepSeconds: 10,
  labelledShare: 0.5,
};

export interface JudgeTrace {
  /** first look at which the run fails, null if it never does */
  failLook: number | null;
  /** first look at which the judge says pass */
  passLook: number | null;
  /** modelgate: first look at which it says pass with the AUC gate optional */
  passAucOptionalLook: number | null;
  /** first look at which each gate fails on its own */
  gateFailLook: Partial<Record<GateKey, number | null>>;
  /** first look at which each gate passes on its own (judges with per-gate verdicts) */
  gatePassLook: Partial<Record<GateKey, number | null>>;
}

export interface RunTrace {
  /** candidate events in the window at each look (index 0 = look 1) */
  candidateEvents: number[];
  judges: JudgeTrace[];
}

// Bucket-aligned start (a multiple of 60 s) so that look k covers exactly k store buckets.
const T0 = 28_333_334 * 60_000;
const MODEL = "bench";
const GROUP_A = { group: "a" };
const GROUP_B = { group: "b" };
const LOG_MEDIAN = Math.log(LATENCY_MEDIAN_MS);

export function newState(bucketMs = 60_000): CohortState {
  return new CohortState({
    bucketMs,
    retentionMs: 86_400_000,
    threshold: 0.5,
    layout: DEFAULT_LAYOUT,
    joinTtlMs: 60_000,
    joinMaxEntries: 1_000,
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

/** One event of an arm (see world.ts for the model). */
export function drawEvent(
  arm: ArmModel,
  random: RandomSource,
  version: string,
  ts: number,
  labelledShare: number,
): PredictionEvent {
  const latencyMs = arm.latencyFactor * Math.exp(LOG_MEDIAN + LATENCY_SIGMA * randomNormal(random));
  const group = random() < 0.5 ? GROUP_A : GROUP_B;
  if (arm.errorRate > 0 && random() < arm.errorRate) {
    return { model: MODEL, version, ts, latencyMs, error: true, groups: group };
  }
  const label: 0 | 1 = random() < PREVALENCE ? 1 : 0;
  const latent = arm.labelNoise > 0 && random() < arm.labelNoise ? (random() < PREVALENCE ? 1 : 0) : label;
  const score = 1 / (1 + Math.exp(-randomNormal(random, latent * arm.separation + arm.shift, 1)));
  const e: PredictionEvent = { model: MODEL, version, ts, score, latencyMs, groups: group };
  if (random() < labelledShare) e.label = label;
  if (group === GROUP_B && arm.groupBKeep < 1) e.decision = score >= 0.5 && random() < arm.groupBKeep ? 1 : 0;
  return e;
}

/**
 * Simulate one run and ask every judge at every look. With `stopWhenAllFail`, the run ends once
 * every judge has failed it (A/B: later looks cannot change the detection figures).
 */
export function simulateRun(
  scenario: Scenario,
  judges: readonly BenchJudge[],
  random: RandomSource,
  opts: RunOptions = DEFAULT_RUN,
  stopWhenAllFail = false,
): RunTrace {
  const state = newState();
  for (const judge of judges) judge.startRun?.();
  const steps = { baseline: new StepAccumulator(), candidate: new StepAccumulator() };
  const traces: JudgeTrace[] = judges.map(() => ({
    failLook: null,
    passLook: null,
    passAucOptionalLook: null,
    gateFailLook: {},
    gatePassLook: {},
  }));
  const candidateEvents: number[] = [];
  let t = -Math.log(1 - random()) / opts.rate;
  let stepEnd = opts.stepSeconds;
  let candidates = 0;
  for (let look = 1; look <= opts.looks; look++) {
    const end = look * opts.lookSeconds;
    while (t < end) {
      while (t >= stepEnd) {
        steps.baseline.close();
        steps.candidate.close();
        stepEnd += opts.stepSeconds;
      }
      const isCandidate = random() < opts.candidateShare;
      const arm = isCandidate ? scenario.candidate : scenario.baseline;
      const ts = T0 + Math.floor(t * 1000);
      const e = drawEvent(arm, random, isCandidate ? "candidate" : "baseline", ts, opts.labelledShare);
      state.applyEvent(e, ts);
      (isCandidate ? steps.candidate : steps.baseline).add({
        score: e.score,
        latencyMs: e.latencyMs ?? 0,
        error: e.error === true,
        label: e.label,
        group: e.groups === GROUP_A ? "a" : "b",
        decision: e.decision,
      });
      if (isCandidate) candidates++;
      t += -Math.log(1 - random()) / opts.rate;
    }
    while (stepEnd <= end) {
      steps.baseline.close();
      steps.candidate.close();
      stepEnd += opts.stepSeconds;
    }
    candidateEvents.push(candidates);
    const to = T0 + end * 1000;
    const baseline = state.window(MODEL, "baseline", T0, to);
    const candidate = state.window(MODEL, "candidate", T0, to);
    if (!baseline || !candidate) continue; // no traffic yet in an arm: every judge waits
    const view = {
      index: look,
      final: look === opts.looks,
      baseline,
      candidate,
      steps: { baseline: steps.baseline.series, candidate: steps.candidate.series },
    };
    judges.forEach((judge, j) => {
      const trace = traces[j];
      const v = judge.judge(view);
      if (v.fail && trace.failLook === null) trace.failLook = look;
      if (v.pass && trace.passLook === null) trace.passLook = look;
      if (v.passAucOptional && trace.passAucOptionalLook === null) trace.passAucOptionalLook = look;
      for (const [g, failed] of Object.entries(v.gates) as [GateKey, boolean][]) {
        if (!(g in trace.gateFailLook)) trace.gateFailLook[g] = null;
        if (failed && trace.gateFailLook[g] === null) trace.gateFailLook[g] = look;
      }
      for (const [g, passed] of Object.entries(v.gatePass ?? {}) as [GateKey, boolean][]) {
        if (!(g in trace.gatePassLook)) trace.gatePassLook[g] = null;
        if (passed && trace.gatePassLook[g] === null) trace.gatePassLook[g] = look;
      }
    });
    if (stopWhenAllFail && traces.every((tr) => tr.failLook !== null)) break;
  }
  return { candidateEvents, judges: traces };
}
