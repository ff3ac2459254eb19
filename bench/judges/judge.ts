/**
 * What the quality benchmark asks of a judge: at each look of an analysis run, given the cumulative
 * cohort summaries and the per-step series since the run started, say whether the run fails now
 * (Argo's default failureLimit 0 aborts the rollout at the first Failed measurement), and which
 * of the five gates (or the baseline's equivalent metric) fail on their own.
 */
import type { CohortSummary } from "../../src/sketch/cohort-summary.js";
import type { StepSeries } from "../sim/steps.js";

export const GATE_KEYS = ["drift", "latency", "auc", "fairness", "errors"] as const;
export type GateKey = (typeof GATE_KEYS)[number];

export interface Look {
  /** 1-based look number */
  index: number;
  final: boolean;
  baseline: CohortSummary;
  candidate: CohortSummary;
  steps: { baseline: StepSeries; candidate: StepSeries };
}

export interface LookVerdict {
  /** the run fails at this look */
  fail: boolean;
  /** the judge says pass at this look (Argo's successCondition) */
  pass: boolean;
  /** modelgate only: pass with the AUC gate optional, as the modelgate-all template ships */
  passAucOptional?: boolean;
  /** per gate: fails on its own at this look (absent = the judge has no such check) */
  gates: Partial<Record<GateKey, boolean>>;
  /** per gate: passes on its own at this look (only judges with a three-way verdict per gate) */
  gatePass?: Partial<Record<GateKey, boolean>>;
}

export interface BenchJudge {
  readonly name: string;
  /** gates this judge checks */
  readonly gates: readonly GateKey[];
  /** a new analysis run starts (judges that keep state across a run's looks reset it here) */
  startRun?(): void;
  judge(look: Look): LookVerdict;
}
