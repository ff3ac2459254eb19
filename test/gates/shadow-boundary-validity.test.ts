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

/**
 * One gate on its boundary: `runs` simulated runs per mode ([anytime, declared]), each look adding
 * `perLook` pairs drawn by `draw`; neither claim made in more than alpha of the runs.
 */
function atBoundary<C>(
  title: string,
  c: {
    label: string;
    gate: ShadowGate<C>;
    runs: [number, number];
    seed: number;
    perLook: number;
    draw: (random: RandomSource) => Pair | [PairSide, PairSide];
    settings?: Record<string, unknown>;
  },
): void {
  describe(title, () => {
    const modes: Array<[Mode, number]> = [
      ["anytime", c.runs[0]],
      ["declared", c.runs[1]],
    ];
    for (const [mode, runs] of modes) {
      it(
        `${mode}: ${runs} runs`,
        () => check(c.label, mode, simulate(c.gate, mode, runs, c.seed, c.perLook, c.draw, c.settings)),
        TIMEOUT,
      );
    }
  });
}

const flip = (decision: 0 | 1) => (1 - decision) as 0 | 1;

atBoundary("shadow agreement gate at flip rate = maxFlipRate (5%), 100 … 2,000 paired decisions", {
  label: "agreement",
  gate: agreementGate,
  runs: [1000, 600],
  seed: 31,
  perLook: 100,
  draw: (random) => {
    const decision: 0 | 1 = random() < 0.4 ? 1 : 0;
    return [{ decision }, { decision: random() < 0.05 ? flip(decision) : decision }];
  },
});

atBoundary(
  "shadow errors gate at an increase of maxIncrease (0.5% → 1.0% on the same requests), 500 … 10,000 pairs",
  {
    label: "shadow errors",
    gate: shadowErrorsGate,
    runs: [400, 300],
    seed: 37,
    perLook: 500,
    draw: (random) => {
      const side = (rate: number): PairSide => (random() < rate ? { error: true } : { decision: 1 });
      return [side(0.005), side(0.01)];
    },
  },
);

atBoundary(
  "shadow scores gate at a mean shift of maxMeanShift (+0.02, per-request sd 0.05), 100 … 2,000 pairs",
  {
    label: "shadow scores",
    gate: scoresGate,
    runs: [400, 200],
    seed: 41,
    perLook: 100,
    draw: (random) => {
      const score = 0.3 + 0.4 * random();
      return [{ score }, { score: score + randomNormal(random, 0.02, 0.05) }];
    },
  },
);

atBoundary(
  "shadow accuracy gate at a drop of maxAccuracyDrop (1%: 4% only the baseline right, 3% only the candidate), 200 … 4,000 labelled pairs",
  {
    label: "shadow accuracy",
    gate: accuracyGate,
    runs: [400, 200],
    seed: 43,
    perLook: 200,
    draw: (random) => {
      const label: 0 | 1 = random() < 0.3 ? 1 : 0;
      const wrong = flip(label);
      const u = random();
      // 80% both right, 13% both wrong, 4% only the baseline right, 3% only the candidate right
      const [b, c] =
        u < 0.8 ? [label, label] : u < 0.93 ? [wrong, wrong] : u < 0.97 ? [label, wrong] : [wrong, label];
      return { baseline: { decision: b }, candidate: { decision: c }, label };
    },
  },
);

atBoundary(
  "shadow fairness gate at a flip-rate gap of maxFlipRateGap (5% in region a against 3% in b), 200 … 4,000 pairs",
  {
    label: "shadow fairness",
    gate: shadowFairnessGate,
    runs: [400, 200],
    seed: 47,
    perLook: 200,
    draw: (random) => {
      const region = random() < 0.5 ? "a" : "b";
      const decision: 0 | 1 = random() < 0.5 ? 1 : 0;
      const flipped = random() < (region === "a" ? 0.05 : 0.03);
      return {
        baseline: { decision },
        candidate: { decision: flipped ? flip(decision) : decision },
        groups: { region },
      };
    },
  },
);

atBoundary(
  "shadow latency gate at a median increase of maxIncreaseMs (5 ms, per-request sd 20 ms), 100 … 2,000 pairs",
  {
    label: "shadow latency",
    gate: shadowLatencyGate,
    runs: [400, 400],
    seed: 53,
    perLook: 100,
    settings: { maxIncreaseMs: 5 },
    draw: (random) => {
      const latencyMs = 50 * Math.exp(randomNormal(random, 0, 0.5));
      return [{ latencyMs }, { latencyMs: latencyMs + randomNormal(random, 5, 20) }];
    },
  },
);
