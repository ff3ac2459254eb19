import { describe, expect, it } from "vitest";
import { driftGate } from "../../src/gates/drift.js";
import { parseReferenceProfile } from "../../src/gates/reference-profile.js";
import type { CohortSummary } from "../../src/sketch/cohort-summary.js";
import { ks2samp } from "../../src/stats/ks.js";
import { lowerByHand } from "./by-hand.js";
import {
  addCategoricalFeature,
  addNumericFeature,
  addScores,
  configErrorField,
  falseFailLimit,
  mulberry32,
  newSummary,
  nonFinite,
} from "./synthetic.js";

const alpha = 0.05;
type M = Record<string, number>;

function cohorts(seed: number, nBaseline: number, nCandidate: number, shift = 0) {
  const random = mulberry32(seed);
  const baseline = newSummary();
  const candidate = newSummary();
  const b = addScores(baseline, random, nBaseline);
  const c = addScores(candidate, random, nCandidate, { mean: shift });
  return { baseline, candidate, b, c };
}

const judge = (baseline: CohortSummary, candidate: CohortSummary, raw: Record<string, unknown> = {}) =>
  driftGate.evaluate({ baseline, candidate, config: driftGate.parseConfig(raw), alpha });

/** ε_t of the Howard–Ramdas band, A = 0.85, t_min = 100, C_.025 = 8.6226 (REFERENCES.md §2.4 b1). */
const epsilon = (t: number) => 0.85 * Math.sqrt((Math.log(1 + Math.log(t / 100)) + 8.6226) / t);

describe("drift gate", () => {
  it("parses config from strings, defaults, and names a bad field", () => {
    expect(driftGate.parseConfig({})).toEqual({
      maxPsi: 0.25,
      maxKs: 0.2,
      minSamples: 100,
      psiBins: 10,
      features: [],
      reference: "baseline",
      referenceProfile: undefined,
    });
    expect(
      driftGate.parseConfig({ maxPsi: "0.1", features: "age, country", reference: "both" }),
    ).toMatchObject({
      maxPsi: 0.1,
      features: ["age", "country"],
      reference: "both",
    });
    expect(driftGate.parseConfig({ features: "all" }).features).toBe("all");
    expect(configErrorField(() => driftGate.parseConfig({ maxPsi: "x" }))).toBe("maxPsi");
    expect(configErrorField(() => driftGate.parseConfig({ maxKs: 2 }))).toBe("maxKs");
    expect(configErrorField(() => driftGate.parseConfig({ reference: "training" }))).toBe("reference");
    expect(configErrorField(() => driftGate.parseConfig({ features: 3 }))).toBe("features");
    expect(configErrorField(() => driftGate.parseConfig({ referenceProfile: { scores: "x" } }))).toBe(
      "referenceProfile.scores",
    );
  });

  it("passes identical distributions (A/A) and reports every drift metric", () => {
    const { baseline, candidate, b, c } = cohorts(1, 5000, 5000);
    const r = judge(baseline, candidate);
    expect(r.verdict).toBe("pass");
    const m = r.metrics as M;
    for (const k of ["ks", "ksPValue", "psi", "psiNoiseFloor", "jensenShannon", "wasserstein"]) {
      expect(typeof m[k], k).toBe("number");
    }
    // 10 baseline-quantile bins: noise floor (B − 1)(1/n₁ + 1/n₂)
    expect(m.psiNoiseFloor).toBeCloseTo(9 * (2 / 5000), 10);
    expect(m.psi).toBeLessThan(0.02);
    // binned KS never exceeds the raw-sample KS (edges are a subset of all x)
    expect(m.ks).toBeLessThanOrEqual(ks2samp(b, c, "asymp").statistic + 1e-12);
    expect(m.ksLow).toBe(0);
    expect(m.ksHigh).toBeGreaterThanOrEqual(m.ks + 2 * epsilon(5000) - 1e-9);
    expect(m.ksHigh).toBeLessThanOrEqual(0.2);
    expect(r.n).toEqual({ baseline: 5000, candidate: 5000 });
    expect(nonFinite(r)).toEqual([]);
  });

  it("fails shifted scores (PSI ≈ 0.35) on the PSI claim; the KS lower bound is the band's", () => {
    const { baseline, candidate, b, c } = cohorts(2, 5000, 5000, 0.6);
    // at alpha 0.04 the KS fail claim (half the comparison's alpha) gives each arm's band 0.01, whose
    // C_α = 9.283543354029135 is in test/fixtures/reference/sequential.json (scipy)
    const r = driftGate.evaluate({ baseline, candidate, config: driftGate.parseConfig({}), alpha: 0.04 });
    expect(r.verdict).toBe("fail");
    const m = r.metrics as M;
    expect(m.psi).toBeGreaterThan(0.3);
    expect(m.psi).toBeLessThan(0.45);
    // KS at bin edges is within one fine bin's mass of the raw two-sample KS (scipy convention)
    const raw = ks2samp(b, c, "asymp").statistic;
    expect(m.ks).toBeLessThanOrEqual(raw + 1e-12);
    expect(m.ks).toBeGreaterThan(raw - 0.02);
    const epsilonAt01 = 0.85 * Math.sqrt((Math.log(1 + Math.log(5000 / 100)) + 9.283543354029135) / 5000);
    expect(m.ksLow).toBeCloseTo(m.ks - 2 * epsilonAt01, 6);
    expect(m.ksLow).toBeGreaterThan(0);
    expect(m.ksLow).toBeLessThan(0.2);
    expect(r.metric).toBe("psi");
    expect(r.value).toBe(m.psi);
    expect(r.reason).toMatch(
      /^scores: PSI beyond its limit: PSI 0\.\d{3} \(noise floor 0\.004, anytime-valid lower bound 0\.2\d\d, limit 0\.25\)/,
    );
    expect(nonFinite(r)).toEqual([]);
  });

  it("the PSI claim bounds the bias-corrected PSI with its delta-method variance (a categorical feature, by hand)", () => {
    const random = mulberry32(9);
    const baseline = newSummary();
    const candidate = newSummary();
    addScores(baseline, random, 3000);
    addScores(candidate, random, 1500);
    addCategoricalFeature(baseline, random, "plan", 3000, { free: 0.5, pro: 0.3, team: 0.2 });
    addCategoricalFeature(candidate, random, "plan", 1500, { free: 0.15, pro: 0.35, team: 0.5 });
    const r = judge(baseline, candidate, { features: "plan" });
    const plan = (r.metrics.features as Record<string, M>).plan;
    const counts = (s: CohortSummary) => {
      const f = s.features.get("plan") as { counts: Map<string, number> };
      return ["free", "pro", "team"].map((k) => f.counts.get(k) ?? 0);
    };
    const rb = counts(baseline).map((x) => x / 3000);
    const rc = counts(candidate).map((x) => x / 1500);
    // PSI = Σ (c − r)·ln(c/r); gradients a = ln(c/r) + 1 − r/c (candidate), b = −ln(c/r) + 1 − c/r
    let psi = 0;
    let sa = 0;
    let sa2 = 0;
    let sb = 0;
    let sb2 = 0;
    for (let i = 0; i < 3; i++) {
      const l = Math.log(rc[i] / rb[i]);
      psi += (rc[i] - rb[i]) * l;
      const a = l + 1 - rb[i] / rc[i];
      const g = -l + 1 - rc[i] / rb[i];
      sa += a * rc[i];
      sa2 += a * a * rc[i];
      sb += g * rb[i];
      sb2 += g * g * rb[i];
    }
    const se = Math.sqrt((sa2 - sa * sa) / 1500 + (sb2 - sb * sb) / 3000);
    const noiseFloor = 2 * (1 / 3000 + 1 / 1500);
    expect(plan.psi).toBeCloseTo(psi, 12);
    expect(plan.psiNoiseFloor).toBeCloseTo(noiseFloor, 15);
    // two comparisons (scores, plan) share the gate's alpha; the PSI claim has half of a comparison's
    expect(plan.psiLow).toBeCloseTo(lowerByHand(psi - noiseFloor, se, alpha / 2 / 2, 0.25), 12);
    expect(plan.psiLow).toBeGreaterThan(0.25);
    expect(plan.verdict).toBe("fail");
    expect(r.verdict).toBe("fail");
    expect(r.reason).toMatch(/^feature plan: /);
  });

  it("does not fail a large PSI that is not significant (small samples)", () => {
    const { baseline, candidate } = cohorts(3, 120, 120, 0.4);
    const r = judge(baseline, candidate);
    expect(r.verdict).toBe("inconclusive");
    expect((r.metrics as M).ksLow).toBe(0);
  });

  it("is inconclusive with too few samples, naming the count", () => {
    const { baseline, candidate } = cohorts(4, 5000, 37);
    const r = judge(baseline, candidate);
    expect(r.verdict).toBe("inconclusive");
    expect(r.reason).toBe("scores: candidate has 37 values, needs 100");
    const empty = judge(newSummary(), newSummary());
    expect(empty.verdict).toBe("inconclusive");
    expect(empty.reason).toBe("scores: candidate has 0 values, needs 100");
    expect(nonFinite([r, empty])).toEqual([]);
  });

  it("judges numeric and categorical features when asked, naming the drifted feature", () => {
    const random = mulberry32(5);
    const baseline = newSummary();
    const candidate = newSummary();
    addScores(baseline, random, 4000);
    addScores(candidate, random, 4000);
    addNumericFeature(baseline, random, "age", 4000, { mean: 40, sd: 10 });
    addNumericFeature(candidate, random, "age", 4000, { mean: 40, sd: 10 });
    addNumericFeature(baseline, random, "income", 4000, { mean: 100, sd: 20 });
    addNumericFeature(candidate, random, "income", 4000, { mean: 115, sd: 20 });
    addCategoricalFeature(baseline, random, "country", 4000, { de: 0.5, fr: 0.3, it: 0.2 });
    addCategoricalFeature(candidate, random, "country", 4000, { de: 0.5, fr: 0.3, it: 0.2 });

    const none = judge(baseline, candidate);
    expect(none.verdict).toBe("pass");
    expect(none.metrics.features).toBeUndefined();

    const r = judge(baseline, candidate, { features: "all" });
    expect(r.verdict).toBe("fail");
    expect(r.reason).toMatch(/^feature income: /);
    const features = r.metrics.features as Record<string, M & { verdict: string }>;
    expect(Object.keys(features).sort()).toEqual(["age", "country", "income"]);
    expect(features.income.verdict).toBe("fail");
    expect(features.income.psi).toBeGreaterThan(0.4);
    // Wasserstein of a 15-unit mean shift, normalised by the baseline std (20): ≈ 0.75
    expect(features.income.wassersteinNormalized).toBeGreaterThan(0.6);
    expect(features.income.wassersteinNormalized).toBeLessThan(0.9);
    expect(features.age.verdict).toBe("pass");
    expect(features.country.verdict).toBe("pass");
    expect(features.country.chiSquarePValue).toBeGreaterThan(0.001);
    expect(features.country.wasserstein).toBeNull();
    expect(nonFinite(r)).toEqual([]);

    addCategoricalFeature(candidate, random, "country", 3000, { it: 1 });
    const cat = judge(baseline, candidate, { features: ["country"] });
    expect(cat.verdict).toBe("fail");
    expect(cat.reason).toMatch(/^feature country: /);
    expect((cat.metrics.features as Record<string, M>).country.chiSquarePValue).toBeLessThan(1e-6);

    const missing = judge(baseline, candidate, { features: ["height"] });
    expect(missing.verdict).toBe("inconclusive");
    expect(missing.reason).toBe("feature height: feature height is missing in the candidate");
  });

  it("compares the candidate with an uploaded reference profile", () => {
    const random = mulberry32(6);
    const training = newSummary();
    addScores(training, random, 20_000);
    addNumericFeature(training, random, "age", 20_000, { mean: 40, sd: 10 });
    const profile = parseReferenceProfile(
      {
        scores: training.scores.toJSON(),
        features: {
          age: {
            kind: "numeric",
            sketch: (training.features.get("age") as { sketch: { toJSON(): unknown } }).sketch.toJSON(),
          },
        },
      },
      { model: "m", uploadedAt: 0 },
    );
    const baseline = newSummary();
    const same = newSummary();
    const shifted = newSummary();
    addScores(baseline, random, 5000);
    addScores(same, random, 5000);
    addScores(shifted, random, 5000, { mean: 0.7 });
    addNumericFeature(same, random, "age", 5000, { mean: 40, sd: 10 });

    const ok = judge(baseline, same, { reference: "profile", referenceProfile: profile, features: "all" });
    expect(ok.verdict).toBe("pass");
    expect(ok.n.baseline).toBe(20_000);

    const both = judge(baseline, shifted, { reference: "both", referenceProfile: profile });
    expect(both.verdict).toBe("fail");
    expect(both.reason).toMatch(
      /^scores: distribution changed.*; scores vs reference profile: distribution changed/,
    );
    expect((both.metrics.referenceProfile as M).psi).toBeGreaterThan(0.25);

    const noProfile = judge(baseline, same, { reference: "profile" });
    expect(noProfile.verdict).toBe("inconclusive");
    expect(noProfile.reason).toMatch(/no reference profile uploaded/);
    expect(nonFinite([ok, both, noProfile])).toEqual([]);
  });

  // The PSI claim is a bound on the PSI itself, so a drift only 20–40% above the limit (PSI ≈ 0.34 at
  // shift 0.6) is proven in few runs by 3,000 events an arm; a drift well beyond it (PSI ≈ 0.46 at
  // shift 0.7) is caught in most.
  it("A/A over 200 runs × 10 looks: false-fail fraction ≤ alpha + slack; PSI ≈ 0.46 is caught", () => {
    const runs = 200;
    const looks = 10;
    const perLook = 300;
    const simulate = (shift: number, seed: number) => {
      const random = mulberry32(seed);
      const config = driftGate.parseConfig({ features: "all" });
      let everFailed = 0;
      for (let run = 0; run < runs; run++) {
        const baseline = newSummary();
        const candidate = newSummary();
        for (let look = 0; look < looks; look++) {
          addScores(baseline, random, perLook);
          addScores(candidate, random, perLook, { mean: shift });
          addNumericFeature(baseline, random, "x", perLook, { mean: 0, sd: 1 });
          addNumericFeature(candidate, random, "x", perLook, { mean: 0, sd: 1 });
          addCategoricalFeature(baseline, random, "c", perLook, { a: 0.6, b: 0.3, c: 0.1 });
          addCategoricalFeature(candidate, random, "c", perLook, { a: 0.6, b: 0.3, c: 0.1 });
          const r = driftGate.evaluate({ baseline, candidate, config, alpha });
          if (nonFinite(r).length > 0) throw new Error(`non-finite in ${JSON.stringify(r)}`);
          if (r.verdict === "fail") {
            everFailed++;
            break;
          }
        }
      }
      return everFailed / runs;
    };
    const falseFail = simulate(0, 7);
    expect(falseFail).toBeLessThanOrEqual(falseFailLimit(alpha, runs));
    const power = simulate(0.7, 8);
    expect(power).toBeGreaterThan(0.8);
    console.info(
      `drift A/A: false-fail ${falseFail} over ${runs} runs × ${looks} looks; power at PSI≈0.46: ${power}`,
    );
    // ~12 s alone, twice that beside other test files on two cores
  }, 60_000);
});
