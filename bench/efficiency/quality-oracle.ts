/**
 * The information-limit oracle (REFERENCES §7, bench/efficiency/oracle.ts) for the rows of the quality
 * benchmark (bench/sim/world.ts scenarios at the run's traffic split and label share): the candidate
 * events a fixed-sample one-sided z-test at the gate's share of alpha needs for 80% power against the
 * gate's default tolerance. null for a row inside the tolerance (nothing to detect) or at it.
 */
import type { RunOptions } from "../sim/analysis-run.js";
import { baselineArm, LATENCY_SIGMA, type Scenario } from "../sim/world.js";
import { logQuantileSd1, oracleN, parityRatioVariance, psiSd1 } from "./oracle.js";
import { aucOf, psiBins, selectionRate } from "./scenarios.js";

export function qualityOracleN80(s: Scenario, run: RunOptions, alpha: number): number | null {
  const k = (1 - run.candidateShare) / run.candidateShare;
  const n = (effect: number, se1: number) => (effect > 1e-12 ? oracleN(effect, se1, alpha) : null);
  switch (s.kind) {
    case "drift": {
      const { baselineShares, candidateShares, psi } = psiBins(s.candidate.shift);
      return n(psi - 0.25, psiSd1(baselineShares, candidateShares, k));
    }
    case "latency":
      return n(Math.log(s.size / 1.2), logQuantileSd1(LATENCY_SIGMA, 0.95) * Math.sqrt(1 + 1 / k));
    case "auc": {
      const b = aucOf(s.baseline);
      const c = aucOf(s.candidate);
      // per candidate event: only the labelled share enters the AUC
      const se1 = Math.sqrt((c.variance1 + b.variance1 / k) / run.labelledShare);
      return n(b.auc - c.auc - 0.02, se1);
    }
    case "fairness": {
      const sel = selectionRate(baselineArm());
      const se1 = Math.sqrt(
        parityRatioVariance(sel, s.size * sel, 0.5, 0.5) + parityRatioVariance(sel, sel, 0.5 * k, 0.5 * k),
      );
      return n(1 - 0.05 - s.size, se1);
    }
    case "errors":
      return n(s.size - 0.005, Math.sqrt(s.size * (1 - s.size)));
    default:
      return null;
  }
}
