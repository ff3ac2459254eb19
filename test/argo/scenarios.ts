/**
 * Synthetic model traffic for the Argo contract test, as a model server's logger would send it
 * to POST /v1/events: one baseline version and candidate versions that differ from it in one way
 * each. Every event carries a score (binormal: z ~ N(label·d + shift, 1), score = logistic(z), so
 * AUC = Φ(d/√2) whatever the shift), a label (prevalence 0.3), a decision (Bernoulli(TPR 0.8) for
 * positives, Bernoulli(FPR 0.2) for negatives, both × the group's factor), a latency
 * (median · exp(N(0, 0.25))) and a group `sex` (female/male, half each); a share of events are
 * errors instead (no score).
 */
import { normalQuantile } from "../../src/stats/normal.js";
import { mulberry32, type RandomSource, randomNormal } from "../../src/stats/random.js";

export interface CohortSpec {
  /** pod-template-hash (the version in the events) */
  version: string;
  auc: number;
  /** shift of z for every event: drifted scores */
  shift: number;
  latencyMedianMs: number;
  errorRate: number;
  /** multiplies the female group's TPR and FPR, so its selection rate (and the parity ratio) */
  femaleFactor: number;
  /** events per look */
  perLook: number;
  seed: number;
}

const BASE = { auc: 0.8, shift: 0, latencyMedianMs: 100, errorRate: 0.001, femaleFactor: 1 };
export const PER_LOOK = 2000;

export const BASELINE: CohortSpec = { ...BASE, version: "6b7f9c5d8", perLook: PER_LOOK, seed: 11 };

/** Candidates by scenario name; "clearly worse" ones differ from the baseline in one respect. */
export const CANDIDATES = {
  equal: { ...BASE, version: "84c2d7f4b", perLook: PER_LOOK, seed: 12 },
  // z shifted by 0.8 sd: PSI 0.47 on 10 baseline-quantile bins (scipy, from the mixture's CDF;
  // checked in the test), clearly beyond the drift gate's limit 0.25, which must be proven
  shifted: { ...BASE, version: "5f8d6c9b7", shift: 0.8, perLook: PER_LOOK, seed: 13 },
  slower: { ...BASE, version: "7c4b9d2e1", latencyMedianMs: 150, perLook: PER_LOOK, seed: 14 },
  weaker: { ...BASE, version: "9a1e3f5d2", auc: 0.75, perLook: PER_LOOK, seed: 15 },
  unfair: { ...BASE, version: "3e6a8b1c4", femaleFactor: 0.6, perLook: PER_LOOK, seed: 16 },
  erroring: { ...BASE, version: "2d5c7e9f0", errorRate: 0.03, perLook: PER_LOOK, seed: 17 },
  // too little data: 5 events per look, 50 over the whole run
  tiny: { ...BASE, version: "8b2f4a6c3", perLook: 5, seed: 18 },
  // More equal candidates, so that each variant of a template's equal case judges a canary of its
  // own, as separate rollouts would: the runs of one canary with the same gates are one run to the
  // judge (its looks count on, under one declared schedule).
  "equal-b": { ...BASE, version: "4a7c2e9d1", perLook: PER_LOOK, seed: 19 },
  "equal-c": { ...BASE, version: "6d3b8f2a5", perLook: PER_LOOK, seed: 20 },
} satisfies Record<string, CohortSpec>;

export type Scenario = keyof typeof CANDIDATES;

const logistic = (z: number) => 1 / (1 + Math.exp(-z));

/** A stateful generator per cohort, so look k continues the stream of look k − 1. */
export function cohortStream(model: string, spec: CohortSpec): (n: number, ts: number) => object[] {
  const random: RandomSource = mulberry32(spec.seed);
  const d = Math.SQRT2 * normalQuantile(spec.auc);
  return (n, ts) => {
    const out: object[] = [];
    for (let i = 0; i < n; i++) {
      const female = random() < 0.5;
      const label = random() < 0.3 ? 1 : 0;
      const latencyMs = spec.latencyMedianMs * Math.exp(randomNormal(random, 0, 0.25));
      if (random() < spec.errorRate) {
        out.push({ model, version: spec.version, ts, error: true, latencyMs });
        continue;
      }
      const score = logistic(randomNormal(random, label * d + spec.shift, 1));
      const factor = female ? spec.femaleFactor : 1;
      const decision = random() < (label === 1 ? 0.8 : 0.2) * factor ? 1 : 0;
      out.push({
        model,
        version: spec.version,
        ts,
        score,
        label,
        decision,
        latencyMs,
        groups: { sex: female ? "female" : "male" },
      });
    }
    return out;
  };
}
