import { describe, expect, it } from "vitest";
import { errorsGate } from "../../src/gates/errors.js";
import { latencyGate } from "../../src/gates/latency.js";
import { GATES } from "../../src/gates/registry.js";
import { lookKeyOf } from "../../src/judge/assembly.js";
import { JudgementHistory } from "../../src/judge/history.js";
import { runJudgement } from "../../src/judge/judge.js";
import { parseJudgeRequest } from "../../src/judge/request.js";
import { CohortSummary } from "../../src/sketch/cohort-summary.js";
import { gateRun, type Mode, monteCarloLimit } from "../gates/boundary-runs.js";
import { addErrors, addLatencies, countCohort, seeded } from "../gates/cohorts.js";
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

/**
 * Argo asked to look every second instead of every minute: the data the judge reads change once a
 * minute (a source's resolution, or a slow trickle of traffic), so sixty looks see the same cumulative
 * data, and with a declared schedule the look number runs far past the declared count.
 */
describe("Argo looking every second instead of every minute", () => {
  const now = 1_800_000_000_000;

  it("sixty looks on the same data give the first look's answer; nothing more is spent, only looks are counted", async () => {
    for (const looks of [undefined, "20"]) {
      const baseline = countCohort(5400, 108);
      const candidate = countCohort(600, 17);
      const source = memorySource({ "m/stable": baseline, "m/canary": candidate });
      const history = new JudgementHistory();
      const raw = {
        model: "m",
        baseline: "stable",
        candidate: "canary",
        gates: "errors",
        "errors.maxIncrease": "0",
        runKey: `every-second-${looks}`,
        ...(looks ? { looks } : {}),
      };
      const request = () => parseJudgeRequest(raw, { registry: GATES, now });
      const ask = () =>
        runJudgement(request(), {
          registry: GATES,
          sources: { memory: source },
          defaultSource: "memory",
          history,
          clock: () => now,
        });
      const first = await ask();
      for (let second = 2; second <= 60; second++) {
        const again = await ask();
        expect(again.judgement.look).toBe(second);
        expect(again.summary).toEqual(first.summary);
        const { sequential, ...answer } = again.gates.errors;
        const { sequential: firstSequential, ...firstAnswer } = first.gates.errors;
        expect(answer).toEqual(firstAnswer);
        if (looks) {
          // the same information: no look of the run is added, the first look's boundary is reused
          expect(sequential).toEqual({ ...firstSequential, look: second, observed: {} });
        } else expect(sequential).toBeUndefined();
      }
      // minute 2: more data at look 61, past the 20 declared, so the spending fraction is 1
      Object.assign(baseline, { events: 10_800, errors: 210 });
      Object.assign(candidate, { events: 1200, errors: 30 });
      const next = await ask();
      expect(next.judgement.look).toBe(61);
      if (looks) {
        expect(next.gates.errors.sequential?.observed.error?.fraction).toBe(1);
        const run = history.sequences.contextFor(lookKeyOf(request(), "canary"), "errors", {
          look: 62,
          looks: 20,
          spending: "obrien-fleming",
        });
        expect(run.history("error").map((l) => l.fraction)).toEqual([0.05, 1]);
      }
    }
  });

  // A/A at the errors gate's fail boundary (maxIncrease 0, 2% in both arms), 10% canary at 100 req/s:
  // 5,400 baseline and 600 candidate events a minute for 20 minutes, the schedule declaring 20 looks.
  // Looks 2–60 of each minute repeat its first look's answer (the test above), so each minute is judged
  // once, at the look number asking every second gives it (1, 61, 121, …). Allowance: alpha + 2
  // binomial sds at the run count (0.075 at 300 runs, 0.086 at 150).
  it.each([
    ["anytime", 300],
    ["declared", 150],
  ] as Array<[Mode, number]>)(
    "%s: the realised A/A false-fail rate stays ≤ alpha",
    (mode, runs) => {
      const config = errorsGate.parseConfig({ maxIncrease: "0" });
      let everySecond = 0;
      let everyMinute = 0;
      for (let run = 0; run < runs; run++) {
        const random = seeded(20_000 + run);
        const baseline = new CohortSummary();
        const candidate = new CohortSummary();
        const perSecond = gateRun(errorsGate, mode, "obrien-fleming", 20);
        const perMinute = mode === "anytime" ? gateRun(errorsGate, mode, "obrien-fleming", 20) : undefined;
        let failedSecond = false;
        let failedMinute = false;
        for (let minute = 1; minute <= 20; minute++) {
          addErrors(baseline, random, 5400, 0.02);
          addErrors(candidate, random, 600, 0.02);
          const input = { baseline, candidate, config, alpha: ALPHA };
          failedSecond ||= perSecond(input, 60 * (minute - 1) + 1).verdict === "fail";
          if (perMinute) failedMinute ||= perMinute(input, minute).verdict === "fail";
        }
        if (failedSecond) everySecond++;
        if (failedMinute) everyMinute++;
      }
      const limit = monteCarloLimit(ALPHA, runs);
      console.info(
        `A/A ${mode}, looks every second: false-fail ${everySecond / runs} over ${runs} runs (every minute: ${mode === "anytime" ? everyMinute / runs : "see test/gates/boundary-validity.test.ts"}; limit ${limit.toFixed(3)})`,
      );
      expect(everySecond / runs).toBeLessThanOrEqual(limit);
      // anytime-valid answers depend on the data alone: looking more often changes nothing
      if (mode === "anytime") expect(everySecond).toBe(everyMinute);
    },
    60_000,
  );
});
