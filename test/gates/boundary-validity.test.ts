import { describe, expect, it } from "vitest";
import { aucGate } from "../../src/gates/auc.js";
import { driftGate } from "../../src/gates/drift.js";
import { errorsGate } from "../../src/gates/errors.js";
import { fairnessGate } from "../../src/gates/fairness.js";
import type { Gate, Verdict } from "../../src/gates/gate.js";
import { latencyGate } from "../../src/gates/latency.js";
import type { CohortSummary } from "../../src/sketch/cohort-summary.js";
import { normalCdf, normalQuantile } from "../../src/stats/normal.js";
import type { RandomSource } from "../../src/stats/random.js";
import {
  ASKED_LOOKS,
  checkWrongClaims,
  type EverRates,
  everRates,
  gateRun,
  type Mode,
} from "./boundary-runs.js";
import { addLatencies } from "./cohorts.js";
import { addLabelled, addScores, mulberry32, newSummary } from "./synthetic.js";

/**
 * Validity of every gate's claims at its tolerance boundary, where a wrong claim is likeliest: the
 * truth sits exactly on the tolerance, so "beyond it" (a fail) and "within it" (a pass, where the pass
 * claim is a bound) are each wrong, and each must be made in at most alpha of the runs over all looks.
 * Every run has 20 looks at cumulative data, judged anytime-valid (no schedule) or with a declared
 * schedule of 10 looks that Argo asks 20 times (looks 11–20 can only be decided by the anytime reserve).
 *
 * alpha is 0.05 so that a few hundred runs resolve it. Allowance: alpha + 2 binomial standard deviations
 * at the run count (boundary-runs.ts monteCarloLimit): 0.072 at 400 runs, 0.075 at 300, 0.081 at 200,
 * 0.086 at 150, 0.094 at 100; a valid rule running exactly at alpha exceeds it with probability ≈ 2.3%,
 * and the seeds are fixed. A declared schedule costs about 1 ms per contrast and look (one step of the
 * group-sequential recursion), so its run counts are smaller and its allowance looser; each test stays
 * near 10 s. The realised rates are printed.
 */
const ALPHA = 0.05;

const check = (label: string, mode: Mode, rates: EverRates, wrong: ReadonlyArray<"fail" | "pass">) =>
  checkWrongClaims(label, mode, rates, wrong, ALPHA);

/** `runs` runs of 20 looks; `grow` adds one look's data to the cumulative cohorts. */
function simulate<C>(
  gate: Gate<C>,
  config: C,
  mode: Mode,
  runs: number,
  seed: number,
  grow: (random: RandomSource, baseline: CohortSummary, candidate: CohortSummary) => void,
): EverRates {
  return everRates(runs, (index) => {
    const random = mulberry32(seed + 7919 * index);
    const baseline = newSummary();
    const candidate = newSummary();
    const look = gateRun(gate, mode);
    const verdicts: Verdict[] = [];
    for (let k = 0; k < ASKED_LOOKS; k++) {
      grow(random, baseline, candidate);
      verdicts.push(look({ baseline, candidate, config, alpha: ALPHA }).verdict);
    }
    return verdicts;
  });
}

/** Runs per mode: [anytime, declared]. */
const modes = (anytime: number, declared: number): Array<[Mode, number]> => [
  ["anytime", anytime],
  ["declared", declared],
];

describe("latency gate at ratio = maxRatio (p95 of the candidate 1.2× the baseline's)", () => {
  // 150 candidate and 600 baseline latencies a look (log-normal, log-sd 0.5): 150 … 3,000 candidates
  const config = latencyGate.parseConfig({});
  it.each(modes(400, 200))(
    "%s: neither the fail nor the pass claim is made in more than alpha of the runs",
    (mode, runs) => {
      const rates = simulate(latencyGate, config, mode, runs, 11, (random, baseline, candidate) => {
        addLatencies(candidate, random, 150, { scale: 1.2 });
        addLatencies(baseline, random, 600);
      });
      check("latency", mode, rates, ["fail", "pass"]);
    },
    60_000,
  );
});

describe("latency gate at ratio = maxRatio with a heavier-tailed candidate (log-sd 0.8 against 0.5)", () => {
  // the candidate's p95 is 1.2× the baseline's, but its sparsity at p95 is 1.6× (log-sd 0.8 vs 0.5): a
  // variance taken from the baseline's shape alone would be too small here and pass too often
  const config = latencyGate.parseConfig({});
  const median = 100 * 1.2 * Math.exp((0.5 - 0.8) * normalQuantile(0.95));
  it.each(modes(400, 200))(
    "%s: neither the fail nor the pass claim is made in more than alpha of the runs",
    (mode, runs) => {
      const rates = simulate(latencyGate, config, mode, runs, 17, (random, baseline, candidate) => {
        addLatencies(candidate, random, 150, { median, sigma: 0.8 });
        addLatencies(baseline, random, 600);
      });
      check("latency, heavier tail", mode, rates, ["fail", "pass"]);
    },
    60_000,
  );
});

describe("auc gate at a drop of margin (0.80 → 0.78, margin 0.02)", () => {
  // 500 candidate and 1,000 baseline labelled outcomes a look, prevalence 0.3, binormal scores
  const config = aucGate.parseConfig({});
  // each look bounds 4 contrasts (difference and candidate AUC, each at two alphas)
  it.each(modes(400, 150))(
    "%s: neither the fail nor the pass claim is made in more than alpha of the runs",
    (mode, runs) => {
      const rates = simulate(aucGate, config, mode, runs, 12, (random, baseline, candidate) => {
        addLabelled(candidate, random, 500, { auc: 0.78 });
        addLabelled(baseline, random, 1000, { auc: 0.8 });
      });
      check("auc", mode, rates, ["fail", "pass"]);
    },
    60_000,
  );
});

/** n events with Bernoulli(rate) errors. */
function addErrorEvents(s: CohortSummary, random: RandomSource, n: number, rate: number): void {
  let errors = 0;
  for (let i = 0; i < n; i++) if (random() < rate) errors++;
  s.events += n;
  s.errors += errors;
}

describe("errors gate at an increase of maxIncrease (1.0% → 1.5%, maxIncrease 0.005)", () => {
  // 1,000 candidate and 4,000 baseline events a look; no invalid predictions; the rate ratio 1.5 is
  // below maxRatio 2, so the spike claim is wrong too
  const config = errorsGate.parseConfig({});
  // each look bounds 4 contrasts (two rates, each at two alphas)
  it.each(modes(400, 150))(
    "%s: neither the fail nor the pass claim is made in more than alpha of the runs",
    (mode, runs) => {
      const rates = simulate(errorsGate, config, mode, runs, 13, (random, baseline, candidate) => {
        addErrorEvents(candidate, random, 1000, 0.015);
        addErrorEvents(baseline, random, 4000, 0.01);
      });
      check("errors", mode, rates, ["fail", "pass"]);
    },
    60_000,
  );
});

/** n decisions of one group selected at `rate` (no labels: the TPR/FPR claims stay out of it). */
function addSelections(s: CohortSummary, random: RandomSource, group: string, n: number, rate: number): void {
  const g = s.group("group", group);
  for (let i = 0; i < n; i++) {
    g.n++;
    if (random() < rate) g.selected++;
  }
  s.events += n;
}

describe("fairness gate at its tolerances (two groups, 300 candidate and 1,200 baseline decisions each a look)", () => {
  const config = fairnessGate.parseConfig({});
  // each fairness look bounds 8 contrasts (4 floor, 4 drop), so the declared runs are fewer
  const fairnessModes = modes(300, 100);

  it.each(fairnessModes)(
    "%s: parity = floor 0.8 in both cohorts: neither pass nor fail in more than alpha",
    (mode, runs) => {
      // the pass claim (every pair's ratio proven ≥ 0.8) and every fail claim (ratio < 0.8, a drop
      // against an equal baseline) are wrong here
      const rates = simulate(fairnessGate, config, mode, runs, 14, (random, baseline, candidate) => {
        addSelections(candidate, random, "a", 300, 0.4);
        addSelections(candidate, random, "b", 300, 0.32);
        addSelections(baseline, random, "a", 1200, 0.4);
        addSelections(baseline, random, "b", 1200, 0.32);
      });
      check("fairness floor", mode, rates, ["fail", "pass"]);
    },
    60_000,
  );

  it.each(fairnessModes)(
    "%s: parity 1 − maxParityDrop = 0.95 against a baseline at parity 1: no fail in more than alpha",
    (mode, runs) => {
      // the drop is exactly the tolerated 0.05 and the ratio far above the floor: every fail is wrong
      const rates = simulate(fairnessGate, config, mode, runs, 15, (random, baseline, candidate) => {
        addSelections(candidate, random, "a", 300, 0.4);
        addSelections(candidate, random, "b", 300, 0.38);
        addSelections(baseline, random, "a", 1200, 0.4);
        addSelections(baseline, random, "b", 1200, 0.4);
      });
      check("fairness drop", mode, rates, ["fail"]);
    },
    60_000,
  );
});

/**
 * The logit shift μ at which the population PSI over the baseline's deciles is `psi`: scores are
 * logistic(z) with z ~ N(0, 1) (baseline) or N(μ, 1) (candidate), so decile i of the baseline holds
 * candidate mass Φ(z_{i+1} − μ) − Φ(z_i − μ).
 */
function shiftForPsi(psi: number): number {
  const z = [Number.NEGATIVE_INFINITY, ...Array.from({ length: 9 }, (_, i) => normalQuantile((i + 1) / 10))];
  z.push(Number.POSITIVE_INFINITY);
  const psiAt = (mu: number) => {
    let total = 0;
    for (let i = 0; i < 10; i++) {
      const q = normalCdf(z[i + 1] - mu) - normalCdf(z[i] - mu);
      total += (q - 0.1) * Math.log(q / 0.1);
    }
    return total;
  };
  let lo = 0;
  let hi = 3;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (psiAt(mid) < psi) lo = mid;
    else hi = mid;
  }
  return lo;
}

describe("drift gate at PSI = maxPsi (0.25 over the baseline's deciles)", () => {
  // 300 candidate and 1,200 baseline scores a look; maxKs 1 leaves the PSI claim the only fail claim
  // (the KS claim has its own bands); the pass rule reads the point PSI, not a bound, so only fails count
  const config = driftGate.parseConfig({ maxKs: "1" });
  const shift = shiftForPsi(0.25);
  it("the shift gives PSI 0.25 (logit shift ≈ 0.513)", () => {
    expect(shift).toBeCloseTo(0.5128, 3);
  });
  it.each(modes(300, 200))(
    "%s: the PSI fail claim is made in at most alpha of the runs",
    (mode, runs) => {
      const rates = simulate(driftGate, config, mode, runs, 16, (random, baseline, candidate) => {
        addScores(candidate, random, 300, { mean: shift });
        addScores(baseline, random, 1200);
      });
      check("drift", mode, rates, ["fail"]);
    },
    60_000,
  );
});
