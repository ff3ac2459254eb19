import { asymptoticCsDifference, DEFAULT_N_STAR } from "../../stats/asymptotic-cs.js";
import { parseNumberField } from "../config-parse.js";
import type { GateResult } from "../gate.js";
import { rateInterval } from "../group-intervals.js";
import {
  type Interval,
  inconclusive,
  pairedN,
  pairingMetrics,
  pct,
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
  tuningN: number;
}

interface GroupJudgement {
  group: string;
  n: number;
  flipRate: number;
  flipsUp: number;
  flipsDown: number;
  /** (flipsUp − flipsDown)/n: change of the group's selection rate caused by the candidate */
  shift: number;
  flipRateGap: number;
  flipRateGapInterval: Interval;
  flipRateInterval: Interval;
  shiftGap: number;
  shiftGapInterval: Interval;
}

/** Per-pair values of one side: mean and variance (Laplace-guarded so that no flips still has a width). */
function moments(up: number, down: number, n: number, kind: "flip" | "shift") {
  if (kind === "flip") {
    const smoothed = (up + down + 1) / (n + 2);
    return { mean: (up + down) / n, variance: smoothed * (1 - smoothed), n };
  }
  const mean = (up - down) / n;
  const variance = Math.max((up + down) / n - mean * mean, 1 / (n + 2));
  return { mean, variance, n };
}

/**
 * Fairness of the decision flips (shadow mode): does the candidate change decisions of one group more
 * than of the others? For every group g of an attribute with minGroupPairs paired decisions, against
 * the rest r of that attribute:
 * - flip-rate gap: flipRate_g − flipRate_r (a group whose decisions change more often);
 * - shift gap: shift_g − shift_r with shift = (flipsUp − flipsDown)/n, the paired change of selection
 *   rate (a candidate that selects one group less and another more: the fairness-relevant asymmetry).
 * Each is an anytime-valid two-sample asymptotic confidence sequence at alpha/(2·groups) (Bonferroni
 * over the judged groups and the two statistics).
 * - fail: some group's flip-rate gap lower bound > maxFlipRateGap, or its shift-gap interval lies beyond
 *   ±maxShiftGap — the reason names the group;
 *   Optionally (maxGroupFlipRate set) a group's own flip rate has a ceiling too: fail when its lower bound
 *   is above it (a third interval per group in the Bonferroni split).
 * - pass: every judged group's gap upper bound ≤ maxFlipRateGap and shift-gap interval within ±maxShiftGap
 *   (and flip-rate upper bound ≤ maxGroupFlipRate when set);
 * - otherwise inconclusive. With one group value in an attribute, the rest is empty and the gaps are
 *   measured against 0. O(groups).
 */
export const shadowFairnessGate: ShadowGate<ShadowFairnessConfig> = {
  name: "fairness",
  settings: ["minSamples", "maxFlipRateGap", "maxShiftGap", "maxGroupFlipRate", "minGroupPairs", "tuningN"],
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
      tuningN: parseNumberField(raw, "tuningN", DEFAULT_N_STAR, { min: 1 }),
    };
  },
  evaluate({ paired, config, alpha }): GateResult {
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
    const each = alpha / ((config.maxGroupFlipRate === undefined ? 2 : 3) * judgedGroups.length);
    const groups: GroupJudgement[] = [];
    for (const { attribute, value } of judgedGroups) {
      const byValue = s.groups.get(attribute)!;
      const g = byValue.get(value)!;
      let restN = 0;
      let restUp = 0;
      let restDown = 0;
      for (const [v, o] of byValue) {
        if (v === value) continue;
        restN += o.n;
        restUp += o.flipsUp;
        restDown += o.flipsDown;
      }
      const versus = (kind: "flip" | "shift") => {
        const mine = moments(g.flipsUp, g.flipsDown, g.n, kind);
        // no rest: compare against a certain 0 (a one-observation arm with no spread)
        const rest = restN > 0 ? moments(restUp, restDown, restN, kind) : { mean: 0, variance: 0, n: 1 };
        return asymptoticCsDifference(rest, mine, each, config.tuningN);
      };
      const flip = versus("flip");
      const shift = versus("shift");
      groups.push({
        group: `${attribute}=${value}`,
        n: g.n,
        flipRate: (g.flipsUp + g.flipsDown) / g.n,
        flipsUp: g.flipsUp,
        flipsDown: g.flipsDown,
        shift: (g.flipsUp - g.flipsDown) / g.n,
        flipRateGap: flip.estimate,
        flipRateGapInterval: [flip.lower, flip.upper],
        flipRateInterval: rateInterval(g.flipsUp + g.flipsDown, g.n, each, config.tuningN),
        shiftGap: shift.estimate,
        shiftGapInterval: [shift.lower, shift.upper],
      });
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
          ? { value: g.shiftGap, threshold: config.maxShiftGap, interval: g.shiftGapInterval }
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
      (g) => g.shiftGapInterval[0] > config.maxShiftGap || g.shiftGapInterval[1] < -config.maxShiftGap,
    );
    if (shiftFail.length > 0) {
      const g = shiftFail.reduce((a, b) => (Math.abs(b.shiftGap) > Math.abs(a.shiftGap) ? b : a));
      return result(
        "fail",
        g,
        "shift_gap",
        `group ${g.group}: the candidate changes its selection rate by ${signed(g.shift * 100, (x) => x.toFixed(2))} points against ${signed((g.shift - g.shiftGap) * 100, (x) => x.toFixed(2))} for the rest (anytime-valid gap ${pct(g.shiftGapInterval[0])} to ${pct(g.shiftGapInterval[1])}), beyond ±${pct(config.maxShiftGap)}`,
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
