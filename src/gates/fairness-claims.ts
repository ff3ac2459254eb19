import type { GroupCounts } from "../sketch/group-counts.js";
import { type Contrast, lowerBound, upperBound } from "./sequential.js";

/**
 * The contrasts the fairness gate decides on, one per ordered pair of groups (g, h) of one protected
 * attribute: the candidate's selection-rate ratio s_g/s_h against the floor (in logs) and against the
 * baseline's parity ratio minus the tolerated drop, and the TPR and FPR gaps. Rates enter through
 * the delta method with a half-count continuity correction s̃ = (x + ½)/(n + 1), so a group with no
 * (or only) positive decisions gives a finite estimate and a nonzero variance.
 */

export type Rate = { x: number; n: number };

const smoothed = (r: Rate) => (r.x + 0.5) / (r.n + 1);
/** Var of ln ŝ ≈ (1 − s)/(s·n) (delta method). */
const logVariance = (r: Rate) => {
  const s = smoothed(r);
  return (1 - s) / (s * r.n);
};

/** ln(s_g/s_h) with its standard error. */
export function logRatio(g: Rate, h: Rate): Contrast {
  return {
    estimate: Math.log(smoothed(g)) - Math.log(smoothed(h)),
    se: Math.sqrt(logVariance(g) + logVariance(h)),
  };
}

/** s_g/s_h with its delta-method variance (linear scale: the tolerated drop is additive). */
function ratio(g: Rate, h: Rate): { value: number; variance: number } {
  const value = smoothed(g) / smoothed(h);
  return { value, variance: value * value * (logVariance(g) + logVariance(h)) };
}

/** ρ_b(u, v) − ρ_c(g, h): how far the candidate pair's ratio lies below a baseline pair's. */
export function ratioGap(baseline: [Rate, Rate], candidate: [Rate, Rate]): Contrast {
  const b = ratio(...baseline);
  const c = ratio(...candidate);
  return { estimate: b.value - c.value, se: Math.sqrt(b.variance + c.variance) };
}

/** p_g − p_h of two rates with smoothed binomial variances. */
export function rateGap(g: Rate, h: Rate): Contrast {
  const v = (r: Rate) => {
    const s = smoothed(r);
    return (s * (1 - s)) / r.n;
  };
  return { estimate: g.x / g.n - h.x / h.n, se: Math.sqrt(v(g) + v(h)) };
}

export const selectionOf = (c: GroupCounts): Rate => ({ x: c.selected, n: c.n });
export const tprOf = (c: GroupCounts): Rate => ({ x: c.tp, n: c.tp + c.fn });
export const fprOf = (c: GroupCounts): Rate => ({ x: c.fp, n: c.fp + c.tn });

/** Ordered pairs of distinct names. */
export function orderedPairs<T>(items: T[]): [T, T][] {
  const out: [T, T][] = [];
  for (const a of items) for (const b of items) if (a !== b) out.push([a, b]);
  return out;
}

/**
 * Anytime-valid bounds on one group's rate, for the per-group table (display: the decisions rest on
 * the pair contrasts). Clipped to [0, 1].
 */
export function rateBounds(r: Rate, alpha: number, scale: number): [number, number] {
  const s = smoothed(r);
  const c = { estimate: r.x / r.n, se: Math.sqrt((s * (1 - s)) / r.n) };
  return [Math.max(0, lowerBound(c, alpha, scale)), Math.min(1, upperBound(c, alpha, scale))];
}
