/**
 * Kayenta's NetflixACAJudge re-applied at every look (standalone canary analysis with a growing
 * window, REFERENCES §1.6): at look k each metric's per-10-second series of both arms since the
 * start (6k steps each) is classified by the Mann–Whitney rule; one group per gate; the run fails
 * at the first look whose score is ≤ marginal (75), or at the last look if its score is < pass (95).
 * Metric configs: score_mean and selection rates direction either; latency_p95 increase with
 * allowedIncrease 1.2 (the same +20% tolerance as the other judges); error_rate increase; auc
 * decrease; other effect sizes at Kayenta's defaults (1.0, i.e. any significant change counts).
 */
import { mulberry32 } from "../../src/stats/random.js";
import {
  classifyMetric,
  type KayentaLabel,
  type KayentaMetricConfig,
  kayentaScore,
} from "../baselines/kayenta.js";
import type { KayentaMetric } from "../sim/steps.js";
import type { BenchJudge, GateKey, Look, LookVerdict } from "./judge.js";

export const KAYENTA_CONFIG: Record<KayentaMetric, KayentaMetricConfig & { group: GateKey }> = {
  score_mean: { direction: "either", group: "drift" },
  latency_p95: { direction: "increase", allowedIncrease: 1.2, group: "latency" },
  error_rate: { direction: "increase", group: "errors" },
  auc: { direction: "decrease", group: "auc" },
  selection_rate_a: { direction: "either", group: "fairness" },
  selection_rate_b: { direction: "either", group: "fairness" },
};

export const KAYENTA_THRESHOLDS = { pass: 95, marginal: 75 };

export function kayentaJudge(thresholds = KAYENTA_THRESHOLDS, seed = 343): BenchJudge {
  const random = mulberry32(seed);
  return {
    name: "Kayenta (NetflixACAJudge)",
    gates: ["drift", "latency", "auc", "fairness", "errors"],
    judge({ steps, final }: Look): LookVerdict {
      const groups: Partial<Record<GateKey, KayentaLabel[]>> = {};
      for (const [metric, config] of Object.entries(KAYENTA_CONFIG) as [
        KayentaMetric,
        (typeof KAYENTA_CONFIG)[KayentaMetric],
      ][]) {
        const label = classifyMetric(steps.candidate[metric], steps.baseline[metric], config, random);
        const list = groups[config.group] ?? [];
        list.push(label);
        groups[config.group] = list;
      }
      const score = kayentaScore(groups as Record<string, KayentaLabel[]>);
      const gates: LookVerdict["gates"] = {};
      for (const [g, labels] of Object.entries(groups) as [GateKey, KayentaLabel[]][]) {
        gates[g] = labels.some((l) => l === "High" || l === "Low");
      }
      const fail = score <= thresholds.marginal || (final && score < thresholds.pass);
      return { fail, pass: final && score >= thresholds.pass, gates };
    },
  };
}
