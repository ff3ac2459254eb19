/**
 * The decisions the efficiency benchmark measures: for every gate, a regression beyond its tolerance
 * (the gate should fail) and an equal model (the gate should pass), in the benchmark's synthetic world
 * (bench/sim/world.ts), each with the oracle's effect and standard error from the world's known laws.
 * The baseline is `baselineRatio` × the candidate (a 10% canary: 9), every event labelled.
 */
import type { GateName } from "../../src/gates/registry.js";
import { psiBinShares, shiftForPsi } from "../../src/plan/score-model.js";
import { normalCdf } from "../../src/stats/normal.js";
import { type ArmModel, BASELINE_AUC, baselineArm, LATENCY_SIGMA, PREVALENCE } from "../sim/world.js";
import {
  aucVariance1,
  logQuantileSd1,
  mixtureLaw,
  normalLaw,
  parityRatioVariance,
  psiSd1,
} from "./oracle.js";

export interface EfficiencyRow {
  gate: GateName;
  label: string;
  expect: "fail" | "pass";
  baseline: ArmModel;
  candidate: ArmModel;
  /**
   * the oracle: a z-test's distance from the truth to the deciding boundary and sd·√n of the
   * contrast, or (drift pass) the fixed-sample Kolmogorov–Smirnov equivalence test
   */
  oracle: { effect: number; se1: number } | { ksTolerance: number };
  /** share of the gate's alpha the deciding claim gets inside the gate (what a schedule is planned at) */
  claimShare: number;
}

export const BASELINE_RATIO = 9;
/** baseline error rate of the efficiency world (the quality tables use 0) */
export const BASE_ERROR_RATE = 0.005;

const k = BASELINE_RATIO;

/** Selection rate of an arm at the store's threshold 0.5 (latent z ≥ 0), before group b's keep. */
export function selectionRate(arm: ArmModel): number {
  const p = PREVALENCE;
  return (1 - p) * normalCdf(arm.shift) + p * normalCdf(arm.shift + arm.separation);
}

/** Positive- and negative-class laws of an arm's latent score with label noise q (world.ts). */
function classLaws(arm: ArmModel) {
  const q = arm.labelNoise;
  const hi = normalLaw(arm.shift + arm.separation);
  const lo = normalLaw(arm.shift);
  return {
    pos: mixtureLaw(1 - q * (1 - PREVALENCE), hi, lo),
    neg: mixtureLaw(q * PREVALENCE, hi, lo),
  };
}

export function aucOf(arm: ArmModel) {
  const { pos, neg } = classLaws(arm);
  return aucVariance1(pos, neg, PREVALENCE);
}

/** Label-noise share that lowers the AUC by `drop` (bisection on the exact AUC). */
function labelNoiseForDrop(drop: number): number {
  const base = baselineArm();
  const target = aucOf(base).auc - drop;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (aucOf({ ...base, labelNoise: mid }).auc > target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function efficiencyRows(): EfficiencyRow[] {
  const base: ArmModel = { ...baselineArm(), errorRate: BASE_ERROR_RATE };
  const rows: EfficiencyRow[] = [];
  const arm = (change: Partial<ArmModel>): ArmModel => ({ ...base, ...change });

  // latency: ln p95 ratio, both arms log-normal with the world's σ
  const latencySe1 = logQuantileSd1(LATENCY_SIGMA, 0.95) * Math.sqrt(1 + 1 / k);
  rows.push({
    gate: "latency",
    label: "p95 ×1.3 (maxRatio 1.2)",
    expect: "fail",
    baseline: base,
    candidate: arm({ latencyFactor: 1.3 }),
    oracle: { effect: Math.log(1.3 / 1.2), se1: latencySe1 },
    claimShare: 1,
  });
  rows.push({
    gate: "latency",
    label: "equal p95",
    expect: "pass",
    baseline: base,
    candidate: base,
    oracle: { effect: Math.log(1.2), se1: latencySe1 },
    claimShare: 1,
  });

  // auc: difference of AUCs, exact binormal placement variances; errored events carry no score
  const scored = 1 - BASE_ERROR_RATE;
  const b = aucOf(base);
  const noise = labelNoiseForDrop(0.05);
  const c = aucOf(arm({ labelNoise: noise }));
  rows.push({
    gate: "auc",
    label: `AUC ${b.auc.toFixed(2)} → ${c.auc.toFixed(2)} (margin 0.02)`,
    expect: "fail",
    baseline: base,
    candidate: arm({ labelNoise: noise }),
    oracle: { effect: b.auc - c.auc - 0.02, se1: Math.sqrt((c.variance1 + b.variance1 / k) / scored) },
    claimShare: 0.9,
  });
  rows.push({
    gate: "auc",
    label: "equal AUC",
    expect: "pass",
    baseline: base,
    candidate: base,
    oracle: { effect: 0.02, se1: Math.sqrt((b.variance1 * (1 + 1 / k)) / scored) },
    claimShare: 1,
  });

  // fairness: parity ratio of selection rates, groups a/b of half the scored events each
  const s = selectionRate(base);
  const half = scored / 2;
  rows.push({
    gate: "fairness",
    label: "parity 1.0 → 0.8 (maxParityDrop 0.05)",
    expect: "fail",
    baseline: base,
    candidate: arm({ groupBKeep: 0.8 }),
    oracle: {
      effect: 1 - 0.05 - 0.8,
      se1: Math.sqrt(
        parityRatioVariance(s, 0.8 * s, half, half) + parityRatioVariance(s, s, k * half, k * half),
      ),
    },
    // the drop claim: half of a fail's alpha, split over the two orderings of the groups
    claimShare: 0.25,
  });
  rows.push({
    gate: "fairness",
    label: "equal parity (floor 0.8)",
    expect: "pass",
    baseline: base,
    candidate: base,
    oracle: { effect: 0.2, se1: Math.sqrt(parityRatioVariance(s, s, half, half)) },
    claimShare: 1,
  });

  // errors: difference of error rates against maxIncrease 0.005
  const pb = BASE_ERROR_RATE;
  const pc = 0.015;
  rows.push({
    gate: "errors",
    label: `errors ${pb * 100}% → ${pc * 100}% (maxIncrease 0.5%)`,
    expect: "fail",
    baseline: base,
    candidate: arm({ errorRate: pc }),
    oracle: { effect: pc - pb - 0.005, se1: Math.sqrt(pc * (1 - pc) + (pb * (1 - pb)) / k) },
    // the error rate's share (0.75) of which the difference claim gets 0.8
    claimShare: 0.6,
  });
  rows.push({
    gate: "errors",
    label: `equal errors (${pb * 100}%)`,
    expect: "pass",
    baseline: base,
    candidate: base,
    oracle: { effect: 0.005, se1: Math.sqrt(pb * (1 - pb) * (1 + 1 / k)) },
    claimShare: 1,
  });
  // drift: PSI on 10 baseline-decile bins (latent z; the score is monotone in it), delta-method sd
  const shift = shiftForPsi(0.5, BASELINE_AUC, PREVALENCE, 10);
  const { baselineShares, candidateShares, psi } = psiBins(shift);
  rows.push({
    gate: "drift",
    label: `scores PSI ${psi.toFixed(2)} (maxPsi 0.25)`,
    expect: "fail",
    baseline: base,
    candidate: arm({ shift }),
    oracle: { effect: psi - 0.25, se1: psiSd1(baselineShares, candidateShares, k) },
    claimShare: 0.5,
  });
  rows.push({
    gate: "drift",
    label: "equal scores (maxKs 0.2)",
    expect: "pass",
    baseline: base,
    candidate: base,
    oracle: { ksTolerance: 0.2 },
    claimShare: 1,
  });
  return rows;
}

/** Shares of 10 baseline-decile bins in both arms of the world, and their PSI (src/plan/score-model.ts). */
export function psiBins(shift: number) {
  const { baseline, candidate, psi } = psiBinShares(shift, BASELINE_AUC, PREVALENCE, 10);
  return { baselineShares: baseline, candidateShares: candidate, psi };
}
