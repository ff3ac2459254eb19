import type { CohortSummary } from "../sketch/cohort-summary.js";
import { emptyGroupCounts, type GroupCounts } from "../sketch/group-counts.js";
import { DEFAULT_N_STAR } from "../stats/asymptotic-cs.js";
import { fairnessBetweenGroups, groupRates } from "../stats/fairness.js";
import { parseBooleanField, parseNameListField, parseNumberField } from "./config-parse.js";
import type { Gate, GateInput, GateResult, Verdict } from "./gate.js";
import { type GroupRate, type Interval, rateInterval, type Spread, spread } from "./group-intervals.js";

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
  /** sample size at which the confidence sequences are tightest; default 5000 */
  tuningN: number;
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
}

const f2 = (x: number) => x.toFixed(2);
const f3 = (x: number) => x.toFixed(3);
const iv = (i: Interval) => `[${f2(i[0])}, ${f2(i[1])}]`;

function groupsOf(s: CohortSummary, attribute: string): Map<string, GroupCounts> {
  return s.groups.get(attribute) ?? new Map();
}

function judgeAttribute(
  attribute: string,
  baseline: Map<string, GroupCounts>,
  candidate: Map<string, GroupCounts>,
  config: FairnessConfig,
  alphaEach: number,
): AttributeOutcome {
  const { minGroupSize: min, tuningN } = config;
  const names = [...new Set([...baseline.keys(), ...candidate.keys()])].sort();
  const cs = (x: number, n: number) => rateInterval(x, n, alphaEach, tuningN);
  const sel: GroupRate[] = [];
  const baseSel: typeof sel = [];
  const tpr: typeof sel = [];
  const fpr: typeof sel = [];
  const groups: Record<string, unknown> = {};
  const notJudged: string[] = [];
  let decisions = 0;
  for (const g of names) {
    const c = candidate.get(g) ?? emptyGroupCounts();
    const b = baseline.get(g) ?? emptyGroupCounts();
    decisions += c.n;
    const judged = c.n >= min;
    const entry: Record<string, unknown> = { judged, baseline: groupRates(b), candidate: groupRates(c) };
    if (judged) {
      const interval = cs(c.selected, c.n);
      sel.push({ group: g, rate: c.selected / c.n, interval });
      entry.selectionRateInterval = interval;
      const pos = c.tp + c.fn;
      const neg = c.fp + c.tn;
      if (pos >= min) {
        entry.tprInterval = cs(c.tp, pos);
        tpr.push({ group: g, rate: c.tp / pos, interval: entry.tprInterval as Interval });
      }
      if (neg >= min) {
        entry.fprInterval = cs(c.fp, neg);
        fpr.push({ group: g, rate: c.fp / neg, interval: entry.fprInterval as Interval });
      }
    } else {
      notJudged.push(`${attribute}=${g} (${c.n} decisions)`);
    }
    if (b.n >= min) baseSel.push({ group: g, rate: b.selected / b.n, interval: cs(b.selected, b.n) });
    groups[g] = entry;
  }
  const candidateParity = spread(sel);
  const baselineParity = spread(baseSel);
  const tprSpread = tpr.length >= 2 ? spread(tpr) : null;
  const fprSpread = fpr.length >= 2 ? spread(fpr) : null;
  // Equalized odds difference = max(TPR gap, FPR gap) over the gaps that can be judged; its bounds
  // are the max of the gaps' bounds (each gap's bounds hold on the same simultaneous event).
  let equalizedOdds: AttributeOutcome["equalizedOdds"] = null;
  for (const [name, s] of [
    ["TPR", tprSpread],
    ["FPR", fprSpread],
  ] as const) {
    if (!s) continue;
    const driver = `${name} gap ${f3(s.difference)} between ${attribute}=${s.highest} and ${attribute}=${s.lowest}`;
    if (!equalizedOdds) {
      equalizedOdds = { difference: s.difference, interval: [...s.differenceInterval], driver };
      continue;
    }
    if (s.difference > equalizedOdds.difference) equalizedOdds.driver = driver;
    equalizedOdds.difference = Math.max(equalizedOdds.difference, s.difference);
    equalizedOdds.interval = [
      Math.max(equalizedOdds.interval[0], s.differenceInterval[0]),
      Math.max(equalizedOdds.interval[1], s.differenceInterval[1]),
    ];
  }
  const common = { attribute, candidateParity, baselineParity, equalizedOdds, decisions, groups };
  const unjudged =
    notJudged.length > 0 ? `; not judged (fewer than ${min} decisions): ${notJudged.join(", ")}` : "";
  if (!candidateParity) {
    return {
      ...common,
      verdict: "inconclusive",
      reason: `fairness ${attribute}: no group has ${min} decisions yet${unjudged}`,
    };
  }
  const p = candidateParity;
  const rate = (g: string) => f3(sel.find((r) => r.group === g)!.rate);
  const parityText = `candidate parity ratio for ${attribute} ${f2(p.ratio)} (${attribute}=${p.lowest} selected at ${rate(p.lowest)} vs ${attribute}=${p.highest} at ${rate(p.highest)}; anytime-valid ${iv(p.ratioInterval)})`;
  if (p.ratioInterval[1] < config.minParityRatio) {
    return {
      ...common,
      verdict: "fail",
      reason: `${parityText} is below the floor ${f2(config.minParityRatio)}${unjudged}`,
    };
  }
  if (baselineParity && p.ratioInterval[1] - baselineParity.ratioInterval[0] < -config.maxParityDrop) {
    return {
      ...common,
      verdict: "fail",
      reason: `${parityText} is worse than baseline's ${f2(baselineParity.ratio)} (anytime-valid ${iv(baselineParity.ratioInterval)}) by more than ${f2(config.maxParityDrop)}${unjudged}`,
    };
  }
  const eoMax = config.maxEqualizedOddsDifference;
  if (equalizedOdds && equalizedOdds.interval[0] > eoMax) {
    return {
      ...common,
      verdict: "fail",
      reason: `candidate equalized odds difference for ${attribute} ${f3(equalizedOdds.difference)} (${equalizedOdds.driver}; anytime-valid ${iv(equalizedOdds.interval)}) exceeds the ceiling ${f2(eoMax)}${unjudged}`,
    };
  }
  const open: string[] = [];
  if (p.ratioInterval[0] < config.minParityRatio)
    open.push(`its interval still reaches below the floor ${f2(config.minParityRatio)}`);
  if (baselineParity && p.ratio - baselineParity.ratio < -config.maxParityDrop) {
    open.push(
      `it is ${f2(baselineParity.ratio - p.ratio)} below baseline's ${f2(baselineParity.ratio)}, not yet significantly`,
    );
  }
  if (equalizedOdds && equalizedOdds.difference > eoMax) {
    open.push(
      `equalized odds difference ${f3(equalizedOdds.difference)} is above ${f2(eoMax)}, not yet significantly`,
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
    return { ...common, verdict: "inconclusive", reason: `${parityText}: ${open.join("; ")}${unjudged}` };
  }
  return {
    ...common,
    verdict: "pass",
    reason: `${parityText} is above the floor ${f2(config.minParityRatio)}${unjudged}`,
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
    "tuningN",
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
      tuningN: parseNumberField(raw, "tuningN", DEFAULT_N_STAR, { min: 1 }),
    };
  },

  evaluate({ baseline, candidate, config, alpha }: GateInput<FairnessConfig>): GateResult {
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
      };
    }
    let slots = 0;
    for (const a of attributes) {
      slots +=
        4 * Math.max(1, new Set([...groupsOf(baseline, a).keys(), ...groupsOf(candidate, a).keys()]).size);
    }
    const outcomes = attributes.map((a) =>
      judgeAttribute(a, groupsOf(baseline, a), groupsOf(candidate, a), config, alpha / slots),
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
    };
  },
};
