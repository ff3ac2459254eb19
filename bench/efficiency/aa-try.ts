import { GATES } from "../../src/gates/registry.js";
import { DEFAULT_LAYOUT } from "../../src/sketch/cohort-summary.js";
import { mulberry32 } from "../../src/stats/random.js";
import { CohortState } from "../../src/store/cohort-state.js";
import { drawEvent } from "../sim/analysis-run.js";
import { type ArmModel, baselineArm } from "../sim/world.js";
import { lookGrid } from "./n80.js";
import { BASE_ERROR_RATE } from "./scenarios.js";

const gateName = process.argv[2] as keyof typeof GATES;
const runs = Number(process.argv[3] ?? 200);
const change = JSON.parse(process.argv[4] ?? "{}");
const last = Number(process.argv[5] ?? 20000);
const base: ArmModel = { ...baselineArm(), errorRate: BASE_ERROR_RATE };
const cand: ArmModel = { ...base, ...change };
const looks = lookGrid(100, last, 1.25);
const gate = GATES[gateName];
const config = gate.parseConfig({});
let fails = 0;
let passes = 0;
const t = Date.now();
for (let run = 0; run < runs; run++) {
  const random = mulberry32(1000 + run * 7919);
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
  let n = 0;
  let failed = false;
  let passed = false;
  for (const L of looks) {
    for (; n < L; n++) {
      state.applyEvent(drawEvent(cand, random, "candidate", 1, 1), 1);
      for (let j = 0; j < 9; j++) state.applyEvent(drawEvent(base, random, "baseline", 1, 1), 1);
    }
    const r = (gate.evaluate as any)({
      baseline: state.window("bench", "baseline", undefined, 2),
      candidate: state.window("bench", "candidate", undefined, 2),
      config,
      alpha: 0.01,
    });
    if (r.verdict === "fail") failed = true;
    if (r.verdict === "pass") passed = true;
  }
  if (failed) fails++;
  if (passed) passes++;
}
console.log(
  `${gateName} ${JSON.stringify(change)} runs ${runs} looks ${looks.length} (to ${last}): fail ${fails} (${((100 * fails) / runs).toFixed(1)}%), pass-at-some-look ${passes} (${((Date.now() - t) / 1000).toFixed(0)}s)`,
);
