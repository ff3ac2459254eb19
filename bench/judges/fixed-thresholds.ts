/**
 * Fixed thresholds as users write them by hand in Prometheus queries / Argo successConditions,
 * evaluated on the cumulative point estimates at every look (no interval, no multiplicity):
 * - drift: PSI (10 baseline-quantile bins of the score histograms) < 0.25
 * - latency: candidate p95 < 1.2 × baseline p95 (a limit set at the stable's p95 + 20%)
 * - auc: baseline AUC − candidate AUC < 0.02 (binned AUC point estimates)
 * - fairness: candidate's selection-rate parity ratio (min/max over groups) ≥ 0.8
 * - errors: candidate error rate < 1%
 * The point estimates are read from the same cohort summaries modelgate reads.
 */
import type { CohortSummary } from "../../src/sketch/cohort-summary.js";
import { aucFromBins } from "../../src/stats/auc-binned.js";
import { psiFromHistograms } from "../../src/stats/psi.js";
import type { BenchJudge, Look, LookVerdict } from "./judge.js";

export const FIXED_LIMITS = { psi: 0.25, p95Ratio: 1.2, aucDrop: 0.02, parityRatio: 0.8, errorRate: 0.01 };

const auc = (s: CohortSummary) =>
  s.scoresPositive.total > 0 && s.scoresNegative.total > 0
    ? aucFromBins(s.scoresPositive.counts, s.scoresNegative.counts).auc
    : Number.NaN;

function parityRatio(s: CohortSummary): number {
  const rates: number[] = [];
  for (const byValue of s.groups.values())
    for (const g of byValue.values()) if (g.n > 0) rates.push(g.selected / g.n);
  if (rates.length < 2) return Number.NaN;
  const max = Math.max(...rates);
  return max > 0 ? Math.min(...rates) / max : Number.NaN;
}

export function fixedThresholdJudge(limits = FIXED_LIMITS): BenchJudge {
  return {
    name: "fixed thresholds",
    gates: ["drift", "latency", "auc", "fairness", "errors"],
    judge({ baseline: b, candidate: c }: Look): LookVerdict {
      const psi =
        b.scores.total > 0 && c.scores.total > 0
          ? psiFromHistograms(b.scores.counts, c.scores.counts, 10).psi
          : 0;
      const p95Ratio =
        b.latency.count > 0 && c.latency.count > 0 ? c.latency.quantile(0.95) / b.latency.quantile(0.95) : 1;
      const aucDrop = auc(b) - auc(c);
      const parity = parityRatio(c);
      const errorRate = c.events > 0 ? c.errors / c.events : 0;
      // a NaN comparison is false: a check without data does not fire, as a Prometheus query with no series
      const gates = {
        drift: psi >= limits.psi,
        latency: p95Ratio >= limits.p95Ratio,
        auc: aucDrop >= limits.aucDrop,
        fairness: parity < limits.parityRatio,
        errors: errorRate >= limits.errorRate,
      };
      const fail = Object.values(gates).some(Boolean);
      return { fail, pass: !fail, gates };
    },
  };
}
