/**
 * modelgate itself: the registered gates (of drift, latency, auc, fairness, errors) with their
 * default configs, each at the judge's Bonferroni share alpha/K, combined by the judge's policy.
 * This is exactly what runJudgement does after reading the two cohorts.
 */
import type { Gate } from "../../src/gates/gate.js";
import { GATES } from "../../src/gates/registry.js";
import { alphaPerGate, combine } from "../../src/judge/policy.js";
import { type BenchJudge, GATE_KEYS, type GateKey, type Look, type LookVerdict } from "./judge.js";

export function modelgateJudge(
  alpha = 0.05,
  fields: Partial<Record<GateKey, Record<string, unknown>>> = {},
): BenchJudge {
  const registry = GATES as Readonly<Record<string, Gate<unknown>>>;
  const gates = GATE_KEYS.filter((g) => Object.hasOwn(registry, g));
  const configs = gates.map((g) => [g, registry[g].parseConfig(fields[g] ?? {})] as const);
  const gateAlpha = alphaPerGate(alpha, gates.length);
  return {
    name: "modelgate",
    gates,
    judge({ baseline, candidate }: Look): LookVerdict {
      const results = configs.map(
        ([g, config]) =>
          [g, registry[g].evaluate({ baseline, candidate, config, alpha: gateAlpha })] as const,
      );
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
