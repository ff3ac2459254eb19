import type { Verdict } from "../gates/gate.js";
import type { CohortSummary } from "../sketch/cohort-summary.js";
import type { GroupCounts } from "../sketch/group-counts.js";
import { fairnessBetweenGroups } from "../stats/fairness.js";
import { wilsonInterval } from "../stats/wilson.js";
import type { Role, SubgroupAttribute, SubgroupRow, SubgroupTable } from "./document.js";

/**
 * The subgroup table of the evidence, two ways:
 * - from a judgement: the fairness gate's own figures as recorded in the audit log (what the verdict
 *   was decided on; intervals anytime-valid at the gate's share of alpha, docs/gates/fairness.md);
 * - from the store: recomputed from the version's cohort summary over everything the store retains
 *   (Wilson 95% intervals, fixed-sample, one group at a time).
 * Audit records are read back as untrusted JSON, so every figure is checked before it is used.
 */

const number = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);

function interval(x: unknown): [number, number] | null {
  if (!Array.isArray(x) || x.length !== 2) return null;
  const [a, b] = [number(x[0]), number(x[1])];
  return a === null || b === null ? null : [a, b];
}

const object = (x: unknown): Record<string, unknown> | undefined =>
  x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;

const VERDICTS: readonly string[] = ["pass", "fail", "inconclusive"];
const sorted = (names: Iterable<string>) => [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * Subgroup figures of the canary fairness gate's metrics (`metrics.groups[attribute][group]` and
 * `metrics.attributes[attribute]`, src/gates/fairness.ts) for the version in `role`: the candidate's
 * rates with their intervals, or the baseline's rates (the gate computes no per-group interval for
 * the baseline) with its parity ratio interval. Undefined when the metrics hold no groups.
 */
export function subgroupsFromFairnessMetrics(
  metrics: unknown,
  role: Role,
  judgement: NonNullable<SubgroupTable["judgement"]>,
): SubgroupTable | undefined {
  const m = object(metrics);
  const groups = object(m?.groups);
  if (!groups) return undefined;
  const byAttribute = object(m?.attributes) ?? {};
  const asCandidate = role !== "baseline";
  const attributes: SubgroupAttribute[] = [];
  for (const attribute of sorted(Object.keys(groups))) {
    const entries = object(groups[attribute]) ?? {};
    const summary = object(byAttribute[attribute]) ?? {};
    const rows: SubgroupRow[] = [];
    for (const group of sorted(Object.keys(entries))) {
      const e = object(entries[group]) ?? {};
      const rates = object(asCandidate ? e.candidate : e.baseline) ?? {};
      rows.push({
        group,
        n: number(rates.n) ?? 0,
        judged: asCandidate && typeof e.judged === "boolean" ? e.judged : null,
        selectionRate: number(rates.selectionRate),
        selectionRateInterval: asCandidate ? interval(e.selectionRateInterval) : null,
        tpr: number(rates.tpr),
        tprInterval: asCandidate ? interval(e.tprInterval) : null,
        fpr: number(rates.fpr),
        fprInterval: asCandidate ? interval(e.fprInterval) : null,
      });
    }
    const verdict = summary.verdict;
    attributes.push({
      attribute,
      parityRatio: number(asCandidate ? summary.candidateParityRatio : summary.baselineParityRatio),
      parityRatioInterval: interval(
        asCandidate ? summary.candidateParityRatioInterval : summary.baselineParityRatioInterval,
      ),
      verdict:
        asCandidate && typeof verdict === "string" && VERDICTS.includes(verdict)
          ? (verdict as Verdict)
          : null,
      groups: rows,
    });
  }
  if (attributes.length === 0) return undefined;
  return {
    basis: "judgement",
    method: asCandidate
      ? "the fairness gate's figures for this version as candidate, as recorded in the audit log: selection rate, TPR and FPR per group with anytime-valid intervals (simultaneous over the gate's groups at its share of alpha); parity ratio = lowest / highest selection rate over the judged groups, with the interval those bounds imply"
      : "the fairness gate's figures for this version as baseline, as recorded in the audit log: selection rate, TPR and FPR per group (the gate computes per-group intervals for the candidate only) and the baseline's parity ratio with its anytime-valid interval",
    judgement,
    window: null,
    attributes,
  };
}

const rate = (x: number, n: number) => (n > 0 ? x / n : null);
const wilson = (x: number, n: number) => (n > 0 ? wilsonInterval(x, n, 0.95) : null);

/**
 * Subgroup figures recomputed from a cohort summary: per group selection rate, TPR and FPR with
 * Wilson 95% intervals, and per attribute the demographic parity ratio over groups with at least
 * `minGroupSize` decisions (fairlearn's between-groups ratio, src/stats/fairness.ts). Undefined when
 * the summary holds no groups. O(groups).
 */
export function subgroupsFromCohort(summary: CohortSummary, minGroupSize = 30): SubgroupTable | undefined {
  if (summary.groups.size === 0) return undefined;
  const attributes: SubgroupAttribute[] = [];
  for (const attribute of sorted(summary.groups.keys())) {
    const byGroup = summary.groups.get(attribute) as ReadonlyMap<string, GroupCounts>;
    const rows: SubgroupRow[] = sorted(byGroup.keys()).map((group) => {
      const c = byGroup.get(group) as GroupCounts;
      const positives = c.tp + c.fn;
      const negatives = c.fp + c.tn;
      return {
        group,
        n: c.n,
        judged: null,
        selectionRate: rate(c.selected, c.n),
        selectionRateInterval: wilson(c.selected, c.n),
        tpr: rate(c.tp, positives),
        tprInterval: wilson(c.tp, positives),
        fpr: rate(c.fp, negatives),
        fprInterval: wilson(c.fp, negatives),
      };
    });
    const parity = fairnessBetweenGroups(Object.fromEntries(byGroup), minGroupSize).demographicParityRatio;
    attributes.push({
      attribute,
      parityRatio: parity,
      parityRatioInterval: null,
      verdict: null,
      groups: rows,
    });
  }
  const iso = (ts: number | null) => (ts === null ? null : new Date(ts).toISOString());
  return {
    basis: "store",
    method: `recomputed from the store's cohort summaries of this version over every event it retains: selection rate, TPR and FPR per group with Wilson 95% intervals (fixed-sample, one group at a time); parity ratio = lowest / highest selection rate over groups with at least ${minGroupSize} decisions`,
    judgement: null,
    window: { from: iso(summary.firstTs), to: iso(summary.lastTs) },
    attributes,
  };
}
