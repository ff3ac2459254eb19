import { asymptoticCsHalfWidth } from "../stats/asymptotic-cs.js";

/**
 * Simultaneous anytime-valid intervals for group rates (selection rate, TPR, FPR) and the bounds
 * they imply on the spread between groups (fairlearn's between-groups ratio and difference). Used by
 * the fairness gate; see docs/gates/fairness.md.
 */
export type Interval = [number, number];

/** Spread of one rate across judged groups: point estimates, extreme groups, and anytime-valid bounds. */
export interface Spread {
  ratio: number;
  ratioInterval: Interval;
  difference: number;
  differenceInterval: Interval;
  lowest: string;
  highest: string;
}

export interface GroupRate {
  group: string;
  rate: number;
  interval: Interval;
}

/**
 * Anytime-valid interval for a Bernoulli rate x/n: the asymptotic confidence sequence of Waudby-Smith et
 * al. (2023) with the Laplace-smoothed variance p̃(1 − p̃), p̃ = (x + 1)/(n + 2), so that a rate of 0 or 1
 * does not produce a zero-width interval; clipped to [0, 1].
 */
export function rateInterval(x: number, n: number, alpha: number, tuningN: number): Interval {
  const p = x / n;
  const smoothed = (x + 1) / (n + 2);
  const half = asymptoticCsHalfWidth(n, smoothed * (1 - smoothed), alpha, tuningN);
  return [Math.max(0, p - half), Math.min(1, p + half)];
}

/** Ratio min/max and difference max − min with bounds implied by simultaneous per-group intervals. */
export function spread(rates: GroupRate[]): Spread | null {
  if (rates.length === 0) return null;
  let lowest = rates[0];
  let highest = rates[0];
  let minLow = 1;
  let minHigh = 1;
  let maxLow = 0;
  let maxHigh = 0;
  for (const r of rates) {
    if (r.rate < lowest.rate) lowest = r;
    if (r.rate > highest.rate) highest = r;
    minLow = Math.min(minLow, r.interval[0]);
    minHigh = Math.min(minHigh, r.interval[1]);
    maxLow = Math.max(maxLow, r.interval[0]);
    maxHigh = Math.max(maxHigh, r.interval[1]);
  }
  // Where every rate may be 0 the groups may all be equal: the ratio's upper bound is 1 (as 0/0 is
  // read in fairness.ts).
  const ratio = highest.rate === 0 ? 1 : lowest.rate / highest.rate;
  return {
    ratio,
    ratioInterval: [maxHigh === 0 ? 0 : minLow / maxHigh, maxLow === 0 ? 1 : Math.min(1, minHigh / maxLow)],
    difference: highest.rate - lowest.rate,
    differenceInterval: [Math.max(0, maxLow - minHigh), maxHigh - minLow],
    lowest: lowest.group,
    highest: highest.group,
  };
}
