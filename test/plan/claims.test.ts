import { describe, expect, it } from "vitest";
import { aucGate } from "../../src/gates/auc.js";
import { alignCategories, compareDistributions } from "../../src/gates/drift-compare.js";
import { errorsGate } from "../../src/gates/errors.js";
import { fairnessGate } from "../../src/gates/fairness.js";
import { type Rate, ratioGap } from "../../src/gates/fairness-claims.js";
import { latencyGate } from "../../src/gates/latency.js";
import { logRatioContrast } from "../../src/gates/latency-quantile.js";
import { GATES } from "../../src/gates/registry.js";
import { anytimeHalfWidth } from "../../src/gates/sequential.js";
import {
  aucDecisions,
  type ContrastClaim,
  driftDecisions,
  errorsDecisions,
  fairnessDecisions,
  type GateContext,
  latencyDecisions,
} from "../../src/plan/claims.js";
import { DEFAULT_ASSUMPTIONS, DEFAULT_REGRESSIONS } from "../../src/plan/inputs.js";
import { CohortSummary } from "../../src/sketch/cohort-summary.js";
import { aucFromBins } from "../../src/stats/auc-binned.js";
import { delongFromBins } from "../../src/stats/delong.js";
import { psiFromCounts, psiNoiseFloor } from "../../src/stats/psi.js";
import { psiVariance } from "../../src/stats/psi-variance.js";
import { addErrors, addLatencies, seeded } from "../gates/cohorts.js";
import { addLabelled } from "../gates/synthetic.js";

const ctx: GateContext = {
  alpha: 0.01,
  k: 9,
  assumptions: DEFAULT_ASSUMPTIONS,
  regressions: DEFAULT_REGRESSIONS,
};
const config = (gate: keyof typeof GATES, raw: Record<string, unknown> = {}) =>
  GATES[gate].parseConfig(raw) as never;
const contrast = (c: unknown) => c as ContrastClaim;
const alphas = (decisions: { decision: string; claims: unknown[] }[]) =>
  decisions.map((d) => [d.decision, d.claims.map((c) => contrast(c).alpha ?? null)]);

describe("each claim gets its gate's share of alpha (gate alpha 0.01)", () => {
  it("latency: the fail claim all of it, half with an SLO; a pass all of it", () => {
    expect(alphas(latencyDecisions(config("latency"), ctx))).toEqual([
      ["fail", [0.01]],
      ["pass", [0.01]],
    ]);
    expect(alphas(latencyDecisions(config("latency", { sloMs: 300 }), ctx))).toEqual([
      ["fail", [0.005]],
      ["pass", [0.01]],
    ]);
  });

  it("auc: the margin claim 0.9 of it (the floor claim has the rest)", () => {
    const [fail, pass] = aucDecisions(config("auc"), ctx);
    expect(contrast(fail.claims[0]).alpha).toBeCloseTo(0.009, 15);
    expect(contrast(pass.claims[0]).alpha).toBe(0.01);
  });

  it("fairness: the drop claim 0.5 split over the ordered group pairs, the floor claim 0.3; per attribute", () => {
    const [fail, pass] = fairnessDecisions(config("fairness"), ctx);
    expect(fail.claims.map((c) => contrast(c).alpha)).toEqual([0.01 * 0.5 * 0.5]);
    expect(contrast(pass.claims[0]).alpha).toBe(0.01);
    // a parity ratio of 0.7 is below the floor 0.8 too: both claims can fail it
    const below = fairnessDecisions(config("fairness"), {
      ...ctx,
      regressions: { ...DEFAULT_REGRESSIONS, fairness: 0.7 },
      assumptions: { ...DEFAULT_ASSUMPTIONS, groups: 3 },
    })[0];
    expect(below.claims.map((c) => contrast(c).alpha)).toEqual([(0.01 * 0.5) / 6, (0.01 * 0.3) / 6]);
    const two = fairnessDecisions(config("fairness", { attributes: "sex,age" }), ctx)[1];
    expect(contrast(two.claims[0]).alpha).toBe(0.005);
  });

  it("errors: the difference claim 0.8 of the error rate's 0.75", () => {
    const [fail, pass] = errorsDecisions(config("errors"), ctx);
    expect(contrast(fail.claims[0]).alpha).toBeCloseTo(0.006, 15);
    expect(contrast(pass.claims[0]).alpha).toBe(0.01);
  });

  it("drift: the PSI claim half of a comparison's share, comparisons splitting the gate's", () => {
    expect(contrast(driftDecisions(config("drift"), ctx)[0].claims[0]).alpha).toBe(0.005);
    const withFeature = driftDecisions(config("drift", { features: "age" }), ctx)[0];
    expect(contrast(withFeature.claims[0]).alpha).toBe(0.0025);
  });
});

describe("a claim's bound is the gate's bound (same alpha, same tuning scale)", () => {
  it("latency: the ratio interval the gate reports", () => {
    for (const raw of [{}, { sloMs: 400 }, { maxRatio: 1.5 }]) {
      const random = seeded(7);
      const baseline = addLatencies(new CohortSummary(), random, 9000);
      const candidate = addLatencies(new CohortSummary(), random, 1000, { scale: 1.1 });
      const cfg = config("latency", raw);
      const result = latencyGate.evaluate({ baseline, candidate, config: cfg, alpha: 0.01 });
      const { estimate, se } = logRatioContrast(baseline.latency, candidate.latency, 0.95)!;
      const regressions = { ...DEFAULT_REGRESSIONS, latency: 2 };
      const [fail, pass] = latencyDecisions(cfg, { ...ctx, regressions }).map((d) => contrast(d.claims[0]));
      expect(result.metrics.ratioLow).toBeCloseTo(
        Math.exp(estimate - anytimeHalfWidth(se, fail.alpha, fail.scale)),
        12,
      );
      expect(result.metrics.ratioHigh).toBeCloseTo(
        Math.exp(estimate + anytimeHalfWidth(se, pass.alpha, pass.scale)),
        12,
      );
    }
  });

  it("auc: the AUC difference's interval, widened by both arms' binning error", () => {
    const random = seeded(11);
    const baseline = new CohortSummary();
    const candidate = new CohortSummary();
    addLabelled(baseline, random, 9000, { auc: 0.8 });
    addLabelled(candidate, random, 1000, { auc: 0.78 });
    const cfg = config("auc");
    const result = aucGate.evaluate({ baseline, candidate, config: cfg, alpha: 0.01 });
    const arm = (s: CohortSummary) => ({
      delong: delongFromBins(s.scoresPositive.counts, s.scoresNegative.counts),
      binning: aucFromBins(s.scoresPositive.counts, s.scoresNegative.counts).maxError,
    });
    const b = arm(baseline);
    const c = arm(candidate);
    const estimate = c.delong.auc - b.delong.auc;
    const se = Math.sqrt(b.delong.variance + c.delong.variance);
    const [fail, pass] = aucDecisions(cfg, ctx).map((d) => contrast(d.claims[0]));
    const binning = b.binning + c.binning;
    expect(result.metrics.aucDeltaHigh).toBeCloseTo(
      estimate + anytimeHalfWidth(se, fail.alpha, fail.scale) + binning,
      12,
    );
    expect(result.metrics.aucDeltaLow).toBeCloseTo(
      estimate - anytimeHalfWidth(se, pass.alpha, pass.scale) - binning,
      12,
    );
  });

  it("errors: the increase's interval", () => {
    const random = seeded(3);
    const baseline = addErrors(new CohortSummary(), random, 20_000, 0.005);
    const candidate = addErrors(new CohortSummary(), random, 2000, 0.01);
    const cfg = config("errors");
    const result = errorsGate.evaluate({ baseline, candidate, config: cfg, alpha: 0.01 });
    // the variance at the claims' boundary: baseline (x+1)/(n+2), candidate that rate + maxIncrease
    const boundarySe = (xB: number, nB: number, nC: number) => {
      const pB = (xB + 1) / (nB + 2);
      const pC = pB + 0.005;
      return Math.sqrt((pB * (1 - pB)) / nB + (pC * (1 - pC)) / nC);
    };
    const estimate = candidate.errors / candidate.events - baseline.errors / baseline.events;
    const se = boundarySe(baseline.errors, baseline.events, candidate.events);
    const [fail, pass] = errorsDecisions(cfg, ctx).map((d) => contrast(d.claims[0]));
    expect(result.metrics.errorRateIncreaseLow).toBeCloseTo(
      estimate - anytimeHalfWidth(se, fail.alpha, fail.scale),
      14,
    );
    expect(result.metrics.errorRateIncreaseHigh).toBeCloseTo(
      estimate + anytimeHalfWidth(se, pass.alpha, pass.scale),
      14,
    );
    // and the plan's se at the expected counts is the gate's formula at those counts
    expect(
      contrast(
        errorsDecisions(cfg, { ...ctx, regressions: { ...DEFAULT_REGRESSIONS, errors: 0.006 } })[0].claims[0],
      ).se(2000),
    ).toBeCloseTo(boundarySe(0.005 * 18_000, 18_000, 2000), 14);
  });
});

describe("a claim decides where the gate decides", () => {
  it("drift: the PSI's lower bound the comparison reports", () => {
    // categories, so the PSI and its delta-method se are those of the counts themselves
    const d = alignCategories(
      new Map([
        ["a", 4000],
        ["b", 3000],
        ["c", 2000],
        ["d", 1000],
      ]),
      new Map([
        ["a", 150],
        ["b", 300],
        ["c", 300],
        ["d", 250],
      ]),
    );
    const cfg = config("drift");
    const result = compareDistributions(d, cfg, 0.01, "scores");
    const claim = contrast(driftDecisions(cfg, ctx)[0].claims[0]);
    const estimate = psiFromCounts(d.baseline, d.candidate) - psiNoiseFloor(4, 10_000, 1000);
    const se = Math.sqrt(psiVariance(d.baseline, d.candidate));
    expect(result.psiLow).toBeCloseTo(estimate - anytimeHalfWidth(se, claim.alpha, claim.scale), 12);
  });

  it("fairness: a parity drop fails just past the count the claim's bound puts the boundary at", () => {
    const cfg = config("fairness");
    const claim = contrast(fairnessDecisions(cfg, ctx)[0].claims[0]);
    const cohort = (n: number, selectedA: number, selectedB: number) => {
      const s = new CohortSummary();
      Object.assign(s.group("group", "a"), { n, selected: selectedA });
      Object.assign(s.group("group", "b"), { n, selected: selectedB });
      return s;
    };
    const baseline = cohort(180_000, 54_000, 54_000);
    // the claim's lowest bound over the baseline's group pairs on the gap to candidate pair (b, a)
    const bound = (selectedB: number) =>
      Math.min(
        ...[
          [54_000, 54_000],
          [54_000, 54_000],
        ].map(([x, y], i) => {
          const pair: [Rate, Rate] =
            i === 0
              ? [
                  { x, n: 180_000 },
                  { x: y, n: 180_000 },
                ]
              : [
                  { x: y, n: 180_000 },
                  { x, n: 180_000 },
                ];
          const gap = ratioGap(pair, [
            { x: selectedB, n: 20_000 },
            { x: 6000, n: 20_000 },
          ]);
          return gap.estimate - anytimeHalfWidth(gap.se, claim.alpha, claim.scale);
        }),
      );
    let lo = 4000;
    let hi = 6000;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (bound(mid) > 0.05) lo = mid;
      else hi = mid;
    }
    const verdict = (selectedB: number) =>
      fairnessGate.evaluate({
        baseline,
        candidate: cohort(20_000, 6000, selectedB),
        config: cfg,
        alpha: 0.01,
      }).verdict;
    // a claim at twice (or half) the alpha would move the boundary by several selections
    expect(verdict(lo - 1)).toBe("fail");
    expect(verdict(hi + 1)).not.toBe("fail");
  });
});

describe("regressions the gate is not meant to fail are refused", () => {
  const refuse = (build: () => unknown) => {
    try {
      build();
    } catch (e) {
      return (e as Error).message;
    }
    return "accepted";
  };
  const r = (over: Partial<typeof DEFAULT_REGRESSIONS>) => ({
    ...ctx,
    regressions: { ...DEFAULT_REGRESSIONS, ...over },
  });
  it("names the flag and the tolerance", () => {
    expect(refuse(() => latencyDecisions(config("latency"), r({ latency: 1.1 })))).toBe(
      "--regression latency=1.1: is within the latency gate's maxRatio 1.2: the gate is not meant to fail it (give a regression beyond the tolerance)",
    );
    expect(refuse(() => aucDecisions(config("auc"), r({ auc: -0.01 })))).toMatch(
      /^--regression auc=-0.01: is within the AUC gate's margin 0.02/,
    );
    expect(refuse(() => aucDecisions(config("auc"), r({ auc: -0.35 })))).toMatch(/at or below chance/);
    expect(refuse(() => fairnessDecisions(config("fairness"), r({ fairness: 0.97 })))).toMatch(
      /^--regression fairness=0.97: is within/,
    );
    expect(refuse(() => errorsDecisions(config("errors"), r({ errors: 0.004 })))).toMatch(
      /^--regression errors=0.004: is within/,
    );
    expect(refuse(() => driftDecisions(config("drift"), r({ drift: 0.2 })))).toMatch(
      /^--regression drift=0.2: is within/,
    );
  });

  it("an equal model that cannot pass is a decision that cannot be made, with the reason", () => {
    const pass = latencyDecisions(config("latency", { maxRatio: 1 }), ctx)[1];
    expect(pass.claims).toEqual([]);
    expect(pass.impossible).toBe("maxRatio 1 leaves an equal model no room");
    expect(errorsDecisions(config("errors", { maxIncrease: 0 }), r({ errors: 0.01 }))[1].impossible).toMatch(
      /no room/,
    );
  });
});
