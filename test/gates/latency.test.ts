import { describe, expect, it } from "vitest";
import { GateConfigError } from "../../src/gates/config-parse.js";
import { latencyGate, quantileSequenceBounds } from "../../src/gates/latency.js";
import { cdfBandEpsilon } from "../../src/stats/cdf-band.js";
import { latencyCohort, seeded } from "./cohorts.js";

const config = latencyGate.parseConfig({});

describe("latency gate", () => {
  it("parses numbers given as strings and defaults the rest", () => {
    expect(config).toEqual({
      method: "quantile",
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

  it("A/A with modest data is never a fail", () => {
    for (let seed = 1; seed <= 5; seed++) {
      const r = seeded(seed);
      const res = latencyGate.evaluate({
        baseline: latencyCohort(r, 2000),
        candidate: latencyCohort(r, 300),
        config,
        alpha: 0.05,
      });
      expect(res.verdict).toBe("inconclusive");
      expect(res.reason).toMatch(/more data needed/);
    }
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
    const eps = cdfBandEpsilon(5000, 0.025, 100);
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

  it("quantile method: +50% at log-sd 0.5 fails with 2000 samples per arm, where the band cannot", () => {
    const r = seeded(16);
    const baseline = latencyCohort(r, 2000);
    const candidate = latencyCohort(r, 2000, { scale: 1.5 });
    const res = latencyGate.evaluate({ baseline, candidate, config, alpha: 0.05 });
    expect(res.verdict).toBe("fail");
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
