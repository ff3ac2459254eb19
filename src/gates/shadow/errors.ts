import { countRateRatioInterval, countSequentialPValue } from "../../stats/count-evalue.js";
import { parseNumberField } from "../config-parse.js";
import type { GateResult } from "../gate.js";
import { lowerBound, upperBound } from "../sequential.js";
import { inconclusive, pairedMean, pairedN, pairingMetrics, type ShadowGate } from "./shadow-gate.js";

export interface ShadowErrorsConfig {
  /** largest tolerated increase of the error rate on the same requests; default 0.005 */
  maxIncrease: number;
  /**
   * ratio of the requests only the candidate failed to those only the baseline failed that the count
   * test must prove exceeded before a spike fails the gate; default 2, as the canary errors gate's
   */
  maxRatio: number;
  /** paired requests needed before the gate can pass; default 100 */
  minPairs: number;
  /** Beta-mixture concentration of the sequential test; small k catches a few errors; default 1 */
  k: number;
}

const pct = (x: number) => `${(x * 100).toPrecision(3)}%`;

/** Share of the gate's fail alpha for the increase claim; the spike claim gets the rest. */
const DIFFERENCE_SHARE = 0.8;
/** Smallest rate scale the sequences are tuned to (a tolerance of 0 would put the optimum at ∞). */
const MIN_SCALE = 0.001;

/**
 * Errors on the same requests: b = requests only the baseline failed, c = only the candidate failed
 * (requests both failed say nothing about the difference). increase = (c − b)/pairs is the mean of
 * per-request values in {−1, 0, 1}, one contrast (pairedMean: variance (b + c)/n − increase², floored
 * at 1/(n + 2) so no errors still has a width) bounded by the shared decision engine
 * (src/gates/sequential.ts), tuned at maxIncrease. Two fail claims split the gate's alpha 80/20:
 * - the increase is beyond tolerance: the lower bound > maxIncrease (at 80%); or
 * - a spike: the confidence sequence for the ratio c/b of the discordant rates — inverting the
 *   Lindon–Malek count e-value over "which version did the next discordant request fail", prior shares
 *   [½, ½] and concentration k, exact because each discordant request is the candidate's with a fixed
 *   probability — has its lower bound above maxRatio (at 20%), and the observed increase exceeds
 *   maxIncrease. This claim is anytime-valid only: it has no group-sequential part, so a declared
 *   look schedule sharpens the increase claim alone. The count test needs no variance estimate, so a few candidate-only errors against
 *   none are enough; what it proves is "the candidate alone fails more than maxRatio times as often as
 *   the baseline alone", a statement of its own (as the canary errors gate's spike claim), not that the
 *   increase is beyond maxIncrease.
 * Reported beside them: the sequential McNemar p-value of "equal error rates" (the same e-value at
 * θ = ½), anytime-valid.
 * - pass: minPairs pairs and the upper bound ≤ maxIncrease, at the gate's alpha;
 * - otherwise inconclusive. O(1).
 */
export const shadowErrorsGate: ShadowGate<ShadowErrorsConfig> = {
  name: "errors",
  settings: ["minSamples", "maxIncrease", "maxRatio", "minPairs", "k"],
  parseConfig(raw) {
    const sharedMin = parseNumberField(raw, "minSamples", 100, { min: 1, integer: true });
    return {
      maxIncrease: parseNumberField(raw, "maxIncrease", 0.005, { min: 0, below: 1 }),
      maxRatio: parseNumberField(raw, "maxRatio", 2, { min: 1 }),
      minPairs: parseNumberField(raw, "minPairs", sharedMin, { min: 1, integer: true }),
      k: parseNumberField(raw, "k", 1, { above: 0 }),
    };
  },
  evaluate({ paired, config, alpha, sequential }): GateResult {
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
    // per-request values in {−1, 0, 1}: Σx = c − b, Σx² = b + c
    const contrast = pairedMean(n, c - b, b + c, 1);
    const increase = contrast.estimate;
    const scale = Math.max(config.maxIncrease, MIN_SCALE);
    const sequence = { context: sequential, key: "increase" };
    const interval: [number, number] = [
      Math.max(-1, lowerBound(contrast, alpha * DIFFERENCE_SHARE, scale, sequence)),
      Math.min(1, upperBound(contrast, alpha, scale, sequence)),
    ];
    const { pValue } = b + c > 0 ? countSequentialPValue([b, c], [0.5, 0.5], config.k) : { pValue: 1 };
    const [ratioLow] =
      b + c > 0 ? countRateRatioInterval(b, c, 0.5, 0.5, alpha * (1 - DIFFERENCE_SHARE), config.k) : [0];
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
      discordantRatioLow: Number.isFinite(ratioLow) ? ratioLow : null,
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
    const ci = `anytime-valid increase ${pct(interval[0])} to ${pct(interval[1])}`;
    if (interval[0] > config.maxIncrease) {
      return done("fail", `${rates}: the increase is beyond the limit +${pct(config.maxIncrease)} (${ci})`);
    }
    if (ratioLow > config.maxRatio && increase > config.maxIncrease) {
      return done(
        "fail",
        `${rates}: +${pct(increase)} exceeds the limit +${pct(config.maxIncrease)}, and the candidate alone is proven to fail more than ${config.maxRatio}x as often as the baseline alone (anytime-valid lower bound ${ratioLow.toFixed(2)}x)`,
      );
    }
    if (n < config.minPairs) return done("inconclusive", `${n} paired requests, needs ${config.minPairs}`);
    if (interval[1] <= config.maxIncrease)
      return done("pass", `${rates}; ${ci}, within +${pct(config.maxIncrease)}`);
    return done("inconclusive", `${rates}; ${ci} still reaches above +${pct(config.maxIncrease)}`);
  },
};
