import type { CohortSummary } from "../sketch/cohort-summary.js";
import { GateConfigError, parseEnumField, parseNameListField, parseNumberField } from "./config-parse.js";
import {
  alignCategories,
  alignHistograms,
  alignSketches,
  type BinnedDistribution,
  compareDistributions,
  type DriftComparison,
  type DriftRule,
} from "./drift-compare.js";
import type { Gate, GateInput, GateMetrics, GateResult, Verdict } from "./gate.js";
import {
  parseReferenceProfile,
  type ReferenceProfile,
  ReferenceProfileError,
  referenceSummary,
} from "./reference-profile.js";
import type { SequentialContext } from "./sequential.js";

export interface DriftConfig extends DriftRule {
  /** features to judge besides the scores: names, "all" (every feature both sides have), or none */
  features: string[] | "all";
  /** what the candidate is compared with */
  reference: "baseline" | "profile" | "both";
  /** the model's uploaded reference profile (the judge injects it when reference is not "baseline") */
  referenceProfile: ReferenceProfile | undefined;
}

/** One comparison to run: what (scores or a feature) against which reference. */
interface Check {
  label: string;
  against: "baseline" | "profile";
  feature?: string;
  distribution: BinnedDistribution | string;
}

function featureDistribution(ref: CohortSummary, candidate: CohortSummary, name: string, refName: string) {
  const r = ref.features.get(name);
  const c = candidate.features.get(name);
  if (!r || !c) return `feature ${name} is missing in the ${!c ? "candidate" : refName}`;
  if (r.kind === "numeric" && c.kind === "numeric") return alignSketches(r.sketch, c.sketch);
  if (r.kind === "categorical" && c.kind === "categorical") return alignCategories(r.counts, c.counts);
  return `feature ${name} is ${c.kind} in the candidate but ${r.kind} in the ${refName}`;
}

function checksAgainst(
  ref: CohortSummary,
  candidate: CohortSummary,
  against: Check["against"],
  config: DriftConfig,
) {
  const refName = against === "baseline" ? "baseline" : "reference profile";
  const suffix = against === "baseline" ? "" : " vs reference profile";
  const checks: Check[] = [
    { label: `scores${suffix}`, against, distribution: alignHistograms(ref.scores, candidate.scores) },
  ];
  const names =
    config.features === "all"
      ? [...candidate.features.keys()].filter((k) => ref.features.has(k)).sort()
      : config.features;
  for (const name of names) {
    checks.push({
      label: `feature ${name}${suffix}`,
      against,
      feature: name,
      distribution: featureDistribution(ref, candidate, name, refName),
    });
  }
  return checks;
}

type Outcome = { check: Check; result: DriftComparison | { verdict: Verdict; reason: string } };

function run(check: Check, config: DriftConfig, alpha: number, context?: SequentialContext): Outcome {
  const d = check.distribution;
  if (typeof d === "string")
    return { check, result: { verdict: "inconclusive", reason: `${check.label}: ${d}` } };
  const nB = d.baseline.reduce((a, b) => a + b, 0);
  const nC = d.candidate.reduce((a, b) => a + b, 0);
  if (nB === 0 || nC === 0) {
    const who = nC === 0 ? "candidate has" : "baseline has";
    return {
      check,
      result: {
        verdict: "inconclusive",
        reason: `${check.label}: ${who} 0 values, needs ${config.minSamples}`,
      },
    };
  }
  try {
    const sequence = { context, key: `psi:${check.label}` };
    return { check, result: compareDistributions(d, config, alpha, check.label, sequence) };
  } catch (err) {
    // Stats throw only on invalid input; a gate turns that into inconclusive rather than a 500.
    return {
      check,
      result: { verdict: "inconclusive", reason: `${check.label}: ${(err as Error).message}` },
    };
  }
}

const finiteOrNull = (x: unknown) => (typeof x === "number" && !Number.isFinite(x) ? null : x);

function metricsOf(r: Outcome["result"]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, finiteOrNull(v)]));
}

/**
 * Drift gate: the candidate's score distribution (and optionally features) against the baseline's,
 * an uploaded reference profile, or both. Every comparison reports KS, PSI with its noise floor,
 * Jensen–Shannon and Wasserstein, and is decided on anytime-valid CDF bands (drift-compare.ts,
 * docs/gates/drift.md). alpha is split equally (Bonferroni) over all comparisons of the request.
 * Fail if any comparison fails; pass if all pass; otherwise inconclusive. Cost O(bins) per comparison.
 */
export const driftGate: Gate<DriftConfig> = {
  name: "drift",
  settings: ["referenceProfile", "maxPsi", "maxKs", "minSamples", "psiBins", "features", "reference"],

  parseConfig(raw) {
    let referenceProfile: ReferenceProfile | undefined;
    if (raw.referenceProfile !== undefined && raw.referenceProfile !== null) {
      try {
        referenceProfile = parseReferenceProfile(raw.referenceProfile, { model: "", uploadedAt: 0 });
      } catch (err) {
        if (err instanceof ReferenceProfileError) {
          throw new GateConfigError(`referenceProfile.${err.field}`, err.message);
        }
        throw err;
      }
    }
    return {
      maxPsi: parseNumberField(raw, "maxPsi", 0.25, { above: 0 }),
      maxKs: parseNumberField(raw, "maxKs", 0.2, { above: 0, max: 1 }),
      minSamples: parseNumberField(raw, "minSamples", 100, { min: 1, integer: true }),
      psiBins: parseNumberField(raw, "psiBins", 10, { min: 2, max: 100, integer: true }),
      features: parseNameListField(raw, "features", []),
      reference: parseEnumField(raw, "reference", ["baseline", "profile", "both"] as const, "baseline"),
      referenceProfile,
    };
  },

  evaluate({ baseline, candidate, config, alpha, sequential }: GateInput<DriftConfig>): GateResult {
    const checks: Check[] = [];
    if (config.reference !== "profile")
      checks.push(...checksAgainst(baseline, candidate, "baseline", config));
    let missingProfile = false;
    if (config.reference !== "baseline") {
      if (config.referenceProfile) {
        checks.push(
          ...checksAgainst(referenceSummary(config.referenceProfile), candidate, "profile", config),
        );
      } else missingProfile = true;
    }
    const share = alpha / Math.max(1, checks.length);
    const outcomes = checks.map((c) => run(c, config, share, sequential));
    const headline = outcomes[0]?.result;
    const stats = headline && "ks" in headline ? headline : undefined;

    const metrics: GateMetrics = {};
    if (stats) {
      for (const k of ["ks", "ksPValue", "psi", "psiNoiseFloor", "jensenShannon", "wasserstein"] as const) {
        metrics[k] = finiteOrNull(stats[k]) as number | null;
      }
      metrics.wassersteinNormalized = finiteOrNull(stats.wassersteinNormalized) as number | null;
      metrics.ksLow = stats.ksLow;
      metrics.ksHigh = stats.ksHigh;
    }
    metrics.reference = config.reference;
    const profileScores = outcomes.find((o) => o.check.against === "profile" && !o.check.feature);
    if (profileScores && config.reference === "both")
      metrics.referenceProfile = metricsOf(profileScores.result);
    const features = outcomes.filter((o) => o.check.feature);
    if (features.length > 0) {
      const byName: Record<string, unknown> = {};
      for (const o of features) {
        const key =
          o.check.against === "baseline" ? o.check.feature! : `${o.check.feature} (reference profile)`;
        byName[key] = metricsOf(o.result);
      }
      metrics.features = byName;
    }
    if (config.features === "all") {
      const notJudged = [...candidate.features.keys()].filter((k) => !baseline.features.has(k));
      if (notJudged.length > 0) metrics.featuresOnlyInCandidate = notJudged.join(",");
    }

    const scoreCheck = outcomes[0];
    const n = {
      baseline: scoreCheck?.check.against === "baseline" ? baseline.scores.total : (stats?.nBaseline ?? 0),
      candidate: candidate.scores.total,
    };
    const base = {
      metric: "psi",
      value: stats ? stats.psi : null,
      threshold: config.maxPsi,
      interval: null,
      n,
      metrics,
    };
    const failed = outcomes.filter((o) => o.result.verdict === "fail");
    if (failed.length > 0) {
      return { ...base, verdict: "fail", reason: failed.map((o) => o.result.reason).join("; ") };
    }
    if (missingProfile) {
      return {
        ...base,
        verdict: "inconclusive",
        reason: "no reference profile uploaded for this model (PUT /v1/models/{model}/reference)",
      };
    }
    const open = outcomes.find((o) => o.result.verdict !== "pass");
    if (open) {
      const needs = "needs" in open.result ? open.result.needs : undefined;
      return { ...base, verdict: "inconclusive", reason: open.result.reason, ...(needs ? { needs } : {}) };
    }
    const others = outcomes.length - 1;
    const more = others > 0 ? `; ${others} more comparison${others > 1 ? "s" : ""} stable` : "";
    return { ...base, verdict: "pass", reason: `${outcomes[0].result.reason}${more}` };
  },
};
