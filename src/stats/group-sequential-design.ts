/**
 * Planning with group-sequential boundaries: power, stopping-information distribution and the maximum
 * information a design needs, plus the classical constant-shape designs of Pocock (1977) and O'Brien &
 * Fleming (1979), which serve to check the integrator against Jennison & Turnbull (2000) Tables 2.1–2.4.
 *
 * Under the alternative E[Z_k] = θ√I_k; a design's drift is δ = θ√I_K (its last look). Power is the
 * probability of crossing an upper boundary at some look (a lower crossing, for a two-sided design, is not
 * counted). A run stops at its first crossing or at the last look, so the expected stopping information is
 * Σ_k I_k·P(stop at k). The maximum information for power 1 − β at effect θ is I_K = (δ/θ)², where δ solves
 * power(δ) = 1 − β; dividing by the fixed-sample information ((z_{1−α} + z_{1−β})/θ)² gives the inflation
 * factor R (J&T §2.3; two-sided designs use z_{1−α/2}). All probabilities by the recursive integration of
 * group-sequential-integration.ts; each power evaluation costs O(K·m²), a root-find about 20 of them.
 */
import { requireSpendingAlpha, type SpendingFunction } from "./alpha-spending.js";
import { groupSequentialBoundaries } from "./group-sequential.js";
import { DEFAULT_GRID_POINTS_PER_SD, requireInformationLevels } from "./group-sequential-grid.js";
import { crossingProbabilities } from "./group-sequential-integration.js";
import { normalQuantile } from "./normal.js";

export type ConstantShape = "pocock" | "obrien-fleming";

export interface ConstantShapeDesign {
  shape: ConstantShape;
  /** K equally spaced looks. */
  looks: number;
  /** Total level: one-sided (sides 1) or over both tails (sides 2). */
  alpha: number;
  sides: 1 | 2;
  gridPointsPerSd?: number;
}

export interface BoundarySchedule {
  /** Information at each look (any unit, strictly increasing). */
  information: readonly number[];
  /** Upper boundary for Z_k at each look (+∞: cannot cross). */
  upper: readonly number[];
  /** Lower boundary for Z_k at each look; −∞ everywhere when absent. */
  lower?: readonly number[];
}

export interface OperatingCharacteristics {
  /** P(first crossing is of the upper boundary, at look k). */
  upperCrossing: number[];
  /** P(first crossing is of the lower boundary, at look k). */
  lowerCrossing: number[];
  /** Σ_k upperCrossing[k]. */
  power: number;
  /** E[I at stopping]: the first crossing, or the last look. */
  expectedStoppingInformation: number;
  /** Smallest I_k with P(stopped by look k) ≥ quantile (the last look at worst). */
  stoppingInformationQuantile: number;
  /** Smallest I_k with P(crossed the upper boundary by look k) ≥ quantile; null when power < quantile. */
  crossingInformationQuantile: number | null;
}

export interface SpendingPlan {
  /** Upper boundaries at the planned fractions (information I_k = t_k·I_K). */
  boundaries: number[];
  /** δ = θ√I_K giving the requested power. */
  drift: number;
  /** z_{1−α} + z_{1−β}: the drift a fixed-sample one-sided test needs. */
  fixedDrift: number;
  /** I_K over the fixed-sample information, (drift/fixedDrift)². */
  inflation: number;
  /** (drift/effect)², when an effect θ was given. */
  maxInformation: number | null;
}

/** Root of an increasing f on [lo, hi] (f(lo) < 0 < f(hi)) by the Illinois false-position method. */
function increasingRoot(f: (x: number) => number, lo: number, hi: number, tolerance: number): number {
  let flo = f(lo);
  let fhi = f(hi);
  let side = 0;
  for (let i = 0; i < 200 && hi - lo > tolerance; i++) {
    const x = (lo * fhi - hi * flo) / (fhi - flo);
    const fx = f(x);
    if (fx === 0) return x;
    if (fx < 0) {
      lo = x;
      flo = fx;
      if (side === -1) fhi /= 2;
      side = -1;
    } else {
      hi = x;
      fhi = fx;
      if (side === 1) flo /= 2;
      side = 1;
    }
  }
  return (lo + hi) / 2;
}

function requireProbability(name: string, p: number): void {
  if (!(p > 0 && p < 1)) throw new RangeError(`${name} must be in (0, 1), got ${p}`);
}

/**
 * Pocock (c_k = C) or O'Brien–Fleming (c_k = C·√(K/k)) boundaries for K equally spaced looks with total
 * crossing probability alpha under H₀, one-sided (Z_k ≥ c_k) or two-sided (|Z_k| ≥ c_k).
 * Two-sided α = 0.05, K = 5: Pocock C = 2.413, O'Brien–Fleming C = 2.040 (J&T Tables 2.1, 2.3).
 */
export function constantShapeBoundaries(design: ConstantShapeDesign): {
  constant: number;
  boundaries: number[];
} {
  const { shape, looks, alpha, sides } = design;
  if (shape !== "pocock" && shape !== "obrien-fleming")
    throw new RangeError(`shape must be pocock or obrien-fleming, got ${String(shape)}`);
  if (!(Number.isInteger(looks) && looks >= 1 && looks <= 100))
    throw new RangeError(`looks must be an integer in [1, 100], got ${looks}`);
  requireSpendingAlpha(alpha);
  if (sides !== 1 && sides !== 2) throw new RangeError(`sides must be 1 or 2, got ${sides}`);
  const r = design.gridPointsPerSd ?? DEFAULT_GRID_POINTS_PER_SD;
  const information = Array.from({ length: looks }, (_, k) => k + 1);
  const shapeOf = (k: number) => (shape === "pocock" ? 1 : Math.sqrt(looks / (k + 1)));
  const boundariesFor = (constant: number) => information.map((_, k) => constant * shapeOf(k));
  const logExcess = (constant: number) => {
    const upper = boundariesFor(constant);
    const lower = sides === 2 ? upper.map((b) => -b) : upper.map(() => Number.NEGATIVE_INFINITY);
    const p = crossingProbabilities(information, lower, upper, 0, r);
    const total = p.upper.reduce((a, b) => a + b, 0) + p.lower.reduce((a, b) => a + b, 0);
    return Math.log(alpha) - Math.log(total); // increasing in the constant
  };
  const start = -normalQuantile(alpha / sides);
  const constant = increasingRoot(logExcess, start - 1, start + 3, 1e-10);
  return { constant, boundaries: boundariesFor(constant) };
}

/**
 * Power, crossing probabilities by look and the stopping-information distribution of a schedule of
 * boundaries at drift δ = θ√I_K (E[Z_k] = δ·√(I_k/I_K)). quantile defaults to 0.8.
 */
export function operatingCharacteristics(
  schedule: BoundarySchedule,
  drift: number,
  options: { quantile?: number; gridPointsPerSd?: number } = {},
): OperatingCharacteristics {
  const { information, upper } = schedule;
  requireInformationLevels(information, "schedule.information");
  if (!Number.isFinite(drift)) throw new RangeError(`drift must be finite, got ${drift}`);
  const quantile = options.quantile ?? 0.8;
  requireProbability("quantile", quantile);
  const lower = schedule.lower ?? information.map(() => Number.NEGATIVE_INFINITY);
  const theta = drift / Math.sqrt(information[information.length - 1]);
  const p = crossingProbabilities(information, lower, upper, theta, options.gridPointsPerSd);
  const last = information.length - 1;
  let stopped = 0;
  let crossed = 0;
  let expected = 0;
  let stoppingQuantile: number | null = null;
  let crossingQuantile: number | null = null;
  for (let k = 0; k <= last; k++) {
    const stopHere = k === last ? 1 - stopped : p.upper[k] + p.lower[k];
    stopped += stopHere;
    crossed += p.upper[k];
    expected += information[k] * stopHere;
    if (stopped >= quantile && stoppingQuantile === null) stoppingQuantile = information[k];
    if (crossed >= quantile && crossingQuantile === null) crossingQuantile = information[k];
  }
  return {
    upperCrossing: p.upper,
    lowerCrossing: p.lower,
    power: crossed,
    expectedStoppingInformation: expected,
    stoppingInformationQuantile: stoppingQuantile ?? information[last],
    crossingInformationQuantile: crossingQuantile,
  };
}

/** The drift δ = θ√I_K at which a schedule of boundaries has the given power (upper crossings only). */
export function driftForPower(schedule: BoundarySchedule, power: number, gridPointsPerSd?: number): number {
  requireProbability("power", power);
  const powerAt = (drift: number) => operatingCharacteristics(schedule, drift, { gridPointsPerSd }).power;
  if (powerAt(0) >= power)
    throw new RangeError(`power must exceed the schedule's level ${powerAt(0)}, got ${power}`);
  let hi = 4;
  while (powerAt(hi) < power) {
    hi *= 2;
    if (hi > 1e3) throw new RangeError(`no drift below ${hi} reaches power ${power}`);
  }
  return increasingRoot((drift) => powerAt(drift) - power, 0, hi, 1e-9);
}

/**
 * A one-sided spending-function design planned at information fractions t_1 < … < t_K = 1 (spending
 * fraction and I_k/I_K alike): its boundaries, the drift for the requested power, the inflation factor over
 * a fixed-sample test and, given the effect θ, the maximum information I_K = (δ/θ)².
 */
export function planGroupSequential(plan: {
  alpha: number;
  spending: SpendingFunction;
  fractions: readonly number[];
  power: number;
  effect?: number;
  gridPointsPerSd?: number;
}): SpendingPlan {
  const { alpha, spending, fractions, power, effect, gridPointsPerSd } = plan;
  requireInformationLevels(fractions, "fractions");
  if (fractions[fractions.length - 1] !== 1)
    throw new RangeError(`fractions must end at 1, got ${fractions[fractions.length - 1]}`);
  requireProbability("power", power);
  if (effect !== undefined && !(effect > 0 && Number.isFinite(effect)))
    throw new RangeError(`effect must be a positive finite number, got ${effect}`);
  const boundaries = groupSequentialBoundaries(
    { alpha, spending, gridPointsPerSd },
    fractions.map((t) => ({ information: t, fraction: t })),
  );
  const drift = driftForPower({ information: fractions, upper: boundaries }, power, gridPointsPerSd);
  const fixedDrift = normalQuantile(1 - alpha) + normalQuantile(power);
  return {
    boundaries,
    drift,
    fixedDrift,
    inflation: (drift / fixedDrift) ** 2,
    maxInformation: effect === undefined ? null : (drift / effect) ** 2,
  };
}
