/**
 * modelgate itself: the registered gates (of drift, latency, auc, fairness, errors) with their
 * default configs, each at the judge's Bonferroni share alpha/K, combined by the judge's policy —
 * exactly what runJudgement does after reading the two cohorts. With `looks`, the run declares its
 * look schedule (as a template passing Argo's count does): the gates keep the run's sequential state
 * across looks like the judge's history does (src/judge/sequential-runs.ts).
 */
import type { Gate, GateResult } from "../../src/gates/gate.js";
import { GATES } from "../../src/gates/registry.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { alphaPerGate, combine } from "../../src/judge/policy.js";
import { SequentialRuns } from "../../src/judge/sequential-runs.js";
import type { SpendingFunction } from "../../src/stats/alpha-spending.js";
import { type BenchJudge, GATE_KEYS, type GateKey, type Look, type LookVerdict } from "./judge.js";

export function modelgateJudge(
  alpha = 0.05,
  fields: Partial<Record<GateKey, Record<string, unknown>>> = {},
  schedule: { looks?: number; spending?: SpendingFunction } = {},
): BenchJudge {
  const registry = GATES as Readonly<Record<string, Gate<unknown>>>;
  const gates = GATE_KEYS.filter((g) => Object.hasOwn(registry, g));
  const configs = gates.map((g) => [g, registry[g].parseConfig(fields[g] ?? {})] as const);
  const gateAlpha = alphaPerGate(alpha, gates.length);
  const { looks, spending = "obrien-fleming" } = schedule;
  let runs = new SequentialRuns();
  return {
    name: looks === undefined ? "modelgate" : `modelgate, ${looks} looks declared`,
    gates,
    startRun() {
      runs = new SequentialRuns();
    },
    judge({ baseline, candidate, index }: Look): LookVerdict {
      const design = looks === undefined ? undefined : { look: index, looks, spending };
      const answered: Record<string, GateResult> = {};
      const results = configs.map(([g, config]) => {
        const sequential = design && runs.contextFor("run", g, design);
        const r = registry[g].evaluate({ baseline, candidate, config, alpha: gateAlpha, sequential });
        if (design && sequential) {
          answered[g] = {
            ...r,
            sequential: { ...design, observed: Object.fromEntries(sequential.observed) },
          };
        }
        return [g, r] as const;
      });
      // (the service prepares the next look ahead on idle turns: the answers are the same without it)
      if (design) runs.observe("run", { gates: answered } as unknown as JudgeResponse);
      const summary = combine(results);
      const aucOptional = combine(results, { optional: ["auc"] });
      const perGate: LookVerdict["gates"] = {};
      const gatePass: LookVerdict["gates"] = {};
      for (const [g, r] of results) {
        perGate[g] = r.verdict === "fail";
        gatePass[g] = r.verdict === "pass";
      }
      return {
        fail: summary.verdict === "fail",
        pass: summary.verdict === "pass",
        passAucOptional: aucOptional.verdict === "pass",
        gates: perGate,
        gatePass,
      };
    },
  };
}
