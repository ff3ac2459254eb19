/**
 * Judgement quality: A/A false-fail rates and A/B detection power of every judge on the same
 * simulated analysis runs (bench/sim), with Wilson 95% intervals on the rates.
 */
import { quantile } from "../src/stats/quantile.js";
import { mulberry32 } from "../src/stats/random.js";
import { wilsonInterval } from "../src/stats/wilson.js";
import type { BenchJudge, GateKey } from "./judges/judge.js";
import { DEFAULT_RUN, type RunOptions, type RunTrace, simulateRun } from "./sim/analysis-run.js";
import { type Scenario, scenarios } from "./sim/world.js";

export interface Rate {
  count: number;
  runs: number;
  rate: number;
  interval: [number, number];
}

export interface AaJudgeResult {
  judge: string;
  fail: Rate;
  gates: Partial<Record<GateKey, Rate>>;
  /** runs the judge passed at some look (modelgate: the verdict Argo's successCondition reads) */
  pass: Rate;
  /** modelgate: runs passed at some look with the AUC gate optional */
  passAucOptional: Rate;
  /** per gate: runs in which the gate passed at some look (judges with per-gate verdicts) */
  gatePass: Partial<Record<GateKey, Rate>>;
  /** runs passed by each look (index 0 = by look 1) */
  passBy: Rate[];
}

export interface AbJudgeResult {
  judge: string;
  detected: Rate;
  /** median look (1-based) and candidate events at detection, among detected runs */
  medianLook: number | null;
  medianEvents: number | null;
  /** median canary events at the look by which 80% of runs had failed (null: fewer than 80% ever did) */
  n80: number | null;
}

export interface QualityResult {
  run: RunOptions;
  aaRuns: number;
  abRuns: number;
  gates: Record<string, readonly GateKey[]>;
  aa: AaJudgeResult[];
  ab: Array<{ scenario: Scenario; judges: AbJudgeResult[] }>;
  seconds: number;
}

const rate = (count: number, runs: number): Rate => ({
  count,
  runs,
  rate: runs > 0 ? count / runs : 0,
  interval: runs > 0 ? wilsonInterval(count, runs) : [0, 1],
});

const median = (xs: number[]) => (xs.length > 0 ? quantile(xs, 0.5) : null);

function runMany(
  scenario: Scenario,
  judges: () => BenchJudge[],
  runs: number,
  seed: number,
  opts: RunOptions,
  stop: boolean,
  progress: (done: number) => void,
): RunTrace[] {
  const traces: RunTrace[] = [];
  const js = judges();
  for (let i = 0; i < runs; i++) {
    traces.push(simulateRun(scenario, js, mulberry32(seed + i * 7919), opts, stop));
    if ((i + 1) % 50 === 0) progress(i + 1);
  }
  return traces;
}

export function runQuality(opts: {
  judges: () => BenchJudge[];
  aaRuns: number;
  abRuns: number;
  run?: RunOptions;
  seed?: number;
  /** A/B scenarios to run (default all) */
  only?: (s: Scenario) => boolean;
  log?: (line: string) => void;
}): QualityResult {
  const start = performance.now();
  const run = opts.run ?? DEFAULT_RUN;
  const seed = opts.seed ?? 20_261_125;
  const log = opts.log ?? (() => {});
  const { aa, ab: all } = scenarios();
  const ab = opts.only ? all.filter(opts.only) : all;
  const names = opts.judges().map((j) => j.name);
  const gates = Object.fromEntries(opts.judges().map((j) => [j.name, j.gates]));

  log(`quality at ${run.rate} req/s: A/A × ${opts.aaRuns} runs`);
  const aaTraces = runMany(aa, opts.judges, opts.aaRuns, seed, run, false, (d) =>
    log(`  A/A ${d}/${opts.aaRuns}`),
  );
  const aaResults: AaJudgeResult[] = names.map((judge, j) => {
    const perGate: AaJudgeResult["gates"] = {};
    const gatePass: AaJudgeResult["gatePass"] = {};
    for (const g of gates[judge]) {
      perGate[g] = rate(
        aaTraces.filter((t) => (t.judges[j].gateFailLook[g] ?? null) !== null).length,
        aaTraces.length,
      );
      if (aaTraces.some((t) => g in t.judges[j].gatePassLook)) {
        gatePass[g] = rate(
          aaTraces.filter((t) => (t.judges[j].gatePassLook[g] ?? null) !== null).length,
          aaTraces.length,
        );
      }
    }
    return {
      judge,
      fail: rate(aaTraces.filter((t) => t.judges[j].failLook !== null).length, aaTraces.length),
      gates: perGate,
      pass: rate(aaTraces.filter((t) => t.judges[j].passLook !== null).length, aaTraces.length),
      passAucOptional: rate(
        aaTraces.filter((t) => t.judges[j].passAucOptionalLook !== null).length,
        aaTraces.length,
      ),
      gatePass,
      passBy: Array.from({ length: run.looks }, (_, l) =>
        rate(
          aaTraces.filter((t) => t.judges[j].passLook !== null && (t.judges[j].passLook as number) <= l + 1)
            .length,
          aaTraces.length,
        ),
      ),
    };
  });

  const abResults: QualityResult["ab"] = [];
  ab.forEach((scenario, s) => {
    log(`quality: ${scenario.label} × ${opts.abRuns} runs`);
    const traces = runMany(
      scenario,
      opts.judges,
      opts.abRuns,
      seed + (s + 1) * 1_000_003,
      run,
      true,
      () => {},
    );
    abResults.push({
      scenario,
      judges: names.map((judge, j) => {
        const hits = traces.filter((t) => t.judges[j].failLook !== null);
        const looks = hits.map((t) => t.judges[j].failLook as number);
        const events = hits.map((t) => t.candidateEvents[(t.judges[j].failLook as number) - 1]);
        let n80: number | null = null;
        for (let l = 1; l <= run.looks && n80 === null; l++) {
          if (looks.filter((x) => x <= l).length >= 0.8 * traces.length) {
            n80 = median(
              traces.filter((t) => t.candidateEvents.length >= l).map((t) => t.candidateEvents[l - 1]),
            );
          }
        }
        return {
          judge,
          detected: rate(hits.length, traces.length),
          medianLook: median(looks),
          medianEvents: median(events),
          n80,
        };
      }),
    });
  });
  return {
    run,
    aaRuns: opts.aaRuns,
    abRuns: opts.abRuns,
    gates,
    aa: aaResults,
    ab: abResults,
    seconds: (performance.now() - start) / 1000,
  };
}
