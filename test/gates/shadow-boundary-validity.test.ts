import { describe, it } from "vitest";
import type { Verdict } from "../../src/gates/gate.js";
import { accuracyGate } from "../../src/gates/shadow/accuracy.js";
import { agreementGate } from "../../src/gates/shadow/agreement.js";
import { shadowErrorsGate } from "../../src/gates/shadow/errors.js";
import { shadowFairnessGate } from "../../src/gates/shadow/fairness.js";
import { shadowLatencyGate } from "../../src/gates/shadow/latency.js";
import { scoresGate } from "../../src/gates/shadow/scores.js";
import type { ShadowGate } from "../../src/gates/shadow/shadow-gate.js";
import { PairedSummary, type PairSide } from "../../src/shadow/paired-summary.js";
import { mulberry32, type RandomSource, randomNormal } from "../../src/stats/random.js";
import {
  ASKED_LOOKS,
  checkWrongClaims,
  type EverRates,
  everRates,
  gateRun,
  type Mode,
} from "./boundary-runs.js";

/**
 * Validity of the shadow gates' rate claims at their tolerance boundary (as boundary-validity.test.ts
 * for the canary gates): the truth sits exactly on the tolerance, so a fail and a pass are both wrong,
 * and each must be made in at most alpha of the runs over 20 looks, anytime-valid or with 10 looks
 * declared. Rates near 0 are where a bound whose variance comes from the observed rate goes wrong: a
 * run whose flips or errors came out few by chance then looks precise as well as low, and passes.
 */
const ALPHA = 0.05;
/** A declared schedule integrates at every look of every contrast: the slowest runs take ~30 s on CI. */
const TIMEOUT = 180_000;
const none = { baseline: 0, candidate: 0 };

/** At the boundary both claims are wrong. */
const check = (label: string, mode: Mode, rates: EverRates) =>
  checkWrongClaims(label, mode, rates, ["fail", "pass"], ALPHA);

/** One simulated request answered by both versions: the two answers, its label, its groups. */
interface Pair {
  baseline: PairSide;
  candidate: PairSide;
  label?: 0 | 1;
  groups?: Record<string, string>;
}

/** `runs` runs of 20 looks, each look adding `perLook` pairs drawn by `pair`. */
function simulate<C>(
  gate: ShadowGate<C>,
  mode: Mode,
  runs: number,
  seed: number,
  perLook: number,
  draw: (random: RandomSource) => Pair | [PairSide, PairSide],
  settings: Record<string, unknown> = {},
): EverRates {
  const config = gate.parseConfig(settings);
  return everRates(runs, (index) => {
    const random = mulberry32(seed + 7919 * index);
    const summary = new PairedSummary();
    const look = gateRun(gate, mode);
    const verdicts: Verdict[] = [];
    for (let k = 0; k < ASKED_LOOKS; k++) {
      for (let i = 0; i < perLook; i++) {
        const d = draw(random);
        const p = Array.isArray(d) ? { baseline: d[0], candidate: d[1] } : d;
        summary.addPair(p.baseline, p.candidate, 0, p.groups);
        if (p.label !== undefined) summary.addLabel(p.baseline, p.candidate, p.label);
      }
      verdicts.push(
        look({ paired: { summary, unpaired: none, pending: none }, config, alpha: ALPHA }).verdict,
      );
    }
    return verdicts;
  });
}

/** Runs per mode: [anytime, declared]. */
const modes = (anytime: number, declared: number): Array<[Mode, number]> => [
  ["anytime", anytime],
  ["declared", declared],
];

describe("shadow agreement gate at flip rate = maxFlipRate (5%), 100 … 2,000 paired decisions", () => {
  for (const [mode, runs] of modes(1000, 600)) {
    it(
      `${mode}: ${runs} runs`,
      () => {
        const rates = simulate(agreementGate, mode, runs, 31, 100, (random) => {
          const decision: 0 | 1 = random() < 0.4 ? 1 : 0;
          const flipped: 0 | 1 = random() < 0.05 ? ((1 - decision) as 0 | 1) : decision;
          return [{ decision }, { decision: flipped }];
        });
        check("agreement", mode, rates);
      },
      TIMEOUT,
    );
  }
});

describe("shadow errors gate at an increase of maxIncrease (0.5% → 1.0% on the same requests), 500 … 10,000 pairs", () => {
  for (const [mode, runs] of modes(400, 300)) {
    it(
      `${mode}: ${runs} runs`,
      () => {
        const rates = simulate(shadowErrorsGate, mode, runs, 37, 500, (random) => {
          const side = (rate: number): PairSide => (random() < rate ? { error: true } : { decision: 1 });
          return [side(0.005), side(0.01)];
        });
        check("shadow errors", mode, rates);
      },
      TIMEOUT,
    );
  }
});

describe("shadow scores gate at a mean shift of maxMeanShift (+0.02, per-request sd 0.05), 100 … 2,000 pairs", () => {
  for (const [mode, runs] of modes(400, 200)) {
    it(
      `${mode}: ${runs} runs`,
      () => {
        const rates = simulate(scoresGate, mode, runs, 41, 100, (random) => {
          const score = 0.3 + 0.4 * random();
          return [{ score }, { score: score + randomNormal(random, 0.02, 0.05) }];
        });
        check("shadow scores", mode, rates);
      },
      TIMEOUT,
    );
  }
});

describe("shadow accuracy gate at a drop of maxAccuracyDrop (1%: 4% only the baseline right, 3% only the candidate), 200 … 4,000 labelled pairs", () => {
  for (const [mode, runs] of modes(400, 200)) {
    it(
      `${mode}: ${runs} runs`,
      () => {
        const rates = simulate(accuracyGate, mode, runs, 43, 200, (random) => {
          const label: 0 | 1 = random() < 0.3 ? 1 : 0;
          const wrong = (1 - label) as 0 | 1;
          const u = random();
          // 80% both right, 13% both wrong, 4% only the baseline right, 3% only the candidate right
          const [b, c] =
            u < 0.8 ? [label, label] : u < 0.93 ? [wrong, wrong] : u < 0.97 ? [label, wrong] : [wrong, label];
          return { baseline: { decision: b }, candidate: { decision: c }, label };
        });
        check("shadow accuracy", mode, rates);
      },
      TIMEOUT,
    );
  }
});

describe("shadow fairness gate at a flip-rate gap of maxFlipRateGap (5% in region a against 3% in b), 200 … 4,000 pairs", () => {
  for (const [mode, runs] of modes(400, 200)) {
    it(
      `${mode}: ${runs} runs`,
      () => {
        const rates = simulate(shadowFairnessGate, mode, runs, 47, 200, (random) => {
          const region = random() < 0.5 ? "a" : "b";
          const decision: 0 | 1 = random() < 0.5 ? 1 : 0;
          const flip = random() < (region === "a" ? 0.05 : 0.03);
          return {
            baseline: { decision },
            candidate: { decision: flip ? ((1 - decision) as 0 | 1) : decision },
            groups: { region },
          };
        });
        check("shadow fairness", mode, rates);
      },
      TIMEOUT,
    );
  }
});

describe("shadow latency gate at a median increase of maxIncreaseMs (5 ms, per-request sd 20 ms), 100 … 2,000 pairs", () => {
  for (const [mode, runs] of modes(400, 400)) {
    it(
      `${mode}: ${runs} runs`,
      () => {
        const rates = simulate(
          shadowLatencyGate,
          mode,
          runs,
          53,
          100,
          (random) => {
            const latencyMs = 50 * Math.exp(randomNormal(random, 0, 0.5));
            return [{ latencyMs }, { latencyMs: latencyMs + randomNormal(random, 5, 20) }];
          },
          { maxIncreaseMs: 5 },
        );
        check("shadow latency", mode, rates);
      },
      TIMEOUT,
    );
  }
});
