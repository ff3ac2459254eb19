import type { SpendingFunction } from "../stats/alpha-spending.js";
import {
  type GroupSequentialState,
  type LookAhead,
  lookAhead,
  startGroupSequential,
  stepGroupSequential,
} from "../stats/group-sequential.js";
import { normalQuantile } from "../stats/normal.js";
import { oneSidedMixtureBoundary, oneSidedMixtureRho } from "../stats/one-sided-normal-mixture.js";

/**
 * The decision engine every gate shares: a gate reduces each of its claims to a contrast — an
 * asymptotically normal estimate θ̂ with standard error se (a log quantile ratio, an AUC difference,
 * a parity ratio, a rate difference) — and asks here for a one-sided confidence bound on θ at this
 * look. A claim "θ > θ₀" is proven when the lower bound exceeds θ₀; "θ < θ₀" when the upper bound is
 * below it. Keeping the bound in one place is what makes every gate's guarantee the same statement.
 *
 * Anytime-valid (the default): the one-sided normal mixture (Howard et al. 2021) on the contrast
 * itself, in intrinsic time V = 1/se² — the asymptotic confidence sequence of Waudby-Smith et al.
 * (2023) for an asymptotically linear estimate — so the two arms' variances add (one sequence for the
 * difference) rather than each arm being bounded separately and combined at its worst ends. The
 * mixture is tuned where the gate's decisions fall: at the information a fixed-sample test would need
 * to resolve an effect the size of the gate's tolerance (`scale`) with 80% power, times TUNING_FACTOR.
 * The tuning depends on the tolerance and alpha only, never on the data, so the bound stays valid
 * whatever Argo's schedule.
 *
 * Declared look schedule (a SequentialContext with `looks`): a group-sequential bound with a Lan–DeMets
 * spending function over the declared looks (spending fraction t_k = k/K, the look's index over the
 * declared count) and boundaries from the observed information of this run's earlier looks
 * (src/stats/group-sequential.ts), at (1 − RESERVE)·alpha; the anytime-valid bound at RESERVE·alpha
 * runs beside it, and a claim needs only one of the two (union bound: the error stays ≤ alpha). Looks
 * beyond the declared count spend nothing more of the group-sequential part, so only the anytime
 * reserve can still decide there: asking more often than declared never makes an answer invalid.
 */
export const TUNING_FACTOR = 2;
/** Share of alpha kept for the anytime-valid bound when a look schedule is declared. */
export const RESERVE = 0.1;

export interface Contrast {
  /** θ̂ */
  estimate: number;
  /** standard error of θ̂ (> 0) */
  se: number;
}

/** One look of a contrast in a run: its information 1/se² and the spending fraction of the look. */
export interface LookInformation {
  information: number;
  fraction: number;
}

/** What the engine needs about the run when a look schedule is declared (one context per gate). */
export interface SequentialContext {
  /** this look's 1-based index in the run */
  look: number;
  /** declared number of looks */
  looks: number;
  spending: SpendingFunction;
  /** the run's earlier looks of a contrast at which its information grew (key unique within the gate) */
  history(key: string): readonly LookInformation[];
  /**
   * group-sequential looks already taken in this run, by alpha and history (contrasts of a gate whose
   * information grew alike share them; bounded by the owner, which may compute `state` while idle)
   */
  cache: {
    get(key: string): TakenLook | undefined;
    set(key: string, look: TakenLook): void;
  };
  /** this look's information per contrast, filled by the engine for the judge to keep */
  observed: Map<string, LookInformation>;
}

/**
 * A look taken: bounds on its boundary (the z-multiplier, +∞ when it could not decide) at once, the
 * boundary and the state after it on demand (each computed once) — a look whose boundary cannot beat
 * the anytime reserve needs no integration, and the density update a later look needs is not on this
 * look's critical path.
 */
export interface TakenLook {
  bracket: readonly [number, number];
  boundary: () => number;
  state: () => GroupSequentialState;
  /**
   * The run's next look, prepared ahead (`prepare`, on idle turns): its boundaries at a few information
   * levels, for the spending fraction it will have if it comes as declared; the look then needs no
   * root-find when its information falls in the table's range.
   */
  ahead?: LookAhead;
  prepare?: () => void;
}

/** The look's multiplier where it matters: the boundary, or the bracket's low end when that is ≥ `beat`. */
function multiplier(taken: TakenLook, beat: number): number {
  return taken.bracket[0] >= beat ? taken.bracket[0] : taken.boundary();
}

/** A contrast's place in the run: its key and the run's context (absent: anytime-valid only). */
export interface Sequence {
  context: SequentialContext | undefined;
  key: string;
}

const Z_POWER = normalQuantile(0.8);
/** z(1 − α) by alpha: a judgement asks for a handful of alphas many times (a pure cache, bounded). */
const zOfAlpha = new Map<number, number>();

/** Intrinsic time at which the mixture for a claim at `alpha` on an effect scale `scale` is tightest. */
export function tuningInformation(alpha: number, scale: number): number {
  let za = zOfAlpha.get(alpha);
  if (za === undefined) {
    za = normalQuantile(1 - alpha);
    if (zOfAlpha.size > 1000) zOfAlpha.clear();
    zOfAlpha.set(alpha, za);
  }
  return TUNING_FACTOR * ((za + Z_POWER) / scale) ** 2;
}

/** Half-width b(V)/V of the anytime-valid one-sided bound at information V = 1/se². */
export function anytimeHalfWidth(se: number, alpha: number, scale: number): number {
  if (!(se > 0 && Number.isFinite(se))) return Number.POSITIVE_INFINITY;
  const v = 1 / (se * se);
  const rho = oneSidedMixtureRho(tuningInformation(alpha, scale), alpha);
  return oneSidedMixtureBoundary(v, rho, alpha) / v;
}

const cacheKey = (alpha: number, looks: readonly LookInformation[]) =>
  `${alpha}|${looks.map((l) => `${l.information}:${l.fraction}`).join(",")}`;

/** The run's looks so far at `alpha` (from the context's cache, else replayed): boundary and state. */
function lookAfter(context: SequentialContext, alpha: number, looks: readonly LookInformation[]): TakenLook {
  if (looks.length === 0) {
    const start = startGroupSequential({ alpha, spending: context.spending });
    const none = Number.POSITIVE_INFINITY;
    return { bracket: [none, none], boundary: () => none, state: () => start };
  }
  const id = cacheKey(alpha, looks);
  const cached = context.cache.get(id);
  if (cached) return cached;
  let state = startGroupSequential({ alpha, spending: context.spending });
  for (const look of looks) state = stepGroupSequential(state, look, { levels: true }).next();
  const boundary = state.boundary ?? Number.POSITIVE_INFINITY;
  const replayed: TakenLook = { bracket: [boundary, boundary], boundary: () => boundary, state: () => state };
  context.cache.set(id, replayed);
  return replayed;
}

/**
 * z-multiplier c_k of the group-sequential bound at this look (+∞ when it cannot decide: nothing left
 * to spend), or a number ≥ `beat` standing for it when c_k cannot be below `beat` (the caller takes the
 * smaller of this and `beat`). A look without more information than the run's last one spends nothing
 * and reuses that look's boundary. Costs at most one root-find; the state after the look is left to
 * the cache's owner.
 */
function groupMultiplier(se: number, alpha: number, sequence: Sequence, beat: number): number {
  const context = sequence.context!;
  if (!(se > 0 && Number.isFinite(se))) return Number.POSITIVE_INFINITY;
  const history = context.history(sequence.key);
  const information = 1 / (se * se);
  const last = history.at(-1);
  if (last && !(information > last.information * (1 + 1e-9)))
    return multiplier(lookAfter(context, alpha, history), beat);
  const look: LookInformation = { information, fraction: Math.min(1, context.look / context.looks) };
  context.observed.set(sequence.key, look);
  const id = cacheKey(alpha, [...history, look]);
  let taken = context.cache.get(id);
  if (!taken) {
    const before = lookAfter(context, alpha, history);
    const step = stepGroupSequential(before.state(), look, { levels: true, ahead: before.ahead });
    const next = Math.min(1, (context.look + 1) / context.looks);
    const made: TakenLook = { bracket: step.bracket, boundary: step.boundary, state: step.next };
    if (next > look.fraction)
      made.prepare = () => {
        made.ahead ??= lookAhead(step.next(), next);
      };
    taken = made;
    context.cache.set(id, taken);
  }
  return multiplier(taken, beat);
}

/** Half-width of the bound at this look: anytime-valid, or the better of group-sequential and reserve. */
function halfWidth(se: number, alpha: number, scale: number, sequence: Sequence | undefined): number {
  if (!sequence?.context) return anytimeHalfWidth(se, alpha, scale);
  const reserve = anytimeHalfWidth(se, RESERVE * alpha, scale);
  const group = groupMultiplier(se, (1 - RESERVE) * alpha, sequence, reserve / se) * se;
  return Math.min(group, reserve);
}

/** Lower confidence bound for θ at level alpha (−∞ when se is not finite and positive). */
export function lowerBound(c: Contrast, alpha: number, scale: number, sequence?: Sequence): number {
  if (!Number.isFinite(c.estimate)) return Number.NEGATIVE_INFINITY;
  return c.estimate - halfWidth(c.se, alpha, scale, sequence);
}

/** Upper confidence bound for θ at level alpha (+∞ when se is not finite and positive). */
export function upperBound(c: Contrast, alpha: number, scale: number, sequence?: Sequence): number {
  if (!Number.isFinite(c.estimate)) return Number.POSITIVE_INFINITY;
  return c.estimate + halfWidth(c.se, alpha, scale, sequence);
}

/** What a gate's answer keeps of a declared-schedule look, so the run's next look can continue it. */
export interface SequentialRecord {
  look: number;
  looks: number;
  spending: SpendingFunction;
  /** this look's information per contrast whose information grew */
  observed: Record<string, LookInformation>;
}

/** The bound's half-width in units of se at this look (for inverting a family of contrasts that share se). */
export function boundMultiplier(se: number, alpha: number, scale: number, sequence?: Sequence): number {
  return lowerBound({ estimate: 0, se }, alpha, scale, sequence) / -se;
}

/**
 * How many times its current information a claim would need to be proven by the anytime bound at
 * `alpha` if the estimate held: the smallest f ≥ 1 with distance ≥ b(V·f)/(V·f) at V = 1/se². For an
 * inconclusive answer's "how much more data" only: undefined when the estimate lies on the claim's
 * wrong side (distance ≤ 0) or more than 1000 times the data would be needed.
 */
export function informationFactor(
  distance: number,
  se: number,
  alpha: number,
  scale: number,
): number | undefined {
  if (!(distance > 0 && se > 0 && Number.isFinite(distance) && Number.isFinite(se))) return undefined;
  const provenAt = (f: number) => distance >= anytimeHalfWidth(se / Math.sqrt(f), alpha, scale);
  if (provenAt(1)) return 1;
  if (!provenAt(1000)) return undefined;
  let lo = 0;
  let hi = Math.log(1000);
  // to ~1% in the factor: it is an estimate for a reason text
  for (let i = 0; i < 12; i++) {
    const mid = (lo + hi) / 2;
    if (provenAt(Math.exp(mid))) hi = mid;
    else lo = mid;
  }
  return Math.exp(hi);
}

/** The `needs` of an inconclusive answer: more of `unit` (beyond the candidate's `count`) at this estimate. */
export function needsMore(
  factor: number | undefined,
  count: number,
  unit: string,
): { more: number; unit: string } | undefined {
  if (factor === undefined || !(count > 0)) return undefined;
  return { more: Math.ceil((factor - 1) * count), unit };
}
