/**
 * `modelgate plan`'s answer: for every judged gate, the candidate count and wall-clock time by which a
 * share `power` of runs have failed the stated regression and passed an equal model, with anytime-valid
 * bounds and with a declared schedule of K looks; and the shortest AnalysisTemplate schedule
 * (count × interval) that lets every required gate do both. Gates get the judge's Bonferroni share of
 * alpha (alphaPerGate), and each claim the share its gate gives it (./claims.ts).
 */
import type { AucConfig } from "../gates/auc.js";
import type { DriftConfig } from "../gates/drift.js";
import type { ErrorsConfig } from "../gates/errors.js";
import type { FairnessConfig } from "../gates/fairness.js";
import type { LatencyConfig } from "../gates/latency.js";
import type { GateName } from "../gates/registry.js";
import { alphaPerGate } from "../judge/policy.js";
import type { SpendingFunction } from "../stats/alpha-spending.js";
import { anytimeCount, anytimeOutcome } from "./anytime.js";
import {
  aucDecisions,
  driftDecisions,
  errorsDecisions,
  fairnessDecisions,
  type GateContext,
  type GateDecision,
  latencyDecisions,
} from "./claims.js";
import { declaredHorizon, declaredOutcome, evenLooks } from "./declared.js";
import type { Assumptions, Regressions } from "./inputs.js";
import { baselineRatio, type CountCurve, countCurve, type Traffic, type Unit } from "./traffic.js";

export interface GateConfigs {
  drift: DriftConfig;
  latency: LatencyConfig;
  auc: AucConfig;
  fairness: FairnessConfig;
  errors: ErrorsConfig;
}

export interface PlanRequest {
  traffic: Traffic;
  /** judged gates, in registry order */
  gates: readonly GateName[];
  /** gates whose inconclusive verdict does not block a pass: not counted in the suggestion */
  optional: readonly GateName[];
  configs: GateConfigs;
  assumptions: Assumptions;
  regressions: Regressions;
  alpha: number;
  power: number;
  /** declared looks K */
  looks: number;
  spending: SpendingFunction;
  /** time between Argo's looks, ms */
  intervalMs: number;
}

export interface Timing {
  /** candidate events or labelled outcomes */
  n: number;
  /** ms from the start of the analysis */
  timeMs: number;
}

export interface DecisionPlan {
  gate: GateName;
  decision: "fail" | "pass";
  label: string;
  unit: Unit;
  required: boolean;
  /** why the gate cannot make this decision at all */
  impossible: string | null;
  notes: string[];
  /** anytime-valid, Argo looking every interval: the look by which `power` of runs decided */
  anytime: (Timing & { look: number }) | null;
  declared: {
    /** the shortest K-look schedule for this decision alone (its last look) */
    alone: Timing | null;
    /** under the suggested declared schedule: the look by which `power` of runs decided */
    suggested: (Timing & { look: number }) | null;
  };
}

export interface ScheduleSuggestion {
  count: number;
  intervalMs: number;
  /** the decision that sets the length */
  slowest: { gate: GateName; decision: "fail" | "pass" };
}

export interface Plan {
  gateAlpha: number;
  baselineRatio: number;
  decisions: DecisionPlan[];
  suggestion: {
    anytime: ScheduleSuggestion | null;
    declared: (ScheduleSuggestion & { looks: number; spending: SpendingFunction }) | null;
    /** why there is no suggestion (a required decision is impossible or out of reach) */
    missing: string | null;
  };
}

/** A gate's two decisions (fail the stated regression, pass an equal model) as claims. */
export function gateDecisions(gate: GateName, configs: GateConfigs, ctx: GateContext): GateDecision[] {
  switch (gate) {
    case "latency":
      return latencyDecisions(configs.latency, ctx);
    case "auc":
      return aucDecisions(configs.auc, ctx);
    case "fairness":
      return fairnessDecisions(configs.fairness, ctx);
    case "errors":
      return errorsDecisions(configs.errors, ctx);
    case "drift":
      return driftDecisions(configs.drift, ctx);
  }
}

const minOf = (xs: (number | null)[]): number | null => {
  const finite = xs.filter((x): x is number => x !== null);
  return finite.length > 0 ? Math.min(...finite) : null;
};

/** Most looks integrated over for one anytime-valid decision; beyond, every s-th look is used. */
const MAX_INTEGRATED_LOOKS = 4000;

/**
 * The look (every `intervalMs`) by which `power` of runs made an anytime-valid decision: the
 * single-look count bounds it, so the looks up to that count are integrated over.
 */
function anytimeLook(d: GateDecision, curve: CountCurve, power: number, intervalMs: number): number | null {
  const single = minOf(d.claims.map((c) => anytimeCount(c, power)));
  if (single === null) return null;
  const last = Math.max(1, Math.ceil(curve.timeToReach(single) / intervalMs - 1e-9));
  const step = Math.ceil(last / MAX_INTEGRATED_LOOKS);
  const counts = Array.from({ length: Math.ceil(last / step) }, (_, j) =>
    curve.countAt((j + 1) * step * intervalMs),
  );
  const look = minOf(d.claims.map((c) => anytimeOutcome(c, counts, power).look));
  return look === null ? last : Math.min(last, look * step);
}

/** The plan (pure; costs a few hundred group-sequential integrations). */
export function makePlan(req: PlanRequest): Plan {
  const { traffic, power, looks, spending, intervalMs } = req;
  const k = baselineRatio(traffic);
  const ctx: GateContext = {
    alpha: alphaPerGate(req.alpha, req.gates.length),
    k,
    assumptions: req.assumptions,
    regressions: req.regressions,
  };
  const all = req.gates.flatMap((g) => gateDecisions(g, req.configs, ctx));
  const partial = all.map((d) => {
    const curve = countCurve(traffic, d.unit);
    const look = anytimeLook(d, curve, power, intervalMs);
    const horizon = minOf(d.claims.map((c) => declaredHorizon(c, curve, looks, spending, power)));
    return {
      decision: d,
      curve,
      anytime:
        look === null ? null : { look, timeMs: look * intervalMs, n: curve.countAt(look * intervalMs) },
      alone: horizon === null ? null : { n: curve.countAt(horizon), timeMs: horizon },
    };
  });
  const required = (d: GateDecision) => !req.optional.includes(d.gate);
  const blocking = partial.find((p) => required(p.decision) && (p.anytime === null || p.alone === null));
  let missing: string | null = null;
  let anytimeSuggestion: ScheduleSuggestion | null = null;
  let declaredSuggestion: Plan["suggestion"]["declared"] = null;
  if (blocking) {
    const d = blocking.decision;
    missing = `${d.gate} cannot ${d.decision} ${d.decision === "pass" ? "an equal model" : "the stated regression"}: ${d.impossible ?? "out of reach at this traffic"}`;
  } else {
    const counted = partial.filter((p) => required(p.decision));
    if (counted.length > 0) {
      const byLook = counted.reduce((a, b) => (b.anytime!.look > a.anytime!.look ? b : a));
      anytimeSuggestion = {
        count: byLook.anytime!.look,
        intervalMs,
        slowest: { gate: byLook.decision.gate, decision: byLook.decision.decision },
      };
      const byHorizon = counted.reduce((a, b) => (b.alone!.timeMs > a.alone!.timeMs ? b : a));
      const steps = Math.max(1, Math.ceil(byHorizon.alone!.timeMs / (looks * intervalMs) - 1e-9));
      declaredSuggestion = {
        count: looks,
        intervalMs: steps * intervalMs,
        looks,
        spending,
        slowest: { gate: byHorizon.decision.gate, decision: byHorizon.decision.decision },
      };
    }
  }
  const decisions: DecisionPlan[] = partial.map(({ decision: d, curve, anytime, alone }) => {
    let suggested: DecisionPlan["declared"]["suggested"] = null;
    if (declaredSuggestion) {
      const horizon = declaredSuggestion.intervalMs * looks;
      const counts = evenLooks(curve, horizon, looks);
      const look = minOf(d.claims.map((c) => declaredOutcome(c, counts, spending, power).look));
      if (look !== null) {
        const timeMs = declaredSuggestion.intervalMs * look;
        suggested = { n: curve.countAt(timeMs), timeMs, look };
      }
    }
    return {
      gate: d.gate,
      decision: d.decision,
      label: d.label,
      unit: d.unit,
      required: required(d),
      impossible: d.impossible ?? null,
      notes: d.notes,
      anytime,
      declared: { alone, suggested },
    };
  });
  return {
    gateAlpha: ctx.alpha,
    baselineRatio: k,
    decisions,
    suggestion: { anytime: anytimeSuggestion, declared: declaredSuggestion, missing },
  };
}
