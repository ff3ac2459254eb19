/**
 * Each gate's decisions as a plan sees them: for "fail the stated regression" and "pass an equal
 * model", the claim the gate must prove, in the terms of the shared decision engine
 * (src/gates/sequential.ts) — the distance from the truth to the tolerance (`effect`), the standard
 * error of the gate's contrast after n candidate events or labelled outcomes (`se`, from
 * ./variance-models.ts under the assumptions), and the claim's alpha and tuning scale exactly as the
 * gate passes them to the engine. A fail needs any one of its claims; a pass its one claim.
 *
 * Claims a plan leaves out, because they are slower or need nothing the plan knows: the errors
 * gate's rate-ratio (spike) claim and its invalid-prediction rate; the drift gate's KS claim for a
 * fail; the AUC floor (no better than chance); the latency SLO claim and equalized odds. Where
 * they would change a number the decision's `notes` say so.
 */
import { FLOOR_SHARE as AUC_FLOOR_SHARE, MIN_SCALE as AUC_MIN_SCALE, type AucConfig } from "../gates/auc.js";
import type { DriftConfig } from "../gates/drift.js";
import { KS_SHARE, MIN_PSI_SCALE } from "../gates/drift-compare.js";
import {
  DIFFERENCE_SHARE,
  MIN_SCALE as ERRORS_MIN_SCALE,
  type ErrorsConfig,
  KIND_SHARE,
} from "../gates/errors.js";
import {
  MIN_SCALE as FAIRNESS_MIN_SCALE,
  SHARE as FAIRNESS_SHARE,
  type FairnessConfig,
} from "../gates/fairness.js";
import { MIN_SCALE as LATENCY_MIN_SCALE, type LatencyConfig } from "../gates/latency.js";
import { sparsityWindow } from "../gates/latency-quantile.js";
import type { GateName } from "../gates/registry.js";
import { DEFAULT_LAYOUT } from "../sketch/cohort-summary.js";
import { cdfBandEpsilon } from "../stats/cdf-band.js";
import { kolmogorovQuantile } from "../stats/kolmogorov.js";
import { normalQuantile } from "../stats/normal.js";
import { normalRangeMean } from "../stats/normal-range.js";
import { type Assumptions, PlanInputError, type Regressions } from "./inputs.js";
import { aucBinningError, binormalAuc, psiBinShares, shiftForPsi } from "./score-model.js";
import type { Unit } from "./traffic.js";
import { logQuantileSd1, parityRatioVariance, psiSd1 } from "./variance-models.js";

/** A claim on a contrast, decided by the engine's bound: effect − bound's half-width at se(n) > 0. */
export interface ContrastClaim {
  kind: "contrast";
  /** what is proven, for people */
  claim: string;
  /** distance from the true contrast to the tolerance, on the side the claim proves (> 0) */
  effect: number;
  /** standard error of the contrast with n candidate counts (the baseline's k·n) */
  se: (n: number) => number;
  alpha: number;
  /** the tuning scale the gate gives the engine */
  scale: number;
  /** candidate count before the gate can decide */
  minN: number;
  /** below minN the gate still computes the bound (and spends a declared schedule's alpha on it) */
  spendsBelowMin: boolean;
  /**
   * a loss the contrast's se does not carry, added to the bound's multiplier (in se; constant in n):
   * the gate proves a drop against every baseline group pair, so the baseline's spread counts
   */
  offset?: number;
  /** the claim must hold for every ordered pair of this many equally large groups (an equal model's parity) */
  everyPair?: number;
}

/**
 * A claim decided on something other than the engine's bound: `margin(n, power)` ≥ 0 when a share
 * `power` of runs meet it at n (increasing in n).
 */
export interface DirectClaim {
  kind: "direct";
  claim: string;
  margin: (n: number, power: number) => number;
  minN: number;
}

export type Claim = ContrastClaim | DirectClaim;

export interface GateDecision {
  gate: GateName;
  decision: "fail" | "pass";
  /** the truth judged, for people: "p95 ×1.30 (limit 1.20)" */
  label: string;
  unit: Unit;
  /** fail: the first proven decides; pass: the one claim. Empty when the decision cannot be made. */
  claims: Claim[];
  /** why the decision cannot be made (claims empty) */
  impossible?: string;
  notes: string[];
}

export interface GateContext {
  /** the gate's share of the judge's alpha */
  alpha: number;
  /** baseline count over candidate count */
  k: number;
  assumptions: Assumptions;
  regressions: Regressions;
}

const f2 = (x: number) => Number(x.toFixed(2)).toString();
const f3 = (x: number) => Number(x.toFixed(3)).toString();
/** Smallest candidate count that gives both arms `min` (the baseline has k times the candidate's). */
const bothArms = (min: number, k: number) => Math.max(min, min / k);

function beyond(gate: GateName, value: number, why: string): never {
  throw new PlanInputError(`--regression ${gate}=${value}`, why);
}

/**
 * The asymptotic latency method's ln quantile ratio (src/gates/latency-quantile.ts): both arms' ln Q̂
 * with the sampling sd σ·√(q(1 − q)/n)/φ(Φ⁻¹(q)) of a log-normal with the assumed log-sd (the gate
 * reads quantiles between bucket edges, so the sketch's grid does not floor it), the candidate's
 * inflated as the gate's estimator inflates it.
 */
export function latencyDecisions(config: LatencyConfig, ctx: GateContext): GateDecision[] {
  const { k, alpha } = ctx;
  const regression = ctx.regressions.latency;
  const q = config.quantile;
  const name = `p${Number((q * 100).toPrecision(6))}`;
  const sd1 = logQuantileSd1(ctx.assumptions.latencyLogSd, q);
  // The gate's sparsity is a difference quotient over q ± h (sparsityWindow): for the assumed
  // log-normal it reads (Φ⁻¹(q + h) − Φ⁻¹(q − h))/(2h)·φ(Φ⁻¹(q)) times the true sparsity, above 1 in a
  // tail. The gate takes the larger of the candidate's estimate and the baseline's: with the
  // estimate's relative noise τ ≈ 1/√m over the m = 2hn order statistics of its window, that inflates
  // the candidate's sd by about E[max(0, τZ)] = 0.4·τ.
  const z = normalQuantile(q);
  const density = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
  const bias = (n: number) => {
    const h = sparsityWindow(q, n);
    return ((normalQuantile(q + h) - normalQuantile(q - h)) / (2 * h)) * density;
  };
  const inflation = (n: number) => 1 + 0.4 / Math.sqrt(2 * sparsityWindow(q, n) * n);
  const se = (n: number) => sd1 * Math.sqrt((bias(n) * inflation(n)) ** 2 / n + bias(k * n) ** 2 / (k * n));
  const scale = Math.max(Math.abs(Math.log(config.maxRatio)), LATENCY_MIN_SCALE);
  const minN = bothArms(config.minSamples, k);
  const notes = [
    ...(config.sloMs === undefined
      ? []
      : ["with an SLO the ratio claim gets half of the gate's alpha; the SLO claim itself is not planned"]),
  ];
  if (!(regression > config.maxRatio))
    beyond(
      "latency",
      regression,
      `is within the latency gate's maxRatio ${config.maxRatio}: the gate is not meant to fail it (give a regression beyond the tolerance)`,
    );
  const limit = `limit ${f2(config.maxRatio)}`;
  const fail: GateDecision = {
    gate: "latency",
    decision: "fail",
    label: `${name} ×${f2(regression)} (${limit})`,
    unit: "events",
    claims: [
      {
        kind: "contrast",
        claim: `${name} ratio > ${f2(config.maxRatio)}`,
        effect: Math.log(regression / config.maxRatio),
        se,
        // the ratio claim has the gate's alpha, half of it when an SLO claim shares the fail
        alpha: config.sloMs === undefined ? alpha : alpha / 2,
        scale,
        minN,
        spendsBelowMin: false,
      },
    ],
    notes,
  };
  const pass: GateDecision = {
    gate: "latency",
    decision: "pass",
    label: `equal ${name} (${limit})`,
    unit: "events",
    claims:
      config.maxRatio > 1
        ? [
            {
              kind: "contrast",
              claim: `${name} ratio ≤ ${f2(config.maxRatio)}`,
              effect: Math.log(config.maxRatio),
              se,
              alpha,
              scale,
              minN,
              spendsBelowMin: false,
            },
          ]
        : [],
    impossible: config.maxRatio > 1 ? undefined : `maxRatio ${config.maxRatio} leaves an equal model no room`,
    notes,
  };
  return [fail, pass];
}

/**
 * The AUC difference with the DeLong variances of a binormal model at each arm's AUC, widened by both
 * arms' binning error bounds (which do not shrink with n, so they come off the effect).
 */
export function aucDecisions(config: AucConfig, ctx: GateContext): GateDecision[] {
  const { k, alpha } = ctx;
  const { baselineAuc, prevalence } = ctx.assumptions;
  const change = ctx.regressions.auc;
  const baseline = binormalAuc(baselineAuc, prevalence);
  const binning = aucBinningError(baselineAuc, DEFAULT_LAYOUT);
  const scale = Math.max(config.margin, AUC_MIN_SCALE);
  if (!(-change > config.margin))
    beyond(
      "auc",
      change,
      `is within the AUC gate's margin ${config.margin}: the gate is not meant to fail it (give a regression beyond the tolerance)`,
    );
  const candidateAuc = baselineAuc + change;
  if (!(candidateAuc > 0.5))
    beyond("auc", change, `leaves the candidate's AUC ${f3(candidateAuc)} at or below chance`);
  const candidate = binormalAuc(candidateAuc, prevalence);
  const candidateBinning = aucBinningError(candidateAuc, DEFAULT_LAYOUT);
  const failEffect = -change - config.margin - binning - candidateBinning;
  const passEffect = config.margin - 2 * binning;
  const fail: GateDecision = {
    gate: "auc",
    decision: "fail",
    label: `AUC ${f3(baselineAuc)} → ${f3(candidateAuc)} (margin ${f3(config.margin)})`,
    unit: "labelled",
    claims:
      failEffect > 0
        ? [
            {
              kind: "contrast",
              claim: `AUC difference < −${f3(config.margin)}`,
              effect: failEffect,
              se: (n) => Math.sqrt((candidate.variance1 + baseline.variance1 / k) / n),
              alpha: alpha * (1 - AUC_FLOOR_SHARE),
              scale,
              minN: 1,
              spendsBelowMin: true,
            },
          ]
        : [],
    impossible: failEffect > 0 ? undefined : "the score bins' error bound covers the drop beyond the margin",
    notes: [],
  };
  const pass: GateDecision = {
    gate: "auc",
    decision: "pass",
    label: `equal AUC ${f3(baselineAuc)} (margin ${f3(config.margin)})`,
    unit: "labelled",
    claims:
      passEffect > 0
        ? [
            {
              kind: "contrast",
              claim: `AUC difference ≥ −${f3(config.margin)}`,
              effect: passEffect,
              se: (n) => Math.sqrt((baseline.variance1 * (1 + 1 / k)) / n),
              alpha,
              scale,
              minN: bothArms(config.minLabelled, k),
              spendsBelowMin: true,
            },
          ]
        : [],
    impossible:
      passEffect > 0 ? undefined : `the score bins' error bound ${f3(2 * binning)} fills the margin`,
    notes: [],
  };
  return [fail, pass];
}

/**
 * Demographic parity of one protected attribute with `groups` equally large groups, the candidate's
 * lowest group selected at `fairness` × the others' rate. Claims are on ordered group pairs, each
 * with its share of alpha split over the pairs as the gate splits it.
 */
export function fairnessDecisions(config: FairnessConfig, ctx: GateContext): GateDecision[] {
  const { k } = ctx;
  const { selectionRate: s, groups, errorRate } = ctx.assumptions;
  const ratio = ctx.regressions.fairness;
  const attributes = config.attributes === "all" ? 1 : Math.max(1, config.attributes.length);
  const alpha = ctx.alpha / attributes;
  const pairs = groups * (groups - 1);
  const floor = config.minParityRatio;
  const drop = config.maxParityDrop;
  // errored events carry no decision: each group gets its share of the scored events
  const share = (1 - errorRate) / groups;
  const floorScale = Math.max(Math.abs(Math.log(Math.max(floor, 1e-6))), FAIRNESS_MIN_SCALE);
  const dropScale = Math.max(drop, 1 - drop - floor, FAIRNESS_MIN_SCALE);
  const minN = bothArms(config.minGroupSize, k) / share;
  const notes = [
    ...(config.attributes === "all" ? ["assumes one protected attribute (fairness.attributes is all)"] : []),
    ...(config.certifyEqualizedOdds
      ? ["certifyEqualizedOdds: the equalized odds claim of a pass is not planned"]
      : []),
  ];
  const claims: Claim[] = [];
  if (1 - ratio > drop) {
    const baselineVariance1 = parityRatioVariance(s, s, k * share, k * share);
    const variance1 = parityRatioVariance(s, ratio * s, share, share) + baselineVariance1;
    // the gap must be proven against the baseline's lowest group-pair ratio, about 1 − d₂·sd(ln ŝ_g)
    const offset = (normalRangeMean(groups) * Math.sqrt(baselineVariance1 / 2)) / Math.sqrt(variance1);
    claims.push({
      kind: "contrast",
      claim: `parity ratio below the baseline's by more than ${f2(drop)}`,
      effect: 1 - ratio - drop,
      se: (n) => Math.sqrt(variance1 / n),
      alpha: (alpha * FAIRNESS_SHARE.drop) / pairs,
      scale: dropScale,
      minN,
      spendsBelowMin: false,
      offset,
    });
  }
  if (ratio < floor) {
    const variance1 = (1 - s) / (s * share) + (1 - ratio * s) / (ratio * s * share);
    claims.push({
      kind: "contrast",
      claim: `parity ratio < ${f2(floor)}`,
      effect: Math.log(floor / ratio),
      se: (n) => Math.sqrt(variance1 / n),
      alpha: (alpha * FAIRNESS_SHARE.floor) / pairs,
      scale: floorScale,
      minN,
      spendsBelowMin: false,
    });
  }
  if (claims.length === 0)
    beyond(
      "fairness",
      ratio,
      `is within the fairness gate's maxParityDrop ${drop} and above its floor ${floor}: the gate is not meant to fail it (give a regression beyond the tolerance)`,
    );
  const fail: GateDecision = {
    gate: "fairness",
    decision: "fail",
    label: `parity 1 → ${f2(ratio)} (maxParityDrop ${f2(drop)}, floor ${f2(floor)})`,
    unit: "events",
    claims,
    notes,
  };
  const passVariance1 = (2 * (1 - s)) / (s * share);
  const pass: GateDecision = {
    gate: "fairness",
    decision: "pass",
    label: `equal parity (floor ${f2(floor)})`,
    unit: "events",
    claims:
      floor < 1
        ? [
            {
              kind: "contrast",
              claim: `every group pair's parity ratio ≥ ${f2(floor)}`,
              effect: floor > 0 ? -Math.log(floor) : Number.POSITIVE_INFINITY,
              se: (n) => Math.sqrt(passVariance1 / n),
              alpha,
              scale: floorScale,
              minN,
              spendsBelowMin: false,
              everyPair: groups,
            },
          ]
        : [],
    impossible: floor < 1 ? undefined : "a floor of 1 leaves an equal model no room",
    notes,
  };
  return [fail, pass];
}

/**
 * The difference of error rates with the gate's variance at the claims' boundary (the baseline's
 * Laplace-smoothed rate at its expected count, and that rate plus maxIncrease for the candidate), so a
 * baseline without errors still has the width the gate gives it.
 */
export function errorsDecisions(config: ErrorsConfig, ctx: GateContext): GateDecision[] {
  const { k, alpha } = ctx;
  const base = ctx.assumptions.errorRate;
  const increase = ctx.regressions.errors;
  // the gate's variance at the claims' boundary: the baseline's smoothed rate, and that plus the
  // tolerance for the candidate (src/gates/errors.ts), whatever the candidate's true rate
  const boundary = (n: number) => {
    const pB = (base * k * n + 1) / (k * n + 2);
    const pC = Math.min(1 - 1 / (n + 2), pB + config.maxIncrease);
    return Math.sqrt((pB * (1 - pB)) / (k * n) + (pC * (1 - pC)) / n);
  };
  const se = (_truth: number) => boundary;
  const scale = Math.max(config.maxIncrease, ERRORS_MIN_SCALE);
  const pct = (x: number) => `${Number((x * 100).toPrecision(3))}%`;
  if (!(increase > config.maxIncrease))
    beyond(
      "errors",
      increase,
      `is within the errors gate's maxIncrease ${config.maxIncrease}: the gate is not meant to fail it (give a regression beyond the tolerance)`,
    );
  if (!(base + increase < 1)) beyond("errors", increase, `takes the error rate to ${base + increase}`);
  const notes = ["the rate-ratio claim can fail a large relative increase sooner than planned here"];
  const fail: GateDecision = {
    gate: "errors",
    decision: "fail",
    label: `errors ${pct(base)} → ${pct(base + increase)} (maxIncrease ${pct(config.maxIncrease)})`,
    unit: "events",
    claims: [
      {
        kind: "contrast",
        claim: `error rate increase > ${pct(config.maxIncrease)}`,
        effect: increase - config.maxIncrease,
        se: se(base + increase),
        alpha: alpha * KIND_SHARE.error * DIFFERENCE_SHARE,
        scale,
        minN: 1,
        spendsBelowMin: true,
      },
    ],
    notes,
  };
  const pass: GateDecision = {
    gate: "errors",
    decision: "pass",
    label: `equal errors ${pct(base)} (maxIncrease ${pct(config.maxIncrease)})`,
    unit: "events",
    claims:
      config.maxIncrease > 0
        ? [
            {
              kind: "contrast",
              claim: `error rate increase ≤ ${pct(config.maxIncrease)}`,
              effect: config.maxIncrease,
              se: se(base),
              alpha,
              scale,
              minN: bothArms(config.minSamples, k),
              spendsBelowMin: true,
            },
          ]
        : [],
    impossible: config.maxIncrease > 0 ? undefined : "maxIncrease 0 leaves an equal model no room",
    notes: [],
  };
  return [fail, pass];
}

/** Wilson–Hilferty quantile of χ²_ν. */
function chiSquareQuantile(nu: number, p: number): number {
  const z = normalQuantile(p);
  const c = 2 / (9 * nu);
  return nu * (1 - c + z * Math.sqrt(c)) ** 3;
}

/**
 * The score comparison against the baseline. Fail: the PSI claim, with the delta-method sd of the PSI
 * for a shift of the latent score that gives the stated PSI. Pass: the KS distance's upper bound —
 * the sample distance (√n_eff·D ~ Kolmogorov for equal laws) plus both arms' time-uniform CDF bands —
 * within maxKs, and the PSI estimate (n_eff·PSI ~ χ²_{B−1}) within maxPsi. alpha is split over the
 * comparisons as the gate splits it.
 */
export function driftDecisions(config: DriftConfig, ctx: GateContext): GateDecision[] {
  const { k } = ctx;
  const { baselineAuc, prevalence, errorRate } = ctx.assumptions;
  const psi = ctx.regressions.drift;
  const features = config.features === "all" ? 0 : config.features.length;
  const references = config.reference === "both" ? 2 : 1;
  const alpha = ctx.alpha / (references * (1 + features));
  const scored = 1 - errorRate;
  const notes = [
    ...(config.features === "all"
      ? ["features: all is planned as scores only (the alpha split is unknown)"]
      : []),
    ...(config.reference !== "baseline"
      ? ["a reference profile's comparison is planned as if it were the baseline"]
      : []),
  ];
  if (!(psi > config.maxPsi))
    beyond(
      "drift",
      psi,
      `is within the drift gate's maxPsi ${config.maxPsi}: the gate is not meant to fail it (give a regression beyond the tolerance)`,
    );
  const shares = psiBinShares(
    shiftForPsi(psi, baselineAuc, prevalence, config.psiBins),
    baselineAuc,
    prevalence,
    config.psiBins,
  );
  const sd1 = psiSd1(shares.baseline, shares.candidate, k);
  const fail: GateDecision = {
    gate: "drift",
    decision: "fail",
    label: `scores PSI ${f2(psi)} (maxPsi ${f2(config.maxPsi)})`,
    unit: "events",
    claims: [
      {
        kind: "contrast",
        claim: `PSI > ${f2(config.maxPsi)}`,
        effect: psi - config.maxPsi,
        se: (n) => sd1 / Math.sqrt(n * scored),
        alpha: alpha * (1 - KS_SHARE),
        scale: Math.max(config.maxPsi, MIN_PSI_SCALE),
        minN: 1,
        spendsBelowMin: true,
      },
    ],
    notes,
  };
  const band = alpha / 2;
  const pass: GateDecision = {
    gate: "drift",
    decision: "pass",
    label: `equal scores (maxKs ${f2(config.maxKs)}, maxPsi ${f2(config.maxPsi)})`,
    unit: "events",
    claims: [
      {
        kind: "direct",
        claim: `KS upper bound ≤ ${f2(config.maxKs)} and PSI ≤ ${f2(config.maxPsi)}`,
        margin: (n, power) => {
          const m = n * scored;
          const effective = (m * k) / (k + 1);
          const ks =
            config.maxKs -
            kolmogorovQuantile(power) / Math.sqrt(effective) -
            cdfBandEpsilon(m, band, config.minSamples) -
            cdfBandEpsilon(k * m, band, config.minSamples);
          const noise = chiSquareQuantile(config.psiBins - 1, power) / effective;
          return Math.min(ks, config.maxPsi - noise);
        },
        minN: bothArms(config.minSamples, k) / scored,
      },
    ],
    notes,
  };
  return [fail, pass];
}
