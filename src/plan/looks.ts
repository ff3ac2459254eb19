/**
 * The probability that a claim has been proven by each look of a run, for boundaries given as
 * z-multipliers c_k (proven at look k when (θ̂_k − tolerance)/se_k ≥ c_k): the recursive numerical
 * integration of src/stats/group-sequential-design.ts (operatingCharacteristics) over the looks'
 * information 1/se², at the claim's true effect. Both of the judge's modes come down to this: the
 * anytime-valid bound is c_k = anytimeHalfWidth(se_k)/se_k at every look, a declared schedule's the
 * group-sequential boundaries (./anytime.ts, ./declared.ts). Counting every look, not only the
 * last, matters: with many looks a run crosses at some look well before a single look would
 * prove it in `power` of runs.
 */
import { operatingCharacteristics } from "../stats/group-sequential-design.js";
import { normalCdf, normalQuantile } from "../stats/normal.js";
import { normalRangeCdf, normalRangeQuantile } from "../stats/normal-range.js";
import type { ContrastClaim } from "./claims.js";

/** Grid density of the numerical integration: planning needs less than the judge's 16 per sd. */
export const PLAN_GRID_POINTS_PER_SD = 8;

export interface LookOutcome {
  /** probability that the claim is proven by the last look */
  power: number;
  /** 1-based look by which a share `power` of runs proved it; null if not within the looks */
  look: number | null;
}

/** A look at which the claim's information grew: its index among all looks and its information. */
export interface InformativeLook {
  index: number;
  information: number;
  /** the gate can decide at this look (its minimum count is met) */
  decides: boolean;
}

/**
 * The looks at candidate counts `counts` that bring the claim new information. A look without data,
 * or below the minimum count of a gate that skips its bounds there, is dropped; so is a look without
 * more information than the last (the judge reuses the last boundary there).
 */
export function informativeLooks(claim: ContrastClaim, counts: readonly number[]): InformativeLook[] {
  const looks: InformativeLook[] = [];
  let last = 0;
  counts.forEach((n, index) => {
    const decides = n >= claim.minN;
    if (!(n > 0) || (!decides && !claim.spendsBelowMin)) return;
    const se = claim.se(n);
    if (!(se > 0 && Number.isFinite(se))) return;
    const information = 1 / (se * se);
    if (!(information > last * (1 + 1e-9))) return;
    looks.push({ index, information, decides });
    last = information;
  });
  return looks;
}

/**
 * The share of runs in which the claim's one-sided version must hold so that the claim holds in
 * `power` of them. For every ordered pair of g groups the groups' estimates must lie within the
 * margin of one another (their range, in units of one group's sd, ≤ R_power), which one pair's
 * one-sided claim meets in Φ(R_power/√2) of runs — (1 + power)/2 for two groups.
 */
export function oneSidedPower(claim: ContrastClaim, power: number): number {
  if (!claim.everyPair) return power;
  return normalCdf(normalRangeQuantile(claim.everyPair, power) / Math.SQRT2);
}

/** The inverse of oneSidedPower: the claim's power when its one-sided version holds in `oneSided` of runs. */
export function claimPower(claim: ContrastClaim, oneSided: number): number {
  if (!claim.everyPair || !(oneSided > 0.5)) return claim.everyPair ? 0 : oneSided;
  return normalRangeCdf(claim.everyPair, Math.SQRT2 * normalQuantile(Math.min(oneSided, 1 - 1e-15)));
}

/** Crossing probabilities of the boundaries `multipliers` (one per informative look). */
export function crossingOutcome(
  claim: ContrastClaim,
  looks: readonly InformativeLook[],
  multipliers: readonly number[],
  power: number,
): LookOutcome {
  const deciding = looks.filter((l) => l.decides);
  if (deciding.length === 0) return { power: 0, look: null };
  if (!Number.isFinite(claim.effect)) return { power: 1, look: deciding[0].index + 1 };
  const information = looks.map((l) => l.information);
  const offset = claim.offset ?? 0;
  const upper = multipliers.map((c, i) => (looks[i].decides ? c + offset : Number.POSITIVE_INFINITY));
  const target = oneSidedPower(claim, power);
  const oc = operatingCharacteristics(
    { information, upper },
    claim.effect * Math.sqrt(information[information.length - 1]),
    { quantile: target, gridPointsPerSd: PLAN_GRID_POINTS_PER_SD },
  );
  const own = claimPower(claim, oc.power);
  let crossed = 0;
  for (let i = 0; i < looks.length; i++) {
    crossed += oc.upperCrossing[i];
    if (crossed >= target) return { power: own, look: looks[i].index + 1 };
  }
  return { power: own, look: null };
}
