import { DEFAULT_N_STAR } from "../../stats/asymptotic-cs.js";
import { countSequentialPValue } from "../../stats/count-evalue.js";
import { parseNumberField } from "../config-parse.js";
import type { GateResult } from "../gate.js";
import { inconclusive, meanInterval, pairedN, pairingMetrics, type ShadowGate } from "./shadow-gate.js";

export interface ShadowErrorsConfig {
  /** largest tolerated increase of the error rate on the same requests; default 0.005 */
  maxIncrease: number;
  /** paired requests needed before the gate can pass; default 100 */
  minPairs: number;
  /** Beta-mixture concentration of the sequential test; small k catches a few errors; default 1 */
  k: number;
  tuningN: number;
}

const pct = (x: number) => `${(x * 100).toPrecision(3)}%`;

/**
 * Errors on the same requests: b = requests only the baseline failed, c = only the candidate failed
 * (requests both failed say nothing about the difference). increase = (c − b)/pairs.
 * - fail: the sequential McNemar test on (b, c) — the Lindon–Malek Beta mixture with shares [½, ½] and
 *   concentration k, anytime-valid because under "equal error rates" each discordant request is
 *   equally likely to be either's (REFERENCES §2.4) — gives p ≤ alpha, and the increase exceeds
 *   maxIncrease. A few candidate-only errors against none are enough.
 * - pass: minPairs pairs and the asymptotic confidence sequence on the per-request difference
 *   (values in {−1, 0, 1}, variance floored at 1/(n + 2) so no errors still has a width) has its upper
 *   bound ≤ maxIncrease.
 * - otherwise inconclusive. O(1).
 */
export const shadowErrorsGate: ShadowGate<ShadowErrorsConfig> = {
  name: "errors",
  settings: ["minSamples", "maxIncrease", "minPairs", "k", "tuningN"],
  parseConfig(raw) {
    const sharedMin = parseNumberField(raw, "minSamples", 100, { min: 1, integer: true });
    return {
      maxIncrease: parseNumberField(raw, "maxIncrease", 0.005, { min: 0, below: 1 }),
      minPairs: parseNumberField(raw, "minPairs", sharedMin, { min: 1, integer: true }),
      k: parseNumberField(raw, "k", 1, { above: 0 }),
      tuningN: parseNumberField(raw, "tuningN", DEFAULT_N_STAR, { min: 1 }),
    };
  },
  evaluate({ paired, config, alpha }): GateResult {
    const s = paired.summary;
    const n = s.pairs;
    const b = s.errorsOnlyBaseline;
    const c = s.errorsOnlyCandidate;
    if (n < 2)
      return inconclusive(
        "error_rate_increase",
        n,
        `${n} paired requests, needs ${config.minPairs}`,
        pairingMetrics(paired),
        config.maxIncrease,
      );
    const increase = (c - b) / n;
    const interval = meanInterval(n, increase, (b + c) / n, alpha, config.tuningN, 1 / (n + 2));
    const { pValue } = b + c > 0 ? countSequentialPValue([b, c], [0.5, 0.5], config.k) : { pValue: 1 };
    const metrics = {
      ...pairingMetrics(paired),
      errorsOnlyBaseline: b,
      errorsOnlyCandidate: c,
      errorsBoth: s.errorsBoth,
      baselineErrorRate: (b + s.errorsBoth) / n,
      candidateErrorRate: (c + s.errorsBoth) / n,
      increase,
      increaseLow: interval[0],
      increaseHigh: interval[1],
      sequentialPValue: pValue,
    };
    const rates = `candidate error rate ${pct(metrics.candidateErrorRate)} vs baseline ${pct(metrics.baselineErrorRate)} on the same ${n} requests (${c} failed only on the candidate, ${b} only on the baseline)`;
    const done = (verdict: GateResult["verdict"], reason: string): GateResult => ({
      verdict,
      metric: "error_rate_increase",
      value: increase,
      threshold: config.maxIncrease,
      interval,
      n: pairedN(n),
      reason,
      metrics,
    });
    if (pValue <= alpha && increase > config.maxIncrease) {
      return done(
        "fail",
        `${rates}: +${pct(increase)} exceeds the limit +${pct(config.maxIncrease)} (sequential McNemar p = ${pValue.toPrecision(2)})`,
      );
    }
    if (n < config.minPairs) return done("inconclusive", `${n} paired requests, needs ${config.minPairs}`);
    const ci = `anytime-valid increase ${pct(interval[0])} to ${pct(interval[1])}`;
    if (interval[1] <= config.maxIncrease)
      return done("pass", `${rates}; ${ci}, within +${pct(config.maxIncrease)}`);
    return done("inconclusive", `${rates}; ${ci} still reaches above +${pct(config.maxIncrease)}`);
  },
};
