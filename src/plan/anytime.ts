/**
 * A claim under the anytime-valid bound (the judge's default). At every look the engine's one-sided
 * normal mixture gives the half-width anytimeHalfWidth(se, alpha, scale) (src/gates/sequential.ts),
 * at the claim's alpha and tuning scale; ./looks.ts turns the looks into the probability of having
 * proven the claim by each.
 *
 * `anytimeCount` is the single-look answer: the smallest n at which one look alone proves the claim
 * in a share `power` of runs, effect − z_power·se(n) ≥ anytimeHalfWidth(se(n)). Looking more often
 * can only help, so it bounds the look-by-look answer from above and says how many looks to
 * integrate over; claims not on the engine's bound (DirectClaim) use it as their answer.
 */
import { anytimeHalfWidth } from "../gates/sequential.js";
import { normalQuantile } from "../stats/normal.js";
import type { Claim, ContrastClaim } from "./claims.js";
import { crossingOutcome, informativeLooks, type LookOutcome, oneSidedPower } from "./looks.js";

/** Largest count a plan searches (beyond it the claim is out of reach at this traffic). */
export const MAX_COUNT = 1e12;

/** Smallest integer n ≥ minN with ok(n), for an ok that stays true once true; null beyond MAX_COUNT. */
export function smallestCount(ok: (n: number) => boolean, minN: number): number | null {
  let lo = Math.max(1, Math.ceil(minN));
  if (ok(lo)) return lo;
  let hi = lo * 2;
  while (!ok(hi)) {
    lo = hi;
    hi *= 2;
    if (hi > MAX_COUNT) return null;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Whether a single look at n proves the claim in a share `power` of runs. */
export function anytimeProves(claim: ContrastClaim, power: number): (n: number) => boolean {
  const z = normalQuantile(oneSidedPower(claim, power)) + (claim.offset ?? 0);
  return (n) => {
    const se = claim.se(n);
    return claim.effect - z * se >= anytimeHalfWidth(se, claim.alpha, claim.scale);
  };
}

/** Single-look count at which a share `power` of runs has made the claim; null if out of reach. */
export function anytimeCount(claim: Claim, power: number): number | null {
  if (claim.kind === "direct") return smallestCount((n) => claim.margin(n, power) >= 0, claim.minN);
  return smallestCount(anytimeProves(claim, power), claim.minN);
}

/** The claim under the anytime-valid bound at looks with candidate counts `counts`. */
export function anytimeOutcome(claim: Claim, counts: readonly number[], power: number): LookOutcome {
  if (claim.kind === "direct") {
    const n = anytimeCount(claim, power);
    const j = n === null ? -1 : counts.findIndex((c) => c >= n);
    return { power: j >= 0 ? power : 0, look: j >= 0 ? j + 1 : null };
  }
  const looks = informativeLooks(claim, counts);
  const multipliers = looks.map((l) => {
    const se = 1 / Math.sqrt(l.information);
    return anytimeHalfWidth(se, claim.alpha, claim.scale) / se;
  });
  return crossingOutcome(claim, looks, multipliers, power);
}
