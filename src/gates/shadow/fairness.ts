import { parseNumberField } from "../config-parse.js";
import type { GateResult } from "../gate.js";
import { type Contrast, lowerBound, type SequentialContext, upperBound } from "../sequential.js";
import {
  type Interval,
  inconclusive,
  pairedMean,
  pairedN,
  pairedRate,
  pairingMetrics,
  pct,
  rateAtTolerance,
  type ShadowGate,
  signed,
} from "./shadow-gate.js";

export interface ShadowFairnessConfig {
  /** largest tolerated excess of a group's flip rate over the rest of its attribute; default 0.02 */
  maxFlipRateGap: number;
  /** largest tolerated difference between a group's net selection shift and the rest's; default 0.02 */
  maxShiftGap: number;
  /** optional ceiling on any group's own flip rate (absolute, not relative to the rest); undefined = none */
  maxGroupFlipRate: number | undefined;
  /** paired decisions a group needs to be judged; smaller groups are reported, not judged; default 100 */
  minGroupPairs: number;
}

/** Smallest rate scale the sequences are tuned to (a tolerance of 0 would put the optimum at ∞). */
const MIN_SCALE = 0.005;

interface GroupJudgement {
  group: string;
  n: number;
  flipRate: number;
  flipsUp: number;
  flipsDown: number;
  /** (flipsUp − flipsDown)/n: change of the group's selection rate caused by the candidate */
  shift: number;
  flipRateGap: number;
  /** [lower bound at the claim's fail share, upper bound at the gate's alpha] */
  flipRateGapInterval: Interval;
  /** [lower, upper] at the ceiling claim's fail share when a ceiling is set (else alpha), upper at alpha */
  flipRateInterval: Interval;
  shiftGap: number;
  /** lower and upper bound each at the gate's alpha: what a pass rests on */
  shiftGapInterval: Interval;
  /** lower and upper bound each at its claim's fail share: what a fail rests on */
  shiftGapFailInterval: Interval;
}

/** Flips and net shift of a set of paired decisions as contrasts (shift values in {−1, 0, 1}). */
function contrastsOf(up: number, down: number, n: number): { flip: Contrast; shift: Contrast } {
  return { flip: pairedRate(up + down, n), shift: pairedMean(n, up - down, up + down, 1) };
}

/** A group's contrast minus the rest's (independent requests: variances add). */
const minus = (g: Contrast, r: Contrast): Contrast => ({
  estimate: g.estimate - r.estimate,
  se: Math.hypot(g.se, r.se),
});

/** No rest (one value in the attribute): the gaps are measured against a certain 0. */
const NOTHING: Contrast = { estimate: 0, se: 0 };

function judgeGroup(
  group: string,
  g: { n: number; flipsUp: number; flipsDown: number },
  rest: { n: number; flipsUp: number; flipsDown: number },
  config: ShadowFairnessConfig,
  alpha: number,
  alphaClaim: number,
  context: SequentialContext | undefined,
): GroupJudgement {
  const mine = contrastsOf(g.flipsUp, g.flipsDown, g.n);
  const others = rest.n > 0 ? contrastsOf(rest.flipsUp, rest.flipsDown, rest.n) : undefined;
  const flipGap = minus(mine.flip, others?.flip ?? NOTHING);
  const shiftGap = minus(mine.shift, others?.shift ?? NOTHING);
  const flipScale = Math.max(config.maxFlipRateGap, MIN_SCALE);
  const shiftScale = Math.max(config.maxShiftGap, MIN_SCALE);
  const ceilingScale = Math.max(config.maxGroupFlipRate ?? 0, MIN_SCALE);
  const flipSeq = { context, key: `flipRateGap:${group}` };
  const shiftSeq = { context, key: `shiftGap:${group}` };
  const rateSeq = { context, key: `flipRate:${group}` };
  const ceilingAlpha = config.maxGroupFlipRate === undefined ? alpha : alphaClaim;
  // a ceiling's claims sit at the ceiling: the rate's variance there (a score test); without one the
  // group's own flip rate is only reported
  const rate =
    config.maxGroupFlipRate === undefined
      ? mine.flip
      : rateAtTolerance(g.flipsUp + g.flipsDown, g.n, config.maxGroupFlipRate);
  return {
    group,
    n: g.n,
    flipRate: mine.flip.estimate,
    flipsUp: g.flipsUp,
    flipsDown: g.flipsDown,
    shift: mine.shift.estimate,
    flipRateGap: flipGap.estimate,
    flipRateGapInterval: [
      lowerBound(flipGap, alphaClaim, flipScale, flipSeq),
      upperBound(flipGap, alpha, flipScale, flipSeq),
    ],
    flipRateInterval: [
      Math.max(0, lowerBound(rate, ceilingAlpha, ceilingScale, rateSeq)),
      Math.min(1, upperBound(rate, alpha, ceilingScale, rateSeq)),
    ],
    shiftGap: shiftGap.estimate,
    shiftGapInterval: [
      lowerBound(shiftGap, alpha, shiftScale, shiftSeq),
      upperBound(shiftGap, alpha, shiftScale, shiftSeq),
    ],
    shiftGapFailInterval: [
      lowerBound(shiftGap, alphaClaim, shiftScale, shiftSeq),
      upperBound(shiftGap, alphaClaim, shiftScale, shiftSeq),
    ],
  };
}

/**
 * Fairness of the decision flips (shadow mode): does the candidate change decisions of one group more
 * than of the others? For every group g of an attribute with minGroupPairs paired decisions, against
 * the rest r of that attribute:
 * - flip-rate gap: flipRate_g − flipRate_r (a group whose decisions change more often);
 * - shift gap: shift_g − shift_r with shift = (flipsUp − flipsDown)/n, the paired change of selection
 *   rate (a candidate that selects one group less and another more: the fairness-relevant asymmetry).
 Each gap is one contrast (the group's and the rest's requests are different ones, so their variances
 * add; flips with the Laplace-smoothed rate variance, shifts with pairedMean's) bounded by the shared
 * decision engine (src/gates/sequential.ts: anytime-valid, or group-sequential over a declared look
 * schedule), tuned at its tolerance.
 * - fail: some group's flip-rate gap lower bound > maxFlipRateGap, or its shift-gap lower bound
 *   > maxShiftGap or upper bound < −maxShiftGap — the reason names the group. Optionally
 *   (maxGroupFlipRate set) a group's own flip rate has a ceiling too: fail when its lower bound is above
 *   it. These 3 (or 4) fail claims per judged group split the gate's alpha equally (union bound), so a
 *   false fail has probability ≤ alpha over all looks.
 * - pass: every judged group's flip-rate gap upper bound ≤ maxFlipRateGap, shift gap within
 *   ±maxShiftGap (and flip-rate upper bound ≤ maxGroupFlipRate when set), each bound at the gate's
 *   alpha (a pass needs every one of them, so a false pass needs its one false bound);
 * - otherwise inconclusive. With one group value in an attribute, the rest is empty and the gaps are
 *   measured against 0. With paired decisions and no attribute on any of them there is nothing to
 *   judge (judged: false). O(groups).
 */
export const shadowFairnessGate: ShadowGate<ShadowFairnessConfig> = {
  name: "fairness",
  settings: ["minSamples", "maxFlipRateGap", "maxShiftGap", "maxGroupFlipRate", "minGroupPairs"],
  parseConfig(raw) {
    const sharedMin = parseNumberField(raw, "minSamples", 100, { min: 1, integer: true });
    return {
      maxFlipRateGap: parseNumberField(raw, "maxFlipRateGap", 0.02, { min: 0, below: 1 }),
      maxShiftGap: parseNumberField(raw, "maxShiftGap", 0.02, { min: 0, below: 2 }),
      maxGroupFlipRate:
        raw.maxGroupFlipRate === undefined || raw.maxGroupFlipRate === null || raw.maxGroupFlipRate === ""
          ? undefined
          : parseNumberField(raw, "maxGroupFlipRate", 1, { min: 0, below: 1 }),
      minGroupPairs: parseNumberField(raw, "minGroupPairs", sharedMin, { min: 1, integer: true }),
    };
  },
  evaluate({ paired, config, alpha, sequential }): GateResult {
    const s = paired.summary;
    const judgedGroups: Array<{ attribute: string; value: string }> = [];
    const small: Record<string, number> = {};
    for (const [attribute, byValue] of s.groups) {
      for (const [value, g] of byValue) {
        if (g.n >= config.minGroupPairs) judgedGroups.push({ attribute, value });
        else small[`${attribute}=${value}`] = g.n;
      }
    }
    const base = { ...pairingMetrics(paired), smallGroups: small, minGroupPairs: config.minGroupPairs };
    if (judgedGroups.length === 0) {
      const reason =
        s.groups.size === 0
          ? "no group attributes on the paired requests (send groups with the events)"
          : `no group has ${config.minGroupPairs} paired decisions yet`;
      const result = inconclusive("flip_rate_gap", s.decided, reason, base, config.maxFlipRateGap);
      // paired decisions and no attribute on any of them: nothing to judge, not merely too early
      return s.groups.size === 0 && s.decided > 0 ? { ...result, judged: false } : result;
    }
    // fail claims per group: flip-rate gap above, shift gap above, shift gap below (and the ceiling)
    const claims = (config.maxGroupFlipRate === undefined ? 3 : 4) * judgedGroups.length;
    const groups: GroupJudgement[] = [];
    for (const { attribute, value } of judgedGroups) {
      const byValue = s.groups.get(attribute)!;
      const rest = { n: 0, flipsUp: 0, flipsDown: 0 };
      for (const [v, o] of byValue) {
        if (v === value) continue;
        rest.n += o.n;
        rest.flipsUp += o.flipsUp;
        rest.flipsDown += o.flipsDown;
      }
      groups.push(
        judgeGroup(
          `${attribute}=${value}`,
          byValue.get(value)!,
          rest,
          config,
          alpha,
          alpha / claims,
          sequential,
        ),
      );
    }
    const worst = groups.reduce((a, b) => (b.flipRateGap > a.flipRateGap ? b : a));
    const metrics = {
      ...base,
      groups: Object.fromEntries(groups.map((g) => [g.group, { ...g, group: undefined }])),
      maxFlipRateGap: config.maxFlipRateGap,
      maxShiftGap: config.maxShiftGap,
      maxGroupFlipRate: config.maxGroupFlipRate ?? null,
    };
    const result = (
      verdict: GateResult["verdict"],
      g: GroupJudgement,
      metric: "flip_rate_gap" | "shift_gap" | "group_flip_rate",
      reason: string,
    ): GateResult => ({
      verdict,
      metric,
      ...(metric === "flip_rate_gap"
        ? { value: g.flipRateGap, threshold: config.maxFlipRateGap, interval: g.flipRateGapInterval }
        : metric === "shift_gap"
          ? {
              value: g.shiftGap,
              threshold: config.maxShiftGap,
              interval: verdict === "fail" ? g.shiftGapFailInterval : g.shiftGapInterval,
            }
          : { value: g.flipRate, threshold: config.maxGroupFlipRate ?? null, interval: g.flipRateInterval }),
      n: pairedN(s.decided),
      reason,
      metrics,
    });
    const flipText = (g: GroupJudgement) =>
      `group ${g.group}: ${pct(g.flipRate)} of its ${g.n} paired decisions flipped (${g.flipsUp} 0→1, ${g.flipsDown} 1→0), ${signed(g.flipRateGap * 100, (x) => x.toFixed(2))} points over the rest (anytime-valid ${pct(g.flipRateGapInterval[0])} to ${pct(g.flipRateGapInterval[1])})`;
    const flipFail = groups.filter((g) => g.flipRateGapInterval[0] > config.maxFlipRateGap);
    if (flipFail.length > 0) {
      const g = flipFail.reduce((a, b) => (b.flipRateGapInterval[0] > a.flipRateGapInterval[0] ? b : a));
      const more =
        flipFail.length > 1
          ? ` (also ${flipFail
              .filter((x) => x !== g)
              .map((x) => x.group)
              .join(", ")})`
          : "";
      return result(
        "fail",
        g,
        "flip_rate_gap",
        `${flipText(g)}: beyond the tolerated ${pct(config.maxFlipRateGap)}${more}`,
      );
    }
    const shiftFail = groups.filter(
      (g) =>
        g.shiftGapFailInterval[0] > config.maxShiftGap || g.shiftGapFailInterval[1] < -config.maxShiftGap,
    );
    if (shiftFail.length > 0) {
      const g = shiftFail.reduce((a, b) => (Math.abs(b.shiftGap) > Math.abs(a.shiftGap) ? b : a));
      return result(
        "fail",
        g,
        "shift_gap",
        `group ${g.group}: the candidate changes its selection rate by ${signed(g.shift * 100, (x) => x.toFixed(2))} points against ${signed((g.shift - g.shiftGap) * 100, (x) => x.toFixed(2))} for the rest (anytime-valid gap ${pct(g.shiftGapFailInterval[0])} to ${pct(g.shiftGapFailInterval[1])}), beyond ±${pct(config.maxShiftGap)}`,
      );
    }
    const ceiling = config.maxGroupFlipRate;
    const overCeiling = ceiling === undefined ? [] : groups.filter((g) => g.flipRateInterval[0] > ceiling);
    if (ceiling !== undefined && overCeiling.length > 0) {
      const g = overCeiling.reduce((a, b) => (b.flipRateInterval[0] > a.flipRateInterval[0] ? b : a));
      return result(
        "fail",
        g,
        "group_flip_rate",
        `group ${g.group}: ${pct(g.flipRate)} of its ${g.n} paired decisions flipped (anytime-valid ${pct(g.flipRateInterval[0])} to ${pct(g.flipRateInterval[1])}), above the ceiling ${pct(ceiling)}`,
      );
    }
    const unsure = groups.find(
      (g) =>
        (ceiling !== undefined && g.flipRateInterval[1] > ceiling) ||
        g.flipRateGapInterval[1] > config.maxFlipRateGap ||
        g.shiftGapInterval[0] < -config.maxShiftGap ||
        g.shiftGapInterval[1] > config.maxShiftGap,
    );
    if (unsure) {
      return result(
        "inconclusive",
        unsure,
        "flip_rate_gap",
        `${flipText(unsure)}: not yet shown within ${pct(config.maxFlipRateGap)} (flip rate) and ±${pct(config.maxShiftGap)} (selection shift)`,
      );
    }
    return result(
      "pass",
      worst,
      "flip_rate_gap",
      `${groups.length} groups judged: no group's flips exceed the rest's by ${pct(config.maxFlipRateGap)} or shift its selection rate by ±${pct(config.maxShiftGap)} (largest gap: ${worst.group}, ${signed(worst.flipRateGap * 100, (x) => x.toFixed(2))} points)`,
    );
  },
};
