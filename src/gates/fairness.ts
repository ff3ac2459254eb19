import type { CohortSummary } from "../sketch/cohort-summary.js";
import { emptyGroupCounts, type GroupCounts } from "../sketch/group-counts.js";
import { fairnessBetweenGroups, groupRates } from "../stats/fairness.js";
import { parseBooleanField, parseNameListField, parseNumberField } from "./config-parse.js";
import {
  fprOf,
  logRatio,
  orderedPairs,
  type Rate,
  rateBounds,
  rateGap,
  ratioGap,
  selectionOf,
  tprOf,
} from "./fairness-claims.js";
import { type Gate, type GateInput, type GateResult, needsText, type Verdict } from "./gate.js";
import {
  informationFactor,
  lowerBound,
  needsMore,
  type Sequence,
  type SequentialContext,
  upperBound,
} from "./sequential.js";

/** Smallest scale the sequences are tuned to (a tolerance of 0 would put the optimum at ∞). */
export const MIN_SCALE = 0.02;

export interface FairnessConfig {
  /** floor on the candidate's demographic parity ratio (four-fifths rule); default 0.8 */
  minParityRatio: number;
  /** largest tolerated drop of the parity ratio below the baseline's; default 0.05 */
  maxParityDrop: number;
  /** ceiling on the candidate's equalized odds difference; default 0.1 */
  maxEqualizedOddsDifference: number;
  /** decisions (and, for TPR/FPR, positives/negatives) a group needs to be judged; default 30 */
  minGroupSize: number;
  /** protected attributes to judge, or "all" recorded; default "all" */
  attributes: string[] | "all";
  /** pass only if the equalized odds interval is below the ceiling (needs many labels); default false */
  certifyEqualizedOdds: boolean;
}

interface Spread {
  ratio: number;
  /** max − min of the raw rates */
  difference: number;
  ratioInterval: Interval;
  lowest: string;
  highest: string;
}

interface AttributeOutcome {
  attribute: string;
  verdict: Verdict;
  reason: string;
  candidateParity: Spread | null;
  baselineParity: Spread | null;
  equalizedOdds: { difference: number; interval: Interval; driver: string } | null;
  decisions: number;
  groups: Record<string, unknown>;
  needs?: GateResult["needs"];
}

type Interval = [number, number];

/** Shares of a fail's alpha: the drop against the baseline, the floor, TPR gaps, FPR gaps. */
export const SHARE = { drop: 0.5, floor: 0.3, tpr: 0.1, fpr: 0.1 } as const;

const f2 = (x: number) => x.toFixed(2);
const f3 = (x: number) => x.toFixed(3);
const iv = (i: Interval) => `[${f2(i[0])}, ${f2(i[1])}]`;

function groupsOf(s: CohortSummary, attribute: string): Map<string, GroupCounts> {
  return s.groups.get(attribute) ?? new Map();
}

/** min/max of the raw rates (fairlearn), naming the extreme groups; 0/0 reads as 1. */
function rawSpread(rates: [string, number][]): {
  ratio: number;
  difference: number;
  lowest: string;
  highest: string;
} {
  let lowest = rates[0];
  let highest = rates[0];
  for (const r of rates) {
    if (r[1] < lowest[1]) lowest = r;
    if (r[1] > highest[1]) highest = r;
  }
  return {
    ratio: highest[1] === 0 ? 1 : lowest[1] / highest[1],
    difference: highest[1] - lowest[1],
    lowest: lowest[0],
    highest: highest[0],
  };
}

/**
 * Parity ratio of one cohort's judged groups with bounds from the pair contrasts: the ratio is the
 * smallest pair ratio, so its bounds are the smallest pair bounds (lower at alphaLow, upper at
 * alphaHigh, each split over the pairs).
 */
function paritySpread(
  names: string[],
  counts: Map<string, GroupCounts>,
  alphaLow: number,
  alphaHigh: number,
  scale: number,
): Spread | null {
  if (names.length === 0) return null;
  const raw = rawSpread(names.map((g) => [g, counts.get(g)!.selected / counts.get(g)!.n]));
  const pairs = orderedPairs(names);
  let low = 1;
  let high = 1;
  for (const [g, h] of pairs) {
    const c = logRatio(selectionOf(counts.get(g)!), selectionOf(counts.get(h)!));
    low = Math.min(low, Math.exp(lowerBound(c, alphaLow / pairs.length, scale)));
    high = Math.min(high, Math.exp(upperBound(c, alphaHigh / pairs.length, scale)));
  }
  return { ...raw, ratioInterval: [Math.max(0, low), Math.min(1, high)] };
}

/** Largest gap of one rate (TPR or FPR) across groups with its bounds, or null with fewer than 2 groups. */
function gapSpread(
  names: string[],
  rateOf: (g: string) => Rate,
  alphaFail: number,
  alphaPass: number,
  scale: number,
  sequenceOf: (g: string, h: string) => Sequence,
): { difference: number; interval: Interval; lowest: string; highest: string; lowProven: number } | null {
  if (names.length < 2) return null;
  const raw = names.map((g) => [g, rateOf(g).x / rateOf(g).n] as [string, number]);
  const { lowest, highest, difference } = rawSpread(raw);
  const pairs = orderedPairs(names);
  let low = 0;
  let high = 0;
  for (const [g, h] of pairs) {
    const c = rateGap(rateOf(g), rateOf(h));
    low = Math.max(low, lowerBound(c, alphaFail / pairs.length, scale, sequenceOf(g, h)));
    high = Math.max(high, upperBound(c, alphaPass, scale, sequenceOf(g, h)));
  }
  return { difference, interval: [Math.max(0, low), Math.min(1, high)], lowest, highest, lowProven: low };
}

function judgeAttribute(
  attribute: string,
  baseline: Map<string, GroupCounts>,
  candidate: Map<string, GroupCounts>,
  config: FairnessConfig,
  alpha: number,
  context: SequentialContext | undefined,
): AttributeOutcome {
  const seq = (kind: string, ...names: string[]) => ({
    context,
    key: `${kind}:${attribute}:${names.join("/")}`,
  });
  const { minGroupSize: min, minParityRatio: floor, maxParityDrop: drop } = config;
  const eoMax = config.maxEqualizedOddsDifference;
  const names = [...new Set([...baseline.keys(), ...candidate.keys()])].sort();
  const get = (m: Map<string, GroupCounts>, g: string) => m.get(g) ?? emptyGroupCounts();
  const floorScale = Math.max(Math.abs(Math.log(Math.max(floor, 1e-6))), MIN_SCALE);
  // tuned to prove a fall from parity to the floor quickly (the drop that matters most), never below the tolerance
  const dropScale = Math.max(drop, 1 - drop - floor, MIN_SCALE);
  const eoScale = Math.max(eoMax, MIN_SCALE);
  const judgedC = names.filter((g) => get(candidate, g).n >= min);
  const judgedB = names.filter((g) => get(baseline, g).n >= min);
  const groups: Record<string, unknown> = {};
  const notJudged: string[] = [];
  let decisions = 0;
  for (const g of names) {
    const c = get(candidate, g);
    const b = get(baseline, g);
    decisions += c.n;
    const judged = c.n >= min;
    const entry: Record<string, unknown> = { judged, baseline: groupRates(b), candidate: groupRates(c) };
    if (judged) {
      entry.selectionRateInterval = rateBounds(selectionOf(c), alpha, floorScale);
      if (tprOf(c).n >= min) entry.tprInterval = rateBounds(tprOf(c), alpha, eoScale);
      if (fprOf(c).n >= min) entry.fprInterval = rateBounds(fprOf(c), alpha, eoScale);
    } else notJudged.push(`${attribute}=${g} (${c.n} decisions)`);
    groups[g] = entry;
  }

  const candidateParity = paritySpread(judgedC, candidate, alpha, alpha * SHARE.floor, floorScale);
  const baselineParity = paritySpread(judgedB, baseline, alpha, alpha, floorScale);
  const tprNames = judgedC.filter((g) => tprOf(get(candidate, g)).n >= min);
  const fprNames = judgedC.filter((g) => fprOf(get(candidate, g)).n >= min);
  const tpr = gapSpread(
    tprNames,
    (g) => tprOf(get(candidate, g)),
    alpha * SHARE.tpr,
    alpha,
    eoScale,
    (g, h) => seq("tpr", g, h),
  );
  const fpr = gapSpread(
    fprNames,
    (g) => fprOf(get(candidate, g)),
    alpha * SHARE.fpr,
    alpha,
    eoScale,
    (g, h) => seq("fpr", g, h),
  );
  const gaps = (
    [
      ["TPR", tpr],
      ["FPR", fpr],
    ] as const
  ).flatMap(([name, g]) => (g ? [{ name, ...g }] : []));
  const widest = gaps.reduce<(typeof gaps)[number] | undefined>(
    (w, g) => (w === undefined || g.difference > w.difference ? g : w),
    undefined,
  );
  // equalized odds difference = max(TPR gap, FPR gap): its bounds are the max of the gaps' bounds
  const equalizedOdds: AttributeOutcome["equalizedOdds"] = widest
    ? {
        difference: widest.difference,
        interval: [Math.max(...gaps.map((g) => g.interval[0])), Math.max(...gaps.map((g) => g.interval[1]))],
        driver: `${widest.name} gap ${f3(widest.difference)} between ${attribute}=${widest.highest} and ${attribute}=${widest.lowest}`,
      }
    : null;

  const common = { attribute, candidateParity, baselineParity, equalizedOdds, decisions, groups };
  const unjudged =
    notJudged.length > 0 ? `; not judged (fewer than ${min} decisions): ${notJudged.join(", ")}` : "";
  if (!candidateParity || judgedC.length < 2) {
    return {
      ...common,
      verdict: "inconclusive",
      reason: `fairness ${attribute}: fewer than 2 groups have ${min} decisions yet${unjudged}`,
    };
  }

  // Drop: some candidate pair lies below every baseline pair by more than the tolerance.
  const candidatePairs = orderedPairs(judgedC);
  const baselinePairs = orderedPairs(judgedB);
  const sel = (m: Map<string, GroupCounts>, [g, h]: [string, string]): [Rate, Rate] => [
    selectionOf(get(m, g)),
    selectionOf(get(m, h)),
  ];
  let dropProven = false;
  let dropEvident = false;
  if (baselinePairs.length > 0) {
    const alphaDrop = (alpha * SHARE.drop) / candidatePairs.length;
    for (const cp of candidatePairs) {
      const gaps = baselinePairs.map((bp) => ({
        gap: ratioGap(sel(baseline, bp), sel(candidate, cp)),
        sequence: seq("drop", ...cp, "vs", ...bp),
      }));
      if (gaps.every(({ gap, sequence }) => lowerBound(gap, alphaDrop, dropScale, sequence) > drop))
        dropProven = true;
      if (gaps.every(({ gap }) => gap.estimate - gap.se > drop)) dropEvident = true;
    }
  }
  // Floor: some candidate pair's ratio lies below the floor (fail); every pair above it (pass).
  const alphaFloor = (alpha * SHARE.floor) / candidatePairs.length;
  let floorProven = false;
  let floorPassed = true;
  // what the floor's pass still needs at the current estimates: the most any pair needs
  let floorFactor: number | undefined = 1;
  for (const cp of candidatePairs) {
    const c = logRatio(...sel(candidate, cp));
    const sequence = seq("floor", ...cp);
    if (upperBound(c, alphaFloor, floorScale, sequence) < Math.log(floor)) floorProven = true;
    if (!(lowerBound(c, alpha, floorScale, sequence) >= Math.log(floor))) floorPassed = false;
    const f = informationFactor(c.estimate - Math.log(floor), c.se, alpha, floorScale);
    floorFactor = f === undefined || floorFactor === undefined ? undefined : Math.max(floorFactor, f);
  }

  const p = candidateParity;
  const rate = (g: string) => f3(get(candidate, g).selected / get(candidate, g).n);
  const parityText = `candidate parity ratio for ${attribute} ${f2(p.ratio)} (${attribute}=${p.lowest} selected at ${rate(p.lowest)} vs ${attribute}=${p.highest} at ${rate(p.highest)}; anytime-valid ${iv(p.ratioInterval)})`;
  if (floorProven) {
    return { ...common, verdict: "fail", reason: `${parityText} is below the floor ${f2(floor)}${unjudged}` };
  }
  if (dropProven && baselineParity) {
    return {
      ...common,
      verdict: "fail",
      reason: `${parityText} is worse than baseline's ${f2(baselineParity.ratio)} by more than ${f2(drop)}, proven at every baseline group pair${unjudged}`,
    };
  }
  const eoFail = [tpr, fpr].some((s) => s !== null && s.lowProven > eoMax);
  if (equalizedOdds && eoFail) {
    return {
      ...common,
      verdict: "fail",
      reason: `candidate equalized odds difference for ${attribute} ${f3(equalizedOdds.difference)} (${equalizedOdds.driver}; anytime-valid ${iv(equalizedOdds.interval)}) exceeds the ceiling ${f2(eoMax)}${unjudged}`,
    };
  }
  const open: string[] = [];
  if (!floorPassed) open.push(`its interval still reaches below the floor ${f2(floor)}`);
  if (dropEvident && baselineParity) {
    open.push(
      `it is ${f2(baselineParity.ratio - p.ratio)} below baseline's ${f2(baselineParity.ratio)}, beyond the tolerated ${f2(drop)} though not yet proven`,
    );
  }
  if (config.certifyEqualizedOdds) {
    if (!equalizedOdds)
      open.push(`equalized odds cannot be judged: fewer than 2 groups with ${min} positives or negatives`);
    else if (equalizedOdds.interval[1] > eoMax) {
      open.push(`equalized odds interval ${iv(equalizedOdds.interval)} still reaches above ${f2(eoMax)}`);
    }
  }
  if (open.length > 0) {
    const needs = !floorPassed && !dropEvident ? needsMore(floorFactor, decisions, "decisions") : undefined;
    const more = needs ? ` (${needsText(needs)})` : "";
    return {
      ...common,
      verdict: "inconclusive",
      reason: `${parityText}: ${open.join("; ")}${more}${unjudged}`,
      ...(needs ? { needs } : {}),
    };
  }
  return {
    ...common,
    verdict: "pass",
    reason: `${parityText} is above the floor ${f2(floor)}${unjudged}`,
  };
}

/**
 * Fairness gate: per protected attribute and group, selection rate, TPR and FPR of both cohorts; the
 * candidate's demographic parity ratio judged against a floor and against the baseline's, and its
 * equalized odds difference against a ceiling, on simultaneous anytime-valid intervals (see
 * docs/gates/fairness.md). Groups under minGroupSize are reported, not judged.
 *
 * alpha is split (Bonferroni) over 4 intervals per group seen (candidate selection rate, TPR, FPR;
 * baseline selection rate), so all intervals hold together at every look with probability ≥ 1 − alpha,
 * and every fail below is a statement about those intervals.
 * Cost: O(groups).
 */
export const fairnessGate: Gate<FairnessConfig> = {
  name: "fairness",
  settings: [
    "minParityRatio",
    "maxParityDrop",
    "maxEqualizedOddsDifference",
    "minGroupSize",
    "attributes",
    "certifyEqualizedOdds",
  ],

  parseConfig(raw) {
    return {
      minParityRatio: parseNumberField(raw, "minParityRatio", 0.8, { min: 0, max: 1 }),
      maxParityDrop: parseNumberField(raw, "maxParityDrop", 0.05, { min: 0, max: 1 }),
      maxEqualizedOddsDifference: parseNumberField(raw, "maxEqualizedOddsDifference", 0.1, {
        min: 0,
        max: 1,
      }),
      minGroupSize: parseNumberField(raw, "minGroupSize", 30, { min: 1, integer: true }),
      attributes: parseNameListField(raw, "attributes", "all"),
      certifyEqualizedOdds: parseBooleanField(raw, "certifyEqualizedOdds", false),
    };
  },

  evaluate({ baseline, candidate, config, alpha, sequential }: GateInput<FairnessConfig>): GateResult {
    const attributes =
      config.attributes === "all"
        ? [...new Set([...baseline.groups.keys(), ...candidate.groups.keys()])].sort()
        : config.attributes;
    const base = { metric: "parity_ratio", threshold: config.minParityRatio };
    if (attributes.length === 0) {
      return {
        ...base,
        verdict: "inconclusive",
        value: null,
        interval: null,
        n: { baseline: 0, candidate: 0 },
        reason: "no protected-attribute groups recorded in either cohort",
        metrics: {},
        // with traffic on both sides and no attribute on any event, there is nothing to judge (the
        // model's events carry no groups); before that, it is only too early to say
        ...(baseline.events > 0 && candidate.events > 0 ? { judged: false as const } : {}),
      };
    }
    // attributes split the gate's alpha equally; within one, judgeAttribute splits a fail's share
    const outcomes = attributes.map((a) =>
      judgeAttribute(
        a,
        groupsOf(baseline, a),
        groupsOf(candidate, a),
        config,
        alpha / attributes.length,
        sequential,
      ),
    );

    const ratioOf = (o: AttributeOutcome) => o.candidateParity?.ratio ?? Number.POSITIVE_INFINITY;
    const decisive =
      outcomes.find((o) => o.verdict === "fail") ??
      outcomes.find((o) => o.verdict === "inconclusive") ??
      outcomes.reduce((w, o) => (ratioOf(o) < ratioOf(w) ? o : w));
    const judged = outcomes.filter((o) => o.candidateParity);
    const minOf = (xs: number[]) => (xs.length > 0 ? Math.min(...xs) : null);
    const byAttribute: Record<string, unknown> = {};
    const groups: Record<string, unknown> = {};
    for (const o of outcomes) {
      groups[o.attribute] = o.groups;
      byAttribute[o.attribute] = {
        verdict: o.verdict,
        candidateParityRatio: o.candidateParity?.ratio ?? null,
        candidateParityRatioInterval: o.candidateParity?.ratioInterval ?? null,
        baselineParityRatio: o.baselineParity?.ratio ?? null,
        baselineParityRatioInterval: o.baselineParity?.ratioInterval ?? null,
        candidateEqualizedOddsDifference: o.equalizedOdds?.difference ?? null,
        candidateEqualizedOddsDifferenceInterval: o.equalizedOdds?.interval ?? null,
        candidateParityDifference: o.candidateParity?.difference ?? null,
      };
    }
    const eos = outcomes.flatMap((o) => (o.equalizedOdds ? [o.equalizedOdds.difference] : []));
    // Cross-check with the fairlearn-convention summary (same groups, same minimum count).
    const fl = fairnessBetweenGroups(
      Object.fromEntries(groupsOf(candidate, decisive.attribute)),
      config.minGroupSize,
    );
    const metrics = {
      baselineParityRatio: minOf(outcomes.flatMap((o) => (o.baselineParity ? [o.baselineParity.ratio] : []))),
      candidateParityRatio: minOf(judged.map((o) => o.candidateParity!.ratio)),
      candidateEqualizedOddsDifference: eos.length > 0 ? Math.max(...eos) : null,
      candidateDemographicParityDifference: fl.demographicParityDifference,
      attributes: byAttribute,
      groups,
    };
    const reasons = outcomes.filter((o) => o.verdict === decisive.verdict).map((o) => o.reason);
    return {
      ...base,
      verdict: decisive.verdict,
      value: decisive.candidateParity?.ratio ?? null,
      interval: decisive.candidateParity?.ratioInterval ?? null,
      n: {
        baseline: [...groupsOf(baseline, decisive.attribute).values()].reduce((s, g) => s + g.n, 0),
        candidate: decisive.decisions,
      },
      reason: reasons.join("; "),
      metrics,
      ...(decisive.verdict === "inconclusive" && decisive.needs ? { needs: decisive.needs } : {}),
    };
  },
};
