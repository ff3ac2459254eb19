import type { CohortSummary } from "../sketch/cohort-summary.js";
import { countRateRatioInterval, countSequentialPValue } from "../stats/count-evalue.js";
import { parseNumberField } from "./config-parse.js";
import {
  emptyArmResult,
  type Gate,
  type GateInput,
  type GateResult,
  needsText,
  type Verdict,
} from "./gate.js";
import {
  informationFactor,
  lowerBound,
  needsMore,
  type SequentialContext,
  upperBound,
} from "./sequential.js";

export interface ErrorsConfig {
  /** largest tolerated absolute increase of the candidate's rate over the baseline's; default 0.005 */
  maxIncrease: number;
  /**
   * rate ratio (candidate/baseline) the count test must prove exceeded before a spike fails the gate;
   * default 2: "the candidate errs at least twice as often", which a handful of errors against a clean
   * baseline proves
   */
  maxRatio: number;
  /** events each arm needs before the gate can pass; default 100 */
  minSamples: number;
  /** Dirichlet mixture concentration of the count e-value; small k catches a spike of a few events; default 1 */
  k: number;
}

interface RateCheck {
  kind: "error" | "invalid";
  verdict: Verdict;
  baselineRate: number;
  candidateRate: number;
  increase: number;
  lower: number;
  upper: number;
  pValue: number;
  ratioLow: number;
  reason: string;
  needs?: GateResult["needs"];
}

const pct = (x: number) => `${(x * 100).toPrecision(3)}%`;

/** Shares of the gate's fail alpha: error rate vs invalid-prediction rate, then within one rate. */
export const KIND_SHARE = { error: 0.75, invalid: 0.25 } as const;
export const DIFFERENCE_SHARE = 0.8;
/** Smallest rate scale the sequences are tuned to (a tolerance of 0 would put the optimum at ∞). */
export const MIN_SCALE = 0.001;

/**
 * One rate (errors or invalid predictions per event), with two anytime-valid claims that can fail it,
 * splitting this rate's fail alpha 80/20:
 * - the increase is beyond tolerance: the shared decision engine's lower bound on candidate − baseline
 *   rate (one sequence for the difference, src/gates/sequential.ts) is above maxIncrease; or
 * - a spike: the Lindon–Malek confidence sequence for the rate ratio (inverting the Dirichlet-mixture
 *   count e-value over "which arm did the next bad event come from", shares = each arm's share of
 *   events) has its lower bound above maxRatio, and the observed increase exceeds maxIncrease. The
 *   count test needs no variance estimate, so a handful of candidate errors against a clean baseline
 *   proves the ratio.
 * - pass: minSamples in both arms and the upper bound of the increase ≤ maxIncrease, at the gate's
 *   alpha (a pass needs both rates' claims, so a false pass needs its one false bound). The variance
 *   is the one at the claims' boundary: baseline rate p̃_b = (x_b + 1)/(n_b + 2) (so zero observed
 *   errors do not give a zero-width interval) and candidate rate p̃_b + maxIncrease.
 * The shares are the cumulative event shares; the count CS is exact when the traffic split is constant
 * over the window (the usual canary weight step) and an approximation when it moves.
 */
function checkRate(
  kind: "error" | "invalid",
  bad: [number, number],
  events: [number, number],
  config: ErrorsConfig,
  alphaFail: number,
  alphaPass: number,
  context: SequentialContext | undefined,
): RateCheck {
  const [nB, nC] = events;
  const [xB, xC] = bad;
  const baselineRate = xB / nB;
  const candidateRate = xC / nC;
  const increase = candidateRate - baselineRate;
  const shares = [nB / (nB + nC), nC / (nB + nC)];
  const alphaRatio = alphaFail * (1 - DIFFERENCE_SHARE);
  const { pValue } = xB + xC > 0 ? countSequentialPValue([xB, xC], shares, config.k) : { pValue: 1 };
  const [ratioLow] =
    xB + xC > 0 ? countRateRatioInterval(xB, xC, shares[0], shares[1], alphaRatio, config.k) : [0];
  // Both claims sit at the same boundary (increase = maxIncrease), so the variance is taken there
  // (a restricted, score-type variance, as Farrington & Manning 1990): the baseline's rate from its
  // own larger sample, the candidate's as that rate plus the tolerance. The candidate's own estimate
  // would make a run whose errors came out few by chance look precise as well as low, and pass a
  // candidate at the boundary more often than alpha.
  const pB = (xB + 1) / (nB + 2);
  const pC = Math.min(1 - 1 / (nC + 2), pB + config.maxIncrease);
  const difference = { estimate: increase, se: Math.sqrt((pB * (1 - pB)) / nB + (pC * (1 - pC)) / nC) };
  const scale = Math.max(config.maxIncrease, MIN_SCALE);
  const sequence = { context, key: kind };
  const lower = lowerBound(difference, alphaFail * DIFFERENCE_SHARE, scale, sequence);
  const upper = upperBound(difference, alphaPass, scale, sequence);
  const what = kind === "error" ? "error rate" : "invalid-prediction rate";
  const rates = `candidate ${what} ${pct(candidateRate)} (${xC}/${nC}) vs baseline ${pct(baselineRate)} (${xB}/${nB})`;
  const limit = `limit +${pct(config.maxIncrease)}`;
  const common = { kind, baselineRate, candidateRate, increase, lower, upper, pValue, ratioLow };
  if (lower > config.maxIncrease) {
    return {
      ...common,
      verdict: "fail",
      reason: `${rates}: the increase is beyond the ${limit} (anytime-valid lower bound +${pct(lower)})`,
    };
  }
  if (ratioLow > config.maxRatio && increase > config.maxIncrease) {
    return {
      ...common,
      verdict: "fail",
      reason: `${rates}: +${pct(increase)} exceeds the ${limit}, and the candidate's rate is proven above ${config.maxRatio}x the baseline's (anytime-valid lower bound ${ratioLow.toFixed(2)}x)`,
    };
  }
  if (nB < config.minSamples || nC < config.minSamples) {
    const short = nC < config.minSamples ? `candidate has ${nC} events` : `baseline has ${nB} events`;
    return { ...common, verdict: "inconclusive", reason: `${short}, needs ${config.minSamples}` };
  }
  const ci = `anytime-valid interval of the increase ${pct(lower)} to ${pct(upper)}`;
  if (upper <= config.maxIncrease) {
    return { ...common, verdict: "pass", reason: `${rates}; ${ci}, within the ${limit}` };
  }
  const needs = needsMore(
    informationFactor(config.maxIncrease - increase, difference.se, alphaPass, scale),
    nC,
    "events",
  );
  return {
    ...common,
    verdict: "inconclusive",
    reason: `${rates}; ${ci} still reaches beyond the ${limit}, ${needsText(needs)}`,
    ...(needs ? { needs } : {}),
  };
}

const badCounts = (s: CohortSummary, kind: "error" | "invalid") => (kind === "error" ? s.errors : s.invalid);

/**
 * Errors gate: error rate and invalid-prediction rate (NaN or out-of-range scores) of candidate vs
 * baseline, per event. The two rates split the gate's fail alpha 75/25 (Bonferroni), so the gate's
 * false-fail probability over all looks stays ≤ alpha. Fail if either rate fails; pass if both
 * pass; otherwise inconclusive. Cost: O(1).
 */
export const errorsGate: Gate<ErrorsConfig> = {
  name: "errors",
  settings: ["maxIncrease", "maxRatio", "minSamples", "k"],

  parseConfig(raw) {
    return {
      maxIncrease: parseNumberField(raw, "maxIncrease", 0.005, { min: 0, below: 1 }),
      maxRatio: parseNumberField(raw, "maxRatio", 2, { min: 1 }),
      minSamples: parseNumberField(raw, "minSamples", 100, { min: 1, integer: true }),
      k: parseNumberField(raw, "k", 1, { above: 0 }),
    };
  },

  evaluate({ baseline, candidate, config, alpha, sequential }: GateInput<ErrorsConfig>): GateResult {
    const n = { baseline: baseline.events, candidate: candidate.events };
    const base = { metric: "error_rate_increase", threshold: config.maxIncrease, n };
    if (n.baseline === 0 || n.candidate === 0) return emptyArmResult(base, "events", config.minSamples);
    const events: [number, number] = [n.baseline, n.candidate];
    const checks = (["error", "invalid"] as const).map((kind) =>
      checkRate(
        kind,
        [badCounts(baseline, kind), badCounts(candidate, kind)],
        events,
        config,
        alpha * KIND_SHARE[kind],
        alpha,
        sequential,
      ),
    );
    const [errors, invalid] = checks;
    const metrics: GateResult["metrics"] = {
      baselineErrorRate: errors.baselineRate,
      candidateErrorRate: errors.candidateRate,
      errorRateIncreaseLow: errors.lower,
      errorRateIncreaseHigh: errors.upper,
      errorPValue: errors.pValue,
      errorRateRatioLow: Number.isFinite(errors.ratioLow) ? errors.ratioLow : null,
      baselineInvalidRate: invalid.baselineRate,
      candidateInvalidRate: invalid.candidateRate,
      invalidRateIncreaseLow: invalid.lower,
      invalidRateIncreaseHigh: invalid.upper,
      invalidPValue: invalid.pValue,
      invalidRateRatioLow: Number.isFinite(invalid.ratioLow) ? invalid.ratioLow : null,
    };
    const decisive =
      checks.find((c) => c.verdict === "fail") ??
      checks.find((c) => c.verdict === "inconclusive") ??
      checks[0];
    const verdict: Verdict = decisive.verdict;
    const reason = verdict === "pass" ? checks.map((c) => c.reason).join("; ") : decisive.reason;
    return {
      ...base,
      metric: decisive.kind === "error" ? "error_rate_increase" : "invalid_rate_increase",
      verdict,
      value: decisive.increase,
      interval: [decisive.lower, decisive.upper],
      reason,
      metrics,
      ...(verdict === "inconclusive" && decisive.needs ? { needs: decisive.needs } : {}),
    };
  },
};
