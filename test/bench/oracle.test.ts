import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  hanleyMcNeilVariance,
  logQuantileSd1,
  oracleN,
  oraclePower,
  parityRatioVariance,
  rateDifferencePassLimit,
} from "../../bench/efficiency/oracle.js";

/** test/fixtures/reference/gen_plan.py (scipy) */
const PLAN_FIXTURE = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "fixtures", "reference", "plan.json"), "utf8"),
) as {
  rateDifferencePass: {
    p: number;
    delta: number;
    k: number;
    alpha: number;
    oracleN: number;
    validN: number;
    oracleSize: number;
  }[];
};

// REFERENCES §7 worked values: alpha_g 0.01 one-sided, 80% power, baseline = 4 × candidate, every
// event labelled, prevalence 0.2, selection rate 0.30 per group, log-normal latency σ = 0.4; candidate
// n80 "rounded up on a 1% grid", so the exact n lies within 1% below each stated value.
const within1pct = (n: number, stated: number) => {
  expect(n).toBeLessThanOrEqual(stated);
  expect(n).toBeGreaterThan(stated / 1.0101);
};

describe("oracle n80 (fixed-sample z-test at the gate's alpha share)", () => {
  it("latency: fail p95 ×1.4 vs maxRatio 1.2 ≈ 378, pass equal p95s ≈ 272", () => {
    const se1 = logQuantileSd1(0.4, 0.95) * Math.sqrt(1 + 1 / 4);
    within1pct(oracleN(Math.log(1.4 / 1.2), se1, 0.01), 378);
    within1pct(oracleN(Math.log(1.2), se1, 0.01), 272);
  });

  it("auc (Hanley–McNeil): fail 0.85 → 0.80 vs margin 0.02 ≈ 5,250, pass equal 0.85 ≈ 9,870", () => {
    // se1 from the variance at a large n (the n − 1 terms make it depend weakly on n; iterate once)
    const se1At = (n: number, aucC: number) =>
      Math.sqrt(
        n * (hanleyMcNeilVariance(aucC, 0.2 * n, 0.8 * n) + hanleyMcNeilVariance(0.85, 0.8 * n, 3.2 * n)),
      );
    let fail = oracleN(0.03, se1At(5000, 0.8), 0.01);
    fail = oracleN(0.03, se1At(fail, 0.8), 0.01);
    let pass = oracleN(0.02, se1At(10000, 0.85), 0.01);
    pass = oracleN(0.02, se1At(pass, 0.85), 0.01);
    within1pct(fail, 5250);
    within1pct(pass, 9870);
  });

  it("fairness: fail parity 1.0 → 0.75 vs maxParityDrop 0.05 ≈ 2,224; pass equal vs floor 0.8 ≈ 2,364", () => {
    // groups of n/2 each; baseline 4n
    const failSe1 = Math.sqrt(
      parityRatioVariance(0.3, 0.225, 0.5, 0.5) + parityRatioVariance(0.3, 0.3, 2, 2),
    );
    within1pct(oracleN(0.2, failSe1, 0.01), 2224);
    within1pct(oracleN(0.2, Math.sqrt(parityRatioVariance(0.3, 0.3, 0.5, 0.5)), 0.01), 2364);
  });

  it("a pass on equal error rates: the oracle's z-test is not valid at the boundary; the valid limit is larger (scipy)", () => {
    for (const c of PLAN_FIXTURE.rateDifferencePass) {
      const r = rateDifferencePassLimit(c.p, c.delta, c.k, c.alpha);
      expect(r.oracleN).toBe(c.oracleN);
      expect(r.validN).toBe(c.validN);
      expect(r.oracleSize).toBeCloseTo(c.oracleSize, 10);
      expect(r.oracleSize).toBeGreaterThan(c.alpha);
    }
  });
});

describe("oracle power", () => {
  it("is 80% at n80 and grows as Φ((z_{1−α} + z_{0.8})·√(n/n80) − z_{1−α}) (scipy: norm.cdf)", () => {
    expect(oraclePower(5542, 5542, 0.01)).toBeCloseTo(0.8, 12);
    // scipy: norm.cdf((norm.ppf(0.99) + norm.ppf(0.8)) * sqrt(6000 / 5542) - norm.ppf(0.99))
    expect(oraclePower(5542, 6000, 0.01)).toBeCloseTo(0.8339583371020023, 9);
    expect(oraclePower(1000, 250, 0.05)).toBeLessThan(0.8);
  });
});
