import type { CohortSummary } from "../sketch/cohort-summary.js";
import type { SequentialContext, SequentialRecord } from "./sequential.js";

export type Verdict = "pass" | "fail" | "inconclusive";

/** The numbers behind a gate's verdict; never NaN (non-finite values are left out or null). */
export type GateMetrics = Record<string, number | string | boolean | null | Record<string, unknown>>;

export interface GateResult {
  verdict: Verdict;
  /** name of the decisive metric, e.g. "p95_ratio" */
  metric: string;
  value: number | null;
  threshold: number | null;
  /** anytime-valid confidence interval for the decisive metric, when there is one */
  interval: [number, number] | null;
  n: { baseline: number; candidate: number };
  reason: string;
  metrics: GateMetrics;
  /**
   * false when the gate has nothing to judge in either cohort (e.g. fairness with no protected
   * attribute recorded on any event): its verdict is inconclusive but it neither blocks a pass nor
   * counts as one, and the summary's reason names it
   */
  judged?: false;
  /** with a declared look schedule: the look and its contrasts' information (set by the judge) */
  sequential?: SequentialRecord;
  /**
   * inconclusive only: about how much more candidate data (in the gate's own unit: `n.candidate`'s)
   * the deciding claim needs if the current estimate holds; the judge turns it into time
   */
  needs?: { more: number; unit: string };
}

export interface GateInput<C> {
  baseline: CohortSummary;
  candidate: CohortSummary;
  config: C;
  /** family-wise error budget of this gate (the judge splits alpha between gates) */
  alpha: number;
  /** the run's declared look schedule, when the request declares one (else anytime-valid bounds) */
  sequential?: SequentialContext;
}

/**
 * One judged dimension (drift, latency, auc, fairness, errors). A gate is pure: it reads two
 * cohort summaries and its config and returns a verdict; it never throws for data reasons
 * (too few samples, non-finite statistics) — those are `inconclusive` with a reason.
 */
export interface Gate<C = Record<string, unknown>> {
  readonly name: string;
  /**
   * Every field parseConfig reads, declared once: any other `<gate>.<field>` in a request is refused
   * as a typo (src/gates/settings.ts); a test proves the list equals what parseConfig reads.
   */
  readonly settings: readonly string[];
  /** parse and default this gate's config from request fields (strings allowed); throws ConfigError naming the field */
  parseConfig(raw: Record<string, unknown>): C;
  evaluate(input: GateInput<C>): GateResult;
}

/**
 * The inconclusive answer of a gate before both arms have any of what it reads (`what`: "events",
 * "latency samples"): it names the empty arm(s) and the minimum the gate will want.
 */
export function emptyArmResult(
  base: { metric: string; threshold: number | null; n: GateResult["n"] },
  what: string,
  minSamples: number,
): GateResult {
  const { n } = base;
  const who =
    n.baseline === 0 && n.candidate === 0
      ? "neither cohort has"
      : n.baseline === 0
        ? "baseline has no"
        : "candidate has no";
  return {
    ...base,
    verdict: "inconclusive",
    value: null,
    interval: null,
    reason: `${who} ${what} yet (needs ${minSamples} each)`,
    metrics: {},
  };
}

/** "more data needed", with how much when the deciding claim's estimate says (GateResult.needs). */
export function needsText(needs: GateResult["needs"]): string {
  return needs
    ? `about ${needs.more.toLocaleString("en-US")} more ${needs.unit} needed at the current estimate`
    : "more data needed";
}
