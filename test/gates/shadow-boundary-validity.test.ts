import { describe, expect, it } from "vitest";
import type { Verdict } from "../../src/gates/gate.js";
import { agreementGate } from "../../src/gates/shadow/agreement.js";
import { shadowErrorsGate } from "../../src/gates/shadow/errors.js";
import type { ShadowGate } from "../../src/gates/shadow/shadow-gate.js";
import { PairedSummary, type PairSide } from "../../src/shadow/paired-summary.js";
import { mulberry32, type RandomSource } from "../../src/stats/random.js";
import {
  ASKED_LOOKS,
  type EverRates,
  everRates,
  gateRun,
  type Mode,
  monteCarloLimit,
} from "./boundary-runs.js";

/**
 * Validity of the shadow gates' rate claims at their tolerance boundary (as boundary-validity.test.ts
 * for the canary gates): the truth sits exactly on the tolerance, so a fail and a pass are both wrong,
 * and each must be made in at most alpha of the runs over 20 looks, anytime-valid or with 10 looks
 * declared. Rates near 0 are where a bound whose variance comes from the observed rate goes wrong: a
 * run whose flips or errors came out few by chance then looks precise as well as low, and passes.
 */
const ALPHA = 0.05;
const none = { baseline: 0, candidate: 0 };

function check(label: string, mode: Mode, rates: EverRates): void {
  const limit = monteCarloLimit(ALPHA, rates.runs);
  console.info(
    `${label} ${mode}: ever fail ${rates.fail.toFixed(3)}, ever pass ${rates.pass.toFixed(3)} over ${rates.runs} runs × ${ASKED_LOOKS} looks (limit ${limit.toFixed(3)})`,
  );
  expect(rates.fail, `${label}: wrong fails`).toBeLessThanOrEqual(limit);
  expect(rates.pass, `${label}: wrong passes`).toBeLessThanOrEqual(limit);
  // not vacuous: at the boundary the declared schedule spends its alpha, so some run decides
  if (mode === "declared") expect(rates.fail + rates.pass).toBeGreaterThan(0);
}

/** `runs` runs of 20 looks, each look adding `perLook` pairs drawn by `pair`. */
function simulate<C>(
  gate: ShadowGate<C>,
  mode: Mode,
  runs: number,
  seed: number,
  perLook: number,
  pair: (random: RandomSource) => [PairSide, PairSide],
): EverRates {
  const config = gate.parseConfig({});
  return everRates(runs, (index) => {
    const random = mulberry32(seed + 7919 * index);
    const summary = new PairedSummary();
    const look = gateRun(gate, mode);
    const verdicts: Verdict[] = [];
    for (let k = 0; k < ASKED_LOOKS; k++) {
      for (let i = 0; i < perLook; i++) summary.addPair(...pair(random), 0);
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
    it(`${mode}: ${runs} runs`, () => {
      const rates = simulate(agreementGate, mode, runs, 31, 100, (random) => {
        const decision: 0 | 1 = random() < 0.4 ? 1 : 0;
        const flipped: 0 | 1 = random() < 0.05 ? ((1 - decision) as 0 | 1) : decision;
        return [{ decision }, { decision: flipped }];
      });
      check("agreement", mode, rates);
    });
  }
});

describe("shadow errors gate at an increase of maxIncrease (0.5% → 1.0% on the same requests), 500 … 10,000 pairs", () => {
  for (const [mode, runs] of modes(400, 300)) {
    it(`${mode}: ${runs} runs`, () => {
      const rates = simulate(shadowErrorsGate, mode, runs, 37, 500, (random) => {
        const side = (rate: number): PairSide => (random() < rate ? { error: true } : { decision: 1 });
        return [side(0.005), side(0.01)];
      });
      check("shadow errors", mode, rates);
    });
  }
});
