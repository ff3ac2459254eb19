/**
 * Recursive numerical integration for the canonical joint distribution of group-sequential statistics
 * (Armitage, McPherson & Rowe 1969; Jennison & Turnbull 2000, "Group Sequential Methods with Applications
 * to Clinical Trials", ch. 19; grid and density representation in ./group-sequential-grid.ts).
 *
 * Canonical form: Z_k = S_k/√I_k where S is a Brownian motion with drift θ observed at information levels
 * I_1 < I_2 < …, so E[Z_k] = θ√I_k and corr(Z_j, Z_k) = √(I_j/I_k) (only ratios of I matter). With
 * Δ = I_k − I_{k−1}, the density of Z_k = z given Z_{k−1} = y is
 *
 *   f(z | y) = √(I_k/Δ) · φ((z√I_k − y√I_{k−1} − θΔ)/√Δ),
 *
 * a normal kernel in y of width w = √(Δ/I_{k−1}) centred at y*(z) = (z√I_k − θΔ)/√I_{k−1}. The sub-density
 * of a run that has not stopped by look k is h_k(z) = ∫ h_{k−1}(y) f(z | y) dy over look k − 1's
 * continuation region, h_1(z) = φ(z − θ√I_1); a crossing probability at look k is the same integral with f
 * replaced by its normal tail, so it costs O(m) once h_{k−1} is known.
 *
 * J&T's Simpson rule on the grid is accurate while the kernel is wide compared with the grid (J&T report
 * ≈ 1e-6 absolute error at r = 16). Looks close together in information (as when a judge is asked
 * every minute) make the kernel narrower than the grid can resolve, so below w = 0.5 each integral runs
 * over y* ± 10w (the kernel beyond holds less than e^{−50} of it) with 64 equal Simpson steps on the
 * interpolated h_{k−1}; a crossing probability splits into the mass of h_{k−1} beyond the kernel's centre
 * plus that smooth correction. Cost per look: O(m²) on the grid (only kernel-reachable pairs are summed),
 * O(64·m) refined.
 */
import {
  DEFAULT_GRID_POINTS_PER_SD,
  KERNEL_REACH,
  type LookDensity,
  lookDensity,
  massBetween,
  refinedIntegral,
  refinedKernelIntegral,
  requireGridPointsPerSd,
  requireInformationLevels,
  simpsonGrid,
} from "./group-sequential-grid.js";
import { normalUpperTail } from "./normal-cody.js";

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
/** Kernel widths (in sd of Z_{k−1}) below which integrals leave the grid for the refined rule. */
const REFINE_BELOW = 0.5;

/** Sub-density after the first look, on the grid of (lower, upper). */
export function firstLookDensity(
  information: number,
  theta: number,
  lower: number,
  upper: number,
  r: number,
): LookDensity {
  const mean = theta * Math.sqrt(information);
  const grid = simpsonGrid(mean, lower, upper, r);
  const weighted = grid.points.map(
    (z, i) => grid.weights[i] * INV_SQRT_2PI * Math.exp(-0.5 * (z - mean) ** 2),
  );
  return lookDensity(information, grid, weighted);
}

/** Sub-density after look k (continuation region (lower, upper)) from the one after look k − 1. */
export function nextDensity(
  previous: LookDensity,
  information: number,
  theta: number,
  lower: number,
  upper: number,
  r: number,
): LookDensity {
  const delta = information - previous.information;
  const sqrtInfo = Math.sqrt(information);
  const sqrtPrevious = Math.sqrt(previous.information);
  const width = Math.sqrt(delta) / sqrtPrevious;
  const grid = simpsonGrid(theta * sqrtInfo, lower, upper, r, Math.sqrt(delta / information));
  const scale = Math.sqrt(information / delta) * INV_SQRT_2PI;
  const values =
    width >= REFINE_BELOW
      ? onGrid(previous, grid.points, sqrtInfo, sqrtPrevious, theta * delta, delta)
      : grid.points.map((z) =>
          refinedKernelIntegral(previous, (z * sqrtInfo - theta * delta) / sqrtPrevious, width),
        );
  return lookDensity(
    information,
    grid,
    values.map((v, j) => grid.weights[j] * scale * v),
  );
}

/** Σ_i w_i h(y_i) e^{−(z√I − y_i√I' − θΔ)²/2Δ} for each z: J&T's rule, pairs beyond 10√Δ skipped. */
function onGrid(
  previous: LookDensity,
  points: number[],
  sqrtInfo: number,
  sqrtPrevious: number,
  shift: number,
  delta: number,
): number[] {
  const from = previous.points.map((y) => y * sqrtPrevious + shift);
  const mass = previous.weighted;
  const half = 0.5 / delta;
  const reach = KERNEL_REACH * Math.sqrt(delta);
  const sums = new Array<number>(points.length);
  let first = 0;
  for (let j = 0; j < points.length; j++) {
    const target = points[j] * sqrtInfo;
    while (first < from.length && from[first] < target - reach) first++;
    let sum = 0;
    for (let i = first; i < from.length && from[i] <= target + reach; i++) {
      const d = target - from[i];
      sum += mass[i] * Math.exp(-half * d * d);
    }
    sums[j] = sum;
  }
  return sums;
}

/**
 * P(continue to look k, Z_k ≥ upper) and its derivative in `upper` (≤ 0), from the density after look
 * k − 1. Before the first look (previous = null) this is the normal tail of Z_1.
 */
export function upperCrossing(
  previous: LookDensity | null,
  information: number,
  theta: number,
  upper: number,
): { probability: number; slope: number } {
  if (upper === Number.POSITIVE_INFINITY) return { probability: 0, slope: 0 };
  if (previous === null) {
    const u = upper - theta * Math.sqrt(information);
    return { probability: normalUpperTail(u), slope: -INV_SQRT_2PI * Math.exp(-0.5 * u * u) };
  }
  const delta = information - previous.information;
  const sqrtDelta = Math.sqrt(delta);
  const sqrtPrevious = Math.sqrt(previous.information);
  const width = sqrtDelta / sqrtPrevious;
  const centre = (upper * Math.sqrt(information) - theta * delta) / sqrtPrevious; // where P(cross | y) = ½
  const scale = Math.sqrt(information) / sqrtDelta;
  if (width >= REFINE_BELOW) {
    let probability = 0;
    let slope = 0;
    for (let i = 0; i < previous.points.length; i++) {
      const u = (centre - previous.points[i]) / width;
      probability += previous.weighted[i] * normalUpperTail(u);
      slope -= previous.weighted[i] * INV_SQRT_2PI * Math.exp(-0.5 * u * u);
    }
    return { probability, slope: slope * scale };
  }
  const reach = KERNEL_REACH * width;
  const probability =
    massBetween(previous, centre, Number.POSITIVE_INFINITY) +
    refinedIntegral(previous, centre - reach, centre, (y) => normalUpperTail((centre - y) / width)) -
    refinedIntegral(previous, centre, centre + reach, (y) => normalUpperTail((y - centre) / width));
  const density = (y: number) => INV_SQRT_2PI * Math.exp(-0.5 * ((centre - y) / width) ** 2);
  const slope = -scale * refinedIntegral(previous, centre - reach, centre + reach, density);
  return { probability: Math.max(0, probability), slope };
}

/** P(continue to look k, Z_k ≤ lower), from the density after look k − 1 (null before the first look). */
export function lowerCrossing(
  previous: LookDensity | null,
  information: number,
  theta: number,
  lower: number,
): number {
  if (lower === Number.NEGATIVE_INFINITY) return 0;
  if (previous === null) return normalUpperTail(theta * Math.sqrt(information) - lower);
  const delta = information - previous.information;
  const sqrtPrevious = Math.sqrt(previous.information);
  const width = Math.sqrt(delta) / sqrtPrevious;
  const centre = (lower * Math.sqrt(information) - theta * delta) / sqrtPrevious;
  if (width >= REFINE_BELOW) {
    let probability = 0;
    for (let i = 0; i < previous.points.length; i++)
      probability += previous.weighted[i] * normalUpperTail((previous.points[i] - centre) / width);
    return probability;
  }
  const reach = KERNEL_REACH * width;
  const probability =
    massBetween(previous, Number.NEGATIVE_INFINITY, centre) -
    refinedIntegral(previous, centre - reach, centre, (y) => normalUpperTail((centre - y) / width)) +
    refinedIntegral(previous, centre, centre + reach, (y) => normalUpperTail((y - centre) / width));
  return Math.max(0, probability);
}

/**
 * First-crossing probabilities of given boundaries: upper[k] = P(a_j < Z_j < b_j for j < k, Z_k ≥ b_k) and
 * lower[k] likewise for Z_k ≤ a_k, with E[Z_k] = θ√I_k. Boundaries may be ±∞. O(K·m²).
 */
export function crossingProbabilities(
  information: readonly number[],
  lowerBounds: readonly number[],
  upperBounds: readonly number[],
  theta: number,
  r: number = DEFAULT_GRID_POINTS_PER_SD,
): { upper: number[]; lower: number[] } {
  requireInformationLevels(information);
  requireGridPointsPerSd(r);
  if (!Number.isFinite(theta)) throw new RangeError(`theta must be finite, got ${theta}`);
  for (const [name, bounds] of [
    ["lowerBounds", lowerBounds],
    ["upperBounds", upperBounds],
  ] as const) {
    if (bounds.length !== information.length)
      throw new RangeError(
        `${name} must have one entry per look (${information.length}), got ${bounds.length}`,
      );
    bounds.forEach((b, k) => {
      if (typeof b !== "number" || Number.isNaN(b))
        throw new RangeError(`${name}[${k}] must be a number, got ${b}`);
    });
  }
  const upper: number[] = [];
  const lower: number[] = [];
  let density: LookDensity | null = null;
  for (let k = 0; k < information.length; k++) {
    upper.push(upperCrossing(density, information[k], theta, upperBounds[k]).probability);
    lower.push(lowerCrossing(density, information[k], theta, lowerBounds[k]));
    if (k === information.length - 1) break;
    density =
      density === null
        ? firstLookDensity(information[k], theta, lowerBounds[k], upperBounds[k], r)
        : nextDensity(density, information[k], theta, lowerBounds[k], upperBounds[k], r);
  }
  return { upper, lower };
}
