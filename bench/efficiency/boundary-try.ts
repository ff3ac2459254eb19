import type { GateResult } from "../../src/gates/gate.js";
import { GATES } from "../../src/gates/registry.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { SequentialRuns } from "../../src/judge/sequential-runs.js";
import { DEFAULT_LAYOUT } from "../../src/sketch/cohort-summary.js";
import { mulberry32 } from "../../src/stats/random.js";
import { CohortState } from "../../src/store/cohort-state.js";
import { drawEvent } from "../sim/analysis-run.js";
import { type ArmModel, baselineArm } from "../sim/world.js";
import { BASE_ERROR_RATE } from "./scenarios.js";

const gate = process.argv[2] as keyof typeof GATES;
const change = JSON.parse(process.argv[3] ?? "{}");
const mode = process.argv[4] ?? "av";
const runs = Number(process.argv[5] ?? 500);
const first = Number(process.argv[6] ?? 300);
const alpha = 0.01;
const base: ArmModel = { ...baselineArm(), errorRate: BASE_ERROR_RATE };
const cand: ArmModel = { ...base, ...change };
const config = GATES[gate].parseConfig({});
let fails = 0,
  passes = 0;
const t = Date.now();
for (let run = 0; run < runs; run++) {
  const random = mulberry32(5000 + run * 7919);
  const state = new CohortState({
    bucketMs: 3_600_000,
    retentionMs: 86_400_000,
    threshold: 0.5,
    layout: DEFAULT_LAYOUT,
    joinTtlMs: 60_000,
    joinMaxEntries: 1000,
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
  const seq = new SequentialRuns();
  let n = 0,
    f = false,
    p = false;
  for (let look = 1; look <= 20; look++) {
    const next = first * look;
    for (; n < next; n++) {
      state.applyEvent(drawEvent(cand, random, "candidate", 1, 1), 1);
      for (let j = 0; j < 9; j++) state.applyEvent(drawEvent(base, random, "baseline", 1, 1), 1);
    }
    const design = { look, looks: 10, spending: "obrien-fleming" as const };
    const ctx = mode === "gs" ? seq.contextFor("r", gate, design) : undefined;
    const r = (GATES[gate].evaluate as (i: unknown) => GateResult)({
      baseline: state.window("bench", "baseline", undefined, 2),
      candidate: state.window("bench", "candidate", undefined, 2),
      config,
      alpha,
      sequential: ctx,
    });
    if (ctx)
      seq.observe("r", {
        gates: { [gate]: { ...r, sequential: { ...design, observed: Object.fromEntries(ctx.observed) } } },
      } as unknown as JudgeResponse);
    if (r.verdict === "fail") f = true;
    if (r.verdict === "pass") p = true;
  }
  if (f) fails++;
  if (p) passes++;
}
console.log(
  `${gate} ${JSON.stringify(change)} ${mode} runs ${runs} looks 20×${first}: fail ${((100 * fails) / runs).toFixed(2)}% pass ${((100 * passes) / runs).toFixed(2)}% (α=${alpha}) ${((Date.now() - t) / 1000).toFixed(0)}s`,
);
