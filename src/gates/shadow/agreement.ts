import { DEFAULT_N_STAR } from "../../stats/asymptotic-cs.js";
import { parseNumberField } from "../config-parse.js";
import type { GateResult } from "../gate.js";
import { rateInterval } from "../group-intervals.js";
import { inconclusive, pairedN, pairingMetrics, pct, type ShadowGate } from "./shadow-gate.js";

export interface AgreementConfig {
  /** largest tolerated share of requests whose decision flips; default 0.05 */
  maxFlipRate: number;
  /** paired decisions needed before the gate can pass; default 200 */
  minPairs: number;
  tuningN: number;
}

/**
 * Decision agreement of the two versions on the same requests. flipRate = (flipsUp + flipsDown)/decided
 * with its anytime-valid interval (asymptotic confidence sequence on the Bernoulli "decision flipped",
 * Laplace-smoothed variance so that zero flips still give a width).
 * - fail: the interval's lower bound > maxFlipRate;
 * - pass: minPairs paired decisions and the upper bound ≤ maxFlipRate;
 * - otherwise inconclusive. O(1).
 */
export const agreementGate: ShadowGate<AgreementConfig> = {
  name: "agreement",
  settings: ["minSamples", "maxFlipRate", "minPairs", "tuningN"],
  parseConfig(raw) {
    const sharedMin = parseNumberField(raw, "minSamples", 200, { min: 1, integer: true });
    return {
      maxFlipRate: parseNumberField(raw, "maxFlipRate", 0.05, { min: 0, below: 1 }),
      minPairs: parseNumberField(raw, "minPairs", sharedMin, { min: 1, integer: true }),
      tuningN: parseNumberField(raw, "tuningN", DEFAULT_N_STAR, { min: 1 }),
    };
  },
  evaluate({ paired, config, alpha }): GateResult {
    const s = paired.summary;
    const n = s.decided;
    const flips = s.flipsUp + s.flipsDown;
    const base = { ...pairingMetrics(paired), decided: n, flipsUp: s.flipsUp, flipsDown: s.flipsDown };
    if (n === 0) {
      return inconclusive(
        "flip_rate",
        0,
        `no paired decisions yet (${s.pairs} pairs; ${paired.unpaired.baseline + paired.unpaired.candidate} answers expired unpaired): are both versions sending events with the same id?`,
        base,
        config.maxFlipRate,
      );
    }
    const flipRate = flips / n;
    const interval = rateInterval(flips, n, alpha, config.tuningN);
    const metrics = {
      ...base,
      agreementRate: 1 - flipRate,
      flipRate,
      flipRateLow: interval[0],
      flipRateHigh: interval[1],
    };
    const values = `${pct(flipRate)} of ${n} paired decisions flipped (agreement ${pct(1 - flipRate)}, anytime-valid flip rate ${pct(interval[0])} to ${pct(interval[1])})`;
    const done = (verdict: GateResult["verdict"], reason: string): GateResult => ({
      verdict,
      metric: "flip_rate",
      value: flipRate,
      threshold: config.maxFlipRate,
      interval,
      n: pairedN(n),
      reason,
      metrics,
    });
    if (interval[0] > config.maxFlipRate)
      return done("fail", `${values}: above the tolerated ${pct(config.maxFlipRate)}`);
    if (n < config.minPairs) return done("inconclusive", `${n} paired decisions, needs ${config.minPairs}`);
    if (interval[1] <= config.maxFlipRate)
      return done("pass", `${values}: within ${pct(config.maxFlipRate)}`);
    return done("inconclusive", `${values}: the interval still reaches above ${pct(config.maxFlipRate)}`);
  },
};
