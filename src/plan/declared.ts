/**
 * A claim under a declared look schedule (the judge's `looks`/`spending`): the group-sequential bound
 * at (1 − RESERVE) of the claim's alpha over K looks, with spending fraction k/K at the k-th look and
 * boundaries from each look's information 1/se², as src/gates/sequential.ts computes them
 * (groupSequentialBoundaries); ./looks.ts gives the probability of having proven the claim by each
 * look. The anytime-valid reserve the judge runs beside it can only decide sooner, so the counts
 * here are at most a little late.
 *
 * The horizon of a claim is the shortest run whose K equally spaced looks prove it in a share
 * `power` of runs by the last look: the group-sequential maximum sample size (planGroupSequential's
 * maxInformation, when information grows like the count).
 */
import { RESERVE } from "../gates/sequential.js";
import type { SpendingFunction } from "../stats/alpha-spending.js";
import { groupSequentialBoundaries } from "../stats/group-sequential.js";
import { normalQuantile } from "../stats/normal.js";
import { anytimeCount, MAX_COUNT, smallestCount } from "./anytime.js";
import type { Claim } from "./claims.js";
import {
  crossingOutcome,
  informativeLooks,
  type LookOutcome,
  oneSidedPower,
  PLAN_GRID_POINTS_PER_SD,
} from "./looks.js";
import type { CountCurve } from "./traffic.js";

/** The claim under a schedule of K declared looks with candidate counts `counts` (K = counts.length). */
export function declaredOutcome(
  claim: Claim,
  counts: readonly number[],
  spending: SpendingFunction,
  power: number,
): LookOutcome {
  if (claim.kind === "direct") {
    // decided on bounds that ignore the schedule: at the first look with the count it needs
    const n = anytimeCount(claim, power);
    const j = n === null ? -1 : counts.findIndex((c) => c >= n);
    return { power: j >= 0 ? power : 0, look: j >= 0 ? j + 1 : null };
  }
  const looks = informativeLooks(claim, counts);
  if (looks.length === 0) return { power: 0, look: null };
  const boundaries = groupSequentialBoundaries(
    { alpha: (1 - RESERVE) * claim.alpha, spending, gridPointsPerSd: PLAN_GRID_POINTS_PER_SD },
    looks.map((l) => ({ information: l.information, fraction: (l.index + 1) / counts.length })),
  );
  return crossingOutcome(claim, looks, boundaries, power);
}

/** Candidate counts at K looks equally spaced over `horizon` ms. */
export function evenLooks(curve: CountCurve, horizon: number, looks: number): number[] {
  return Array.from({ length: looks }, (_, j) => curve.countAt((horizon * (j + 1)) / looks));
}

/**
 * Shortest run (ms) whose `looks` equally spaced declared looks prove the claim in a share `power`
 * of runs by the last look; null if out of reach. Starts just above the fixed-sample count at the
 * group-sequential part's alpha (a schedule of looks needs a little more), widens by a fifth until
 * the power is reached, then bisects to 1%.
 */
export function declaredHorizon(
  claim: Claim,
  curve: CountCurve,
  looks: number,
  spending: SpendingFunction,
  power: number,
): number | null {
  if (claim.kind === "direct") {
    const n = anytimeCount(claim, power);
    return n === null ? null : curve.timeToReach(n);
  }
  const z =
    normalQuantile(1 - (1 - RESERVE) * claim.alpha) +
    normalQuantile(oneSidedPower(claim, power)) +
    (claim.offset ?? 0);
  const fixed = smallestCount((n) => claim.effect >= z * claim.se(n), claim.minN);
  if (fixed === null) return null;
  const reaches = (horizon: number) =>
    declaredOutcome(claim, evenLooks(curve, horizon, looks), spending, power).power >= power;
  const step = 1.2;
  let hi = curve.timeToReach(fixed * 1.05);
  let lo = hi / step;
  while (reaches(lo) && curve.countAt(lo) > 1) {
    hi = lo;
    lo /= step;
  }
  while (!reaches(hi)) {
    lo = hi;
    hi *= step;
    if (curve.countAt(hi) > MAX_COUNT) return null;
  }
  while (hi / lo > 1.01) {
    const mid = Math.sqrt(lo * hi);
    if (reaches(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
