import type { GateResult } from "../gates/gate.js";
import type { Summary } from "./policy.js";

/** Who/what/when of one judgement: everything needed to reproduce or audit it. */
export interface JudgementMeta {
  id: string;
  model: string;
  baseline: string;
  candidate: string;
  /** ISO 8601 interval "start/end" of the events judged */
  window: string;
  /** 1 for the first look of this run key (and gate set), then 2, 3 … */
  look: number;
  runKey: string;
  /** family-wise alpha of the whole judgement */
  alpha: number;
  /** alpha given to each gate (Bonferroni: alpha / number of gates) */
  gateAlpha: number;
  source: string;
  /** ISO 8601 time of the judgement */
  at: string;
  /** canary: two cohorts compared; shadow: paired answers to the same requests (src/shadow) */
  mode?: "canary" | "shadow";
  /** "namespace/name" of the Argo Rollout the request named (templates pass it), when it named one */
  rollout?: string;
}

/** The answer of /v1/judge (DESIGN.md "Response shape"); `summary` is what templates select. */
export interface JudgeResponse {
  summary: Summary;
  gates: Record<string, GateResult>;
  judgement: JudgementMeta;
}
