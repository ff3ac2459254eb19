import { describe, expect, it } from "vitest";
import { GateConfigError } from "../../src/gates/config-parse.js";
import { latencyGate, quantileSequenceBounds } from "../../src/gates/latency.js";
import { cdfBandEpsilon } from "../../src/stats/cdf-band.js";
import { anytimeHalf, lowerByHand, upperByHand } from "./by-hand.js";
import { latencyCohort, seeded } from "./cohorts.js";

const config = latencyGate.parseConfig({});

describe("latency gate", () => {
  it("parses numbers given as strings and defaults the rest", () => {
    expect(config).toEqual({
      method: "asymptotic",
      quantile: 0.95,
      maxRatio: 1.2,
      sloMs: undefined,
      minSamples: 100,
    });
    expect(
      latencyGate.parseConfig({
        maxRatio: "1.5",
        sloMs: "500",
        quantile: "0.99",
        minSamples: "50",
        method: "band",
      }),
    ).toEqual({ method: "band", quantile: 0.99, maxRatio: 1.5, sloMs: 500, minSamples: 50 });
    expect(() => latencyGate.parseConfig({ method: "fast" })).toThrow(/method/);
    expect(latencyGate.parseConfig({ method: "quantile" }).method).toBe("quantile");
    expect(() => latencyGate.parseConfig({ maxRatio: "fast" })).toThrow(GateConfigError);
    expect(() => latencyGate.parseConfig({ quantile: "1" })).toThrow(/quantile/);
  });

  it("A/A with plenty of data passes, the interval covering 1", () => {
    const r = seeded(11);
    const res = latencyGate.evaluate({
      baseline: latencyCohort(r, 20_000, { sigma: 0.25 }),
      candidate: latencyCohort(r, 20_000, { sigma: 0.25 }),
      config,
      alpha: 0.05,
    });
    expect(res.verdict).toBe("pass");
    expect(res.metric).toBe("p95_ratio");
    expect(res.interval![0]).toBeLessThan(1);
    expect(res.interval![1]).toBeGreaterThan(1);
    expect(res.interval![1]).toBeLessThanOrEqual(1.2);
    // exp(0.25·1.645)·100 ≈ 150.8 ms is the true p95 of both arms (1% sketch accuracy + sampling)
    expect(res.metrics.baselineP95 as number).toBeGreaterThan(145);
    expect(res.metrics.baselineP95 as number).toBeLessThan(157);
    expect(res.metrics.candidateP50 as number).toBeGreaterThan(97);
    expect(res.metrics.candidateP50 as number).toBeLessThan(103);
    for (const k of [
      "baselineP50",
      "baselineP95",
      "baselineP99",
      "candidateP50",
      "candidateP95",
      "candidateP99",
      "p95Ratio",
    ]) {
      expect(Number.isFinite(res.metrics[k])).toBe(true);
    }
  });

  it("A/A with modest data is never a fail; too little data leaves it open", () => {
    for (let seed = 1; seed <= 5; seed++) {
      const r = seeded(seed);
      const res = latencyGate.evaluate({
        baseline: latencyCohort(r, 2000),
        candidate: latencyCohort(r, 300),
        config,
        alpha: 0.05,
      });
      expect(res.verdict).not.toBe("fail");
    }
    const r = seeded(6);
    const small = latencyGate.evaluate({
      baseline: latencyCohort(r, 100),
      candidate: latencyCohort(r, 100),
      config,
      alpha: 0.05,
    });
    expect(small.verdict).toBe("inconclusive");
    // it says how much more: the estimate sits inside the limit, so the claim could still be proven
    expect(small.needs?.unit).toBe("latency samples");
    expect(small.needs?.more).toBeGreaterThan(0);
    expect(small.reason).toMatch(/about [\d,]+ more latency samples needed/);
  });

  it("asymptotic method: one sequence for ln(Q_c/Q_b) on interpolated quantiles, the candidate's sparsity at least the baseline's", () => {
    const r = seeded(31);
    const baseline = latencyCohort(r, 9000, { sigma: 0.5 });
    const candidate = latencyCohort(r, 1000, { sigma: 0.5, scale: 1.1 });
    const res = latencyGate.evaluate({ baseline, candidate, config, alpha: 0.01 });
    // independent: the quantile with the CDF linear in ln x inside the bucket holding the rank (bucket
    // of representative v spans [v/1.01, v/0.99] at 1% accuracy)
    const quantile = (s: typeof baseline, p: number) => {
      const target = p * s.latency.count;
      let seen = 0;
      for (const [v, c] of s.latency.buckets()) {
        if (seen + c >= target) {
          const lo = v / 1.01;
          const hi = v / 0.99;
          return lo * (hi / lo) ** ((target - seen) / c);
        }
        seen += c;
      }
      throw new Error("rank beyond n");
    };
    // sparsity d ln Q/dq by the difference quotient over q ± 4·√(q(1−q)/n) (Siddiqui), inside (0.1q, q + 0.9(1 − q))
    const sparsity = (s: typeof baseline) => {
      const h = Math.min(4 * Math.sqrt((0.95 * 0.05) / s.latency.count), 0.9 * 0.05);
      return Math.log(quantile(s, 0.95 + h) / quantile(s, 0.95 - h)) / (2 * h);
    };
    const sB = sparsity(baseline);
    const sC = Math.max(sB, sparsity(candidate));
    const estimate = Math.log(quantile(candidate, 0.95) / quantile(baseline, 0.95));
    const se = Math.sqrt(0.95 * 0.05 * (sC ** 2 / 1000 + sB ** 2 / 9000));
    // the analytic sd of ln Q̂ for a log-normal: σ·√(q(1−q)/n)/φ(Φ⁻¹(q)); the estimate is near it
    const analytic = Math.hypot(0.5 * Math.sqrt(0.0475 / 9000), 0.5 * Math.sqrt(0.0475 / 1000)) / 0.10314;
    expect(se / analytic).toBeGreaterThan(0.8);
    expect(se / analytic).toBeLessThan(1.25);
    // without an SLO the ratio's fail and pass claims are both at the gate's alpha, tuned at ln(maxRatio)
    expect(res.value).toBeCloseTo(candidate.latency.quantile(0.95) / baseline.latency.quantile(0.95), 12);
    expect(res.interval![0]).toBeCloseTo(Math.exp(lowerByHand(estimate, se, 0.01, Math.log(1.2))), 10);
    expect(res.interval![1]).toBeCloseTo(Math.exp(upperByHand(estimate, se, 0.01, Math.log(1.2))), 10);
  });

  it("SLO claims are a score test on the candidate's CDF at the SLO (variance at F = q), bounds its inversion", () => {
    const r = seeded(32);
    const baseline = latencyCohort(r, 4000, { sigma: 0.3 });
    const candidate = latencyCohort(r, 2000, { sigma: 0.3 });
    const res = latencyGate.evaluate({
      baseline,
      candidate,
      config: latencyGate.parseConfig({ sloMs: "185" }),
      alpha: 0.02,
    });
    const cells = [...candidate.latency.buckets()].map(([v, c]) => [v / 1.01, v / 0.99, c]);
    // F̂_c(y) and Q̂_c(p), both linear in ln x inside a bucket
    const cdf = (y: number) => {
      let below = 0;
      for (const [lo, hi, c] of cells) {
        if (hi <= y) below += c;
        else if (lo < y) below += (c * Math.log(y / lo)) / Math.log(hi / lo);
      }
      return below / 2000;
    };
    const quantile = (p: number) => {
      let seen = 0;
      for (const [lo, hi, c] of cells) {
        if (seen + c >= p * 2000) return lo * (hi / lo) ** ((p * 2000 - seen) / c);
        seen += c;
      }
      throw new Error("rank beyond n");
    };
    // "Q_c < slo" ⇔ F_c(slo) > q, "Q_c > slo" ⇔ F_c(slo) < q; se at the boundary F = q is √(q(1−q)/n);
    // the fail claim at half the gate's alpha (the ratio has the other half), the pass claim at alpha;
    // tuned at the CDF shift the ratio tolerance makes at q, √(q(1−q))·ln 1.2
    const se = Math.sqrt((0.95 * 0.05) / 2000);
    const scale = Math.sqrt(0.95 * 0.05) * Math.log(1.2);
    const passHalf = anytimeHalf(se, 0.02, scale);
    const failHalf = anytimeHalf(se, 0.01, scale);
    expect(cdf(185) - 0.95).toBeGreaterThan(passHalf);
    expect(res.verdict).toBe("pass");
    expect(res.reason).toMatch(/within SLO 185 ms/);
    // the bounds on Q_c invert the same tests: Q̂(q − fail half-width) and Q̂(q + pass half-width)
    expect(res.metrics.candidateQuantileLow).toBeCloseTo(quantile(0.95 - failHalf), 10);
    expect(res.metrics.candidateQuantileHigh).toBeCloseTo(quantile(0.95 + passHalf), 10);
    expect(res.metrics.candidateQuantileHigh as number).toBeLessThan(185);
  });

  it("fails a clear +50% p95 regression with the numbers in the reason", () => {
    const r = seeded(12);
    const res = latencyGate.evaluate({
      baseline: latencyCohort(r, 20_000, { sigma: 0.25 }),
      candidate: latencyCohort(r, 20_000, { sigma: 0.25, scale: 1.5 }),
      config,
      alpha: 0.05,
    });
    expect(res.verdict).toBe("fail");
    expect(res.value!).toBeGreaterThan(1.4);
    expect(res.value!).toBeLessThan(1.6);
    expect(res.interval![0]).toBeGreaterThan(1.2);
    expect(res.metrics.p95Ratio as number).toBeCloseTo(res.value!, 10);
    expect(res.reason).toMatch(/candidate p95 \d+ ms is 1\.\d\dx baseline's \d+ ms \(limit 1\.20x/);
  });

  it("band method: ratio interval follows the CDF band: lower = Q_c(p−ε_c)/Q_b(p+ε_b), widened for 1% buckets", () => {
    const r = seeded(13);
    const baseline = latencyCohort(r, 5000, { sigma: 0.25 });
    const candidate = latencyCohort(r, 5000, { sigma: 0.25, scale: 2 });
    const band = latencyGate.parseConfig({ method: "band" });
    const res = latencyGate.evaluate({ baseline, candidate, config: band, alpha: 0.05 });
    // a fail rests on Q_c,low and Q_b,high, each from a band at alpha/2 (half the fail share each)
    const eps = cdfBandEpsilon(5000, 0.05, 100);
    // independent order-statistic lookup on the bucket list
    const order = (s: typeof baseline, k: number) => {
      let seen = 0;
      for (const [v, c] of s.latency.buckets()) {
        seen += c;
        if (seen >= k) return v;
      }
      throw new Error("k beyond n");
    };
    const cLo = order(candidate, Math.floor(5000 * (0.95 - eps)) + 1) / 1.01;
    const bHi = order(baseline, Math.ceil(5000 * (0.95 + eps))) / 0.99;
    expect(res.interval![0]).toBeCloseTo(cLo / bHi, 10);
    expect(res.verdict).toBe("fail");
  });

  it("tiny samples are inconclusive with the sample size in the reason", () => {
    const r = seeded(14);
    const res = latencyGate.evaluate({
      baseline: latencyCohort(r, 5000),
      candidate: latencyCohort(r, 37, { scale: 3 }),
      config,
      alpha: 0.05,
    });
    expect(res.verdict).toBe("inconclusive");
    expect(res.reason).toBe("candidate has 37 latency samples, needs 100");
    expect(res.n).toEqual({ baseline: 5000, candidate: 37 });
    const empty = latencyGate.evaluate({
      baseline: latencyCohort(r, 10),
      candidate: latencyCohort(r, 0),
      config,
      alpha: 0.05,
    });
    expect(empty.verdict).toBe("inconclusive");
    expect(empty.value).toBeNull();
    expect(empty.reason).toMatch(/candidate has no latency samples/);
  });

  it("fails on an absolute SLO even when the ratio is fine", () => {
    const r = seeded(15);
    const slo = latencyGate.parseConfig({ sloMs: "120" });
    const res = latencyGate.evaluate({
      baseline: latencyCohort(r, 20_000, { sigma: 0.25 }),
      candidate: latencyCohort(r, 20_000, { sigma: 0.25 }),
      config: slo,
      alpha: 0.05,
    });
    expect(res.verdict).toBe("fail");
    expect(res.metric).toBe("p95_ms");
    expect(res.threshold).toBe(120);
    expect(res.interval![0]).toBeGreaterThan(120);
    expect(res.reason).toMatch(/above the SLO of 120 ms/);
    const generous = latencyGate.evaluate({
      baseline: latencyCohort(r, 20_000, { sigma: 0.25 }),
      candidate: latencyCohort(r, 20_000, { sigma: 0.25 }),
      config: latencyGate.parseConfig({ sloMs: 500 }),
      alpha: 0.05,
    });
    expect(generous.verdict).toBe("pass");
    expect(generous.reason).toMatch(/within SLO 500 ms/);
  });

  it("+50% at log-sd 0.5 fails with 2000 samples per arm (asymptotic and quantile methods), where the band cannot", () => {
    const r = seeded(16);
    const baseline = latencyCohort(r, 2000);
    const candidate = latencyCohort(r, 2000, { scale: 1.5 });
    const res = latencyGate.evaluate({ baseline, candidate, config, alpha: 0.05 });
    expect(res.verdict).toBe("fail");
    const exact = latencyGate.evaluate({
      baseline,
      candidate,
      config: latencyGate.parseConfig({ method: "quantile" }),
      alpha: 0.05,
    });
    expect(exact.verdict).toBe("fail");
    expect(res.interval![0]).toBeGreaterThan(1.2);
    const band = latencyGate.evaluate({
      baseline,
      candidate,
      config: latencyGate.parseConfig({ method: "band" }),
      alpha: 0.05,
    });
    expect(band.verdict).toBe("inconclusive");
  });

  it("quantile confidence sequence covers the true p95 at every look (200 runs × 50 looks)", () => {
    // log-normal(ln 100, 0.5): true p95 = 100·exp(0.5·1.644854) = 227.5 ms. Each side at 0.05, so the
    // probability of ever missing on either side is ≤ 0.1 by the union bound.
    const truth = 100 * Math.exp(0.5 * 1.6448536269514722);
    let everMissed = 0;
    let widthAt5000 = 0;
    for (let run = 0; run < 200; run++) {
      const random = seeded(20_000 + run);
      const arm = latencyCohort(random, 0);
      let missed = false;
      for (let look = 1; look <= 50; look++) {
        const more = latencyCohort(random, 100);
        arm.merge(more);
        const [lo, hi] = quantileSequenceBounds(arm.latency, 0.95, 0.05);
        if (lo > truth || hi < truth) missed = true;
        if (look === 50) widthAt5000 += (hi - lo) / 200;
      }
      if (missed) everMissed++;
    }
    expect(everMissed / 200).toBeLessThanOrEqual(0.1);
    // and it is informative: mean width at n = 5000 well under ±10% of the truth
    expect(widthAt5000 / truth).toBeLessThan(0.2);
  });
});
