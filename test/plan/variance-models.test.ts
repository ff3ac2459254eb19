import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aucBinningError, binormalAuc, psiBinShares, shiftForPsi } from "../../src/plan/score-model.js";
import {
  hanleyMcNeilVariance,
  logQuantileSd1,
  parityRatioVariance,
  psiSd1,
  rateDifferenceSd1,
} from "../../src/plan/variance-models.js";
import { DEFAULT_LAYOUT } from "../../src/sketch/cohort-summary.js";
import { kolmogorovCdf, kolmogorovQuantile } from "../../src/stats/kolmogorov.js";
import { normalQuantile } from "../../src/stats/normal.js";
import { normalRangeCdf, normalRangeMean, normalRangeQuantile } from "../../src/stats/normal-range.js";
import { psiVariance } from "../../src/stats/psi-variance.js";

// scipy values: test/fixtures/reference/gen_plan.py
const ref = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "fixtures", "reference", "plan.json"), "utf8"),
);

/** The fixed-sample z-test size of REFERENCES §7: smallest n with effect·√n/sd1 ≥ z(1−α) + z(0.8). */
const oracleN = (effect: number, sd1: number, alpha: number) =>
  Math.ceil((((normalQuantile(1 - alpha) + normalQuantile(0.8)) * sd1) / effect) ** 2);

// REFERENCES §7 worked values: alpha_g 0.01 one-sided, 80% power, baseline = 4 × candidate, every event
// labelled, prevalence 0.2, selection rate 0.30 per group, log-normal latency σ = 0.4; candidate n80
// "rounded up on a 1% grid", so the exact n lies within 1% below each stated value.
const within1pct = (n: number, stated: number) => {
  expect(n).toBeLessThanOrEqual(stated);
  expect(n).toBeGreaterThan(stated / 1.0101);
};

describe("variance models against the REFERENCES §7 worked values", () => {
  it("latency: log quantile ratio (fail ×1.4 vs 1.2 ≈ 378, pass ≈ 272)", () => {
    const sd1 = logQuantileSd1(0.4, 0.95) * Math.sqrt(1 + 1 / 4);
    within1pct(oracleN(Math.log(1.4 / 1.2), sd1, 0.01), 378);
    within1pct(oracleN(Math.log(1.2), sd1, 0.01), 272);
  });

  it("auc: Hanley–McNeil difference of AUCs (fail 0.85 → 0.80 ≈ 5,250, pass ≈ 9,870)", () => {
    const sd1At = (n: number, aucC: number) =>
      Math.sqrt(
        n * (hanleyMcNeilVariance(aucC, 0.2 * n, 0.8 * n) + hanleyMcNeilVariance(0.85, 0.8 * n, 3.2 * n)),
      );
    let fail = oracleN(0.03, sd1At(5000, 0.8), 0.01);
    fail = oracleN(0.03, sd1At(fail, 0.8), 0.01);
    let pass = oracleN(0.02, sd1At(10000, 0.85), 0.01);
    pass = oracleN(0.02, sd1At(pass, 0.85), 0.01);
    within1pct(fail, 5250);
    within1pct(pass, 9870);
  });

  it("fairness: parity ratio (fail 1.0 → 0.75 vs drop 0.05 ≈ 2,224, pass vs floor 0.8 ≈ 2,364)", () => {
    const failSd1 = Math.sqrt(
      parityRatioVariance(0.3, 0.225, 0.5, 0.5) + parityRatioVariance(0.3, 0.3, 2, 2),
    );
    within1pct(oracleN(0.2, failSd1, 0.01), 2224);
    within1pct(oracleN(0.2, Math.sqrt(parityRatioVariance(0.3, 0.3, 0.5, 0.5)), 0.01), 2364);
  });

  it("errors: a difference of rates adds the arms' Bernoulli variances", () => {
    // p_c(1 − p_c) + p_b(1 − p_b)/k, written out
    expect(rateDifferenceSd1(0.015, 0.005, 9)).toBeCloseTo(
      Math.sqrt(0.015 * 0.985 + (0.005 * 0.995) / 9),
      14,
    );
  });
});

describe("variance models against scipy (gen_plan.py)", () => {
  it("logQuantileSd1", () => {
    for (const [sigma, q, sd1] of ref.logQuantileSd1) expect(logQuantileSd1(sigma, q)).toBeCloseTo(sd1, 10);
  });

  it("binormal AUC and its DeLong placement variance", () => {
    for (const r of ref.binormalAuc) {
      const got = binormalAuc(r.auc, r.prevalence);
      expect(got.auc).toBeCloseTo(r.aucComputed, 9);
      expect(got.variance1).toBeCloseTo(r.variance1, 8);
    }
  });

  it("the AUC binning error bound of 1000 score bins", () => {
    for (const r of ref.aucBinningError) {
      const got = aucBinningError(r.auc, { ...DEFAULT_LAYOUT, scoreBins: r.bins });
      expect(got / r.error).toBeCloseTo(1, 9);
    }
  });

  it("PSI of a latent shift on baseline-decile bins, and the shift for a PSI", () => {
    for (const r of ref.psiShift) {
      const got = psiBinShares(r.shift, r.auc, r.prevalence, r.bins);
      for (let b = 0; b < r.bins; b++) {
        expect(got.baseline[b]).toBeCloseTo(r.baseline[b], 10);
        expect(got.candidate[b]).toBeCloseTo(r.candidate[b], 10);
      }
      expect(got.psi).toBeCloseTo(r.psi, 10);
      expect(shiftForPsi(r.psi, r.auc, r.prevalence, r.bins)).toBeCloseTo(r.shift, 8);
    }
  });

  it("psiSd1 is the judge's delta-method PSI variance (src/stats/psi-variance.ts) at the truth", () => {
    const { baseline, candidate } = ref.psiShift[1];
    const n = 1e6;
    const k = 9;
    const judge = psiVariance(
      baseline.map((r: number) => r * k * n),
      candidate.map((c: number) => c * n),
    );
    expect(psiSd1(baseline, candidate, k)).toBeCloseTo(Math.sqrt(judge * n), 9);
  });

  it("the Kolmogorov law", () => {
    for (const [x, p] of ref.kolmogorov.cdf) expect(kolmogorovCdf(x)).toBeCloseTo(p, 12);
    for (const [p, x] of ref.kolmogorov.ppf) expect(kolmogorovQuantile(p)).toBeCloseTo(x, 10);
    expect(() => kolmogorovQuantile(1)).toThrow(/p must be in \(0, 1\)/);
  });

  it("the range of g standard normals", () => {
    for (const [g, mean] of ref.normalRange.mean) expect(normalRangeMean(g)).toBeCloseTo(mean, 9);
    for (const [g, w, p] of ref.normalRange.cdf) expect(normalRangeCdf(g, w)).toBeCloseTo(p, 9);
    for (const [g, p, w] of ref.normalRange.quantile) expect(normalRangeQuantile(g, p)).toBeCloseTo(w, 8);
    expect(() => normalRangeMean(1)).toThrow(/groups must be an integer >= 2/);
  });
});
