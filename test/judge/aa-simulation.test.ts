import { describe, expect, it } from "vitest";
import { errorsGate } from "../../src/gates/errors.js";
import { latencyGate } from "../../src/gates/latency.js";
import { GATES } from "../../src/gates/registry.js";
import { JudgementHistory } from "../../src/judge/history.js";
import { runJudgement } from "../../src/judge/judge.js";
import { parseJudgeRequest } from "../../src/judge/request.js";
import { CohortSummary } from "../../src/sketch/cohort-summary.js";
import { addErrors, addLatencies, seeded } from "../gates/cohorts.js";
import { memorySource } from "./memory-source.js";

/**
 * The repeated-looks guarantee, simulated: 200 A/A runs (baseline and candidate identical in
 * distribution), each judged at 10 growing looks like Argo's `count: 10`. A run "falsely fails" if
 * any look fails. Anytime-valid decisions keep that fraction ≤ alpha; a fixed-alpha test re-run at
 * every look would not (Netflix saw 66/100 with Mann–Whitney). Slack: 3 binomial standard errors.
 */
const RUNS = 200;
const LOOKS = 10;
const ALPHA = 0.05;
const SLACK = 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / RUNS);

function bernoulli(random: () => number, n: number, rate: number): number {
  let x = 0;
  for (let i = 0; i < n; i++) if (random() < rate) x++;
  return x;
}

describe("A/A simulation: 200 runs × 10 looks", () => {
  it(`latency gate false-fail rate ≤ ${ALPHA} + slack`, () => {
    const config = latencyGate.parseConfig({ minSamples: 100 });
    let everFailed = 0;
    let passedAtLastLook = 0;
    for (let run = 0; run < RUNS; run++) {
      const random = seeded(1000 + run);
      const baseline = new CohortSummary();
      const candidate = new CohortSummary();
      let failed = false;
      let last = "";
      for (let look = 1; look <= LOOKS; look++) {
        // 10% canary: 900 baseline and 100 candidate requests between looks, heavy-ish tail
        addLatencies(baseline, random, 900, { sigma: 0.6 });
        addLatencies(candidate, random, 100, { sigma: 0.6 });
        last = latencyGate.evaluate({ baseline, candidate, config, alpha: ALPHA }).verdict;
        if (last === "fail") failed = true;
      }
      if (failed) everFailed++;
      if (last === "pass") passedAtLastLook++;
    }
    expect(everFailed / RUNS).toBeLessThanOrEqual(ALPHA + SLACK);
    // not vacuous: an identical candidate is already passed in some runs by the 10th look (1000 canary samples)
    expect(passedAtLastLook).toBeGreaterThan(0);
  });

  it(`errors gate false-fail rate ≤ ${ALPHA} + slack, even with no tolerance (maxIncrease 0)`, () => {
    const config = errorsGate.parseConfig({ maxIncrease: "0", minSamples: 100 });
    let everFailed = 0;
    for (let run = 0; run < RUNS; run++) {
      const random = seeded(5000 + run);
      const baseline = new CohortSummary();
      const candidate = new CohortSummary();
      let failed = false;
      for (let look = 1; look <= LOOKS; look++) {
        addErrors(baseline, random, 900, 0.02);
        addErrors(candidate, random, 100, 0.02);
        if (errorsGate.evaluate({ baseline, candidate, config, alpha: ALPHA }).verdict === "fail")
          failed = true;
      }
      if (failed) everFailed++;
    }
    expect(everFailed / RUNS).toBeLessThanOrEqual(ALPHA + SLACK);
  });

  it("the same errors data re-tested at every look with a fixed-alpha z-test fails far more often", () => {
    // control: shows the simulation can detect peeking inflation, so the bounds above are not vacuous
    let everFailed = 0;
    for (let run = 0; run < RUNS; run++) {
      const random = seeded(5000 + run);
      const baseline = new CohortSummary();
      const candidate = new CohortSummary();
      let failed = false;
      for (let look = 1; look <= LOOKS; look++) {
        addErrors(baseline, random, 900, 0.02);
        addErrors(candidate, random, 100, 0.02);
        const p1 = baseline.errors / baseline.events;
        const p2 = candidate.errors / candidate.events;
        const pooled = (baseline.errors + candidate.errors) / (baseline.events + candidate.events);
        const se = Math.sqrt(pooled * (1 - pooled) * (1 / baseline.events + 1 / candidate.events));
        // one-sided 5%: candidate worse
        if (se > 0 && (p2 - p1) / se > 1.6449) failed = true;
      }
      if (failed) everFailed++;
    }
    expect(everFailed / RUNS).toBeGreaterThan(0.1);
  });

  it("the whole judge (latency + errors, alpha split, one runKey per run) never exceeds alpha + slack", async () => {
    let everFailed = 0;
    const history = new JudgementHistory();
    for (let run = 0; run < RUNS; run++) {
      const random = seeded(9000 + run);
      const baseline = new CohortSummary();
      const candidate = new CohortSummary();
      const source = memorySource({ "m/stable": baseline, "m/canary": candidate });
      let failed = false;
      for (let look = 1; look <= LOOKS; look++) {
        addLatencies(baseline, random, 900, { sigma: 0.6 });
        addLatencies(candidate, random, 100, { sigma: 0.6 });
        // the same 2% error rate in both arms, on the events the latency samples made
        baseline.errors += bernoulli(random, 900, 0.02);
        candidate.errors += bernoulli(random, 100, 0.02);
        const raw = {
          model: "m",
          baseline: "stable",
          candidate: "canary",
          gates: "latency,errors",
          runKey: `run-${run}`,
        };
        const request = parseJudgeRequest(raw, { registry: GATES, now: 1_800_000_000_000 });
        const answer = await runJudgement(request, {
          registry: GATES,
          sources: { memory: source },
          defaultSource: "memory",
          history,
          clock: () => 1_800_000_000_000,
        });
        expect(answer.judgement.look).toBe(look);
        if (answer.summary.verdict === "fail") failed = true;
      }
      if (failed) everFailed++;
    }
    expect(everFailed / RUNS).toBeLessThanOrEqual(ALPHA + SLACK);
  });
});
