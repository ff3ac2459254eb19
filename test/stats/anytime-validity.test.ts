import { describe, expect, it } from "vitest";
import { quantileMixtureLogE } from "../../src/stats/beta-binomial-mixture.js";
import { cdfBandTwoSample } from "../../src/stats/cdf-band.js";
import { countSequentialPValue } from "../../src/stats/count-evalue.js";
import { normalQuantile } from "../../src/stats/normal.js";
import { normalMixtureBoundary, normalMixtureRho } from "../../src/stats/normal-mixture.js";
import { PrplEbConfidenceSequence } from "../../src/stats/prpl-eb.js";
import { mulberry32, type RandomSource, randomNormal, randomPoisson } from "../../src/stats/random.js";

/**
 * Monte Carlo check of the property that makes these statistics anytime-valid: on A/A data (H₀ true), the
 * probability of rejecting at ANY of many looks stays ≤ α, whereas a fixed-α test re-applied at every
 * look (what Kayenta does across intervals) exceeds α. Seeded, 200 streams × 50 looks each.
 * The slack 0.03 is about two binomial standard deviations of a rate near .05 over 200 streams.
 */
const ALPHA = 0.05;
const STREAMS = 200;
const LOOKS = 50;
const SLACK = 0.03;

/** Fraction of streams in which `run` reports a rejection at some look. */
function falseRejectionRate(seed: number, run: (random: RandomSource) => boolean): number {
  const random = mulberry32(seed);
  let rejected = 0;
  for (let s = 0; s < STREAMS; s++) if (run(random)) rejected++;
  return rejected / STREAMS;
}

/** Two A/A arms of N(0,1) observations, `perLook` more per arm at each look. */
function normalLooks(random: RandomSource, perLook: number, atLook: (b: number[], c: number[]) => boolean) {
  const baseline: number[] = [];
  const candidate: number[] = [];
  for (let look = 0; look < LOOKS; look++) {
    for (let i = 0; i < perLook; i++) {
      baseline.push(randomNormal(random));
      candidate.push(randomNormal(random));
    }
    if (atLook(baseline, candidate)) return true;
  }
  return false;
}

function moments(x: number[]) {
  let sum = 0;
  for (const v of x) sum += v;
  const mean = sum / x.length;
  let ss = 0;
  for (const v of x) ss += (v - mean) ** 2;
  return { mean, variance: ss / (x.length - 1), n: x.length };
}

describe("anytime validity under repeated looks (A/A Monte Carlo)", () => {
  const z = normalQuantile(1 - ALPHA / 2);
  const rates: Record<string, number> = {};

  it("a fixed-alpha z-test re-applied at every look exceeds alpha", () => {
    const rate = falseRejectionRate(1, (random) =>
      normalLooks(random, 20, (b, c) => {
        const mb = moments(b);
        const mc = moments(c);
        return Math.abs(mc.mean - mb.mean) / Math.sqrt(mb.variance / mb.n + mc.variance / mc.n) > z;
      }),
    );
    rates["fixed z-test"] = rate;
    expect(rate).toBeGreaterThan(2 * ALPHA);
  });

  it("normal mixture boundary (Howard et al. 2021) stays within alpha", () => {
    // Paired differences c_i − b_i have variance 2; tune at the middle look.
    const rho = normalMixtureRho(2 * 20 * 25, ALPHA);
    const rate = falseRejectionRate(2, (random) =>
      normalLooks(random, 20, (b, c) => {
        let s = 0;
        for (let i = 0; i < b.length; i++) s += c[i] - b[i];
        return Math.abs(s) >= normalMixtureBoundary(2 * b.length, rho, ALPHA);
      }),
    );
    rates["normal mixture"] = rate;
    expect(rate).toBeLessThanOrEqual(ALPHA + SLACK);
  });

  it("two-sample CDF band (Howard & Ramdas 2022) stays within alpha", () => {
    const bucketsOf = (x: number[]) => [...x].sort((p, q) => p - q).map((v): [number, number] => [v, 1]);
    const rate = falseRejectionRate(4, (random) =>
      normalLooks(random, 10, (b, c) => cdfBandTwoSample(bucketsOf(b), bucketsOf(c), ALPHA, []).separated),
    );
    rates["CDF band"] = rate;
    expect(rate).toBeLessThanOrEqual(ALPHA + SLACK);
  });

  it.each([1, 100])("count e-value with k = %s (Lindon & Malek 2022) stays within alpha", (k) => {
    const rate = falseRejectionRate(5 + k, (random) => {
      const counts = [0, 0];
      for (let look = 0; look < LOOKS; look++) {
        // A 10% canary: traffic shares .9 / .1, equal error rate per request.
        counts[0] += randomPoisson(random, 9);
        counts[1] += randomPoisson(random, 1);
        if (countSequentialPValue(counts, [0.9, 0.1], k).pValue <= ALPHA) return true;
      }
      return false;
    });
    rates[`count e-value k=${k}`] = rate;
    expect(rate).toBeLessThanOrEqual(ALPHA + SLACK);
  });

  it("PrPl-EB CS (Waudby-Smith & Ramdas 2023) covers the true mean at every look", () => {
    const rate = falseRejectionRate(7, (random) => {
      const cs = new PrplEbConfidenceSequence(ALPHA);
      for (let look = 0; look < LOOKS; look++) {
        for (let i = 0; i < 20; i++) cs.push(random() < 0.3 ? 1 : 0);
        if (cs.lower > 0.3 || cs.upper < 0.3) return true;
      }
      return false;
    });
    rates["PrPl-EB"] = rate;
    expect(rate).toBeLessThanOrEqual(ALPHA + SLACK);
  });

  it("beta-binomial median test (Howard & Ramdas 2022 Thm 5) stays within alpha", () => {
    const rate = falseRejectionRate(8, (random) => {
      let below = 0;
      let n = 0;
      for (let look = 0; look < LOOKS; look++) {
        for (let i = 0; i < 20; i++) {
          n++;
          if (randomNormal(random) <= 0) below++;
        }
        if (quantileMixtureLogE(below / n, n, 0.5, 500, ALPHA) >= Math.log(1 / ALPHA)) return true;
      }
      return false;
    });
    rates["beta-binomial median"] = rate;
    expect(rate).toBeLessThanOrEqual(ALPHA + SLACK);
    // Figures for the record (vitest prints console output of the run).
    console.info("A/A false rejection over 50 looks, 200 streams:", JSON.stringify(rates));
  });
});
