import { parseNumberField } from "../config-parse.js";
import type { GateResult } from "../gate.js";
import { lowerBound, upperBound } from "../sequential.js";
import {
  inconclusive,
  pairedN,
  pairingMetrics,
  pct,
  rateAtTolerance,
  type ShadowGate,
} from "./shadow-gate.js";

export interface AgreementConfig {
  /** largest tolerated share of requests whose decision flips; default 0.05 */
  maxFlipRate: number;
  /** paired decisions needed before the gate can pass; default 200 */
  minPairs: number;
}

/** Smallest flip-rate scale the sequence is tuned to (a tolerance of 0 would put the optimum at ∞). */
const MIN_SCALE = 0.005;

/**
 * Decision agreement of the two versions on the same requests. flipRate = (flipsUp + flipsDown)/decided
 * is one contrast (the Bernoulli "decision flipped", with the variance at maxFlipRate, where both of
 * its claims sit: a score test, shadow-gate.ts rateAtTolerance) bounded by the shared decision
 * engine (src/gates/sequential.ts: anytime-valid, or group-sequential over a declared look
 * schedule), tuned at maxFlipRate.
 * - fail: the lower bound > maxFlipRate, at the gate's alpha (the gate's only fail claim);
 * - pass: minPairs paired decisions and the upper bound ≤ maxFlipRate, at the gate's alpha;
 * - otherwise inconclusive. O(1).
 */
export const agreementGate: ShadowGate<AgreementConfig> = {
  name: "agreement",
  settings: ["minSamples", "maxFlipRate", "minPairs"],
  parseConfig(raw) {
    const sharedMin = parseNumberField(raw, "minSamples", 200, { min: 1, integer: true });
    return {
      maxFlipRate: parseNumberField(raw, "maxFlipRate", 0.05, { min: 0, below: 1 }),
      minPairs: parseNumberField(raw, "minPairs", sharedMin, { min: 1, integer: true }),
    };
  },
  evaluate({ paired, config, alpha, sequential }): GateResult {
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
    const rate = rateAtTolerance(flips, n, config.maxFlipRate);
    const flipRate = rate.estimate;
    const scale = Math.max(config.maxFlipRate, MIN_SCALE);
    const sequence = { context: sequential, key: "flipRate" };
    const interval: [number, number] = [
      Math.max(0, lowerBound(rate, alpha, scale, sequence)),
      Math.min(1, upperBound(rate, alpha, scale, sequence)),
    ];
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
