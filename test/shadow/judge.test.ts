import { describe, expect, it } from "vitest";
import { GATES } from "../../src/gates/registry.js";
import { nonFinitePaths } from "../../src/judge/finite.js";
import { JudgementHistory } from "../../src/judge/history.js";
import { runJudgement } from "../../src/judge/judge.js";
import { parseJudgeRequest } from "../../src/judge/request.js";
import type { PairedQuery, PairedSource } from "../../src/shadow/paired-source.js";
import { DEFAULT_LAYOUT } from "../../src/sketch/cohort-summary.js";
import type { Source } from "../../src/sources/source.js";
import { CohortState } from "../../src/store/cohort-state.js";
import { type PairedTrafficOptions, pairedTraffic } from "./traffic.js";

const now = Date.parse("2026-11-25T12:00:00Z");
const limits = {
  maxModels: 100,
  maxVersionsPerModel: 100,
  maxGroupAttributes: 10,
  maxGroupValues: 100,
  maxFeatures: 100,
  maxCategories: 100,
};

/** The store's state (CohortState calls the pairing index) behind a paired source. */
function storeWith(traffic: PairedTrafficOptions, opts: { delayedLabels?: boolean } = {}) {
  const state = new CohortState({
    bucketMs: 3_600_000,
    retentionMs: 7 * 86_400_000,
    threshold: 0.5,
    layout: DEFAULT_LAYOUT,
    joinTtlMs: 86_400_000,
    joinMaxEntries: 100_000,
    limits,
  });
  const t = pairedTraffic({ labels: !opts.delayedLabels, ...traffic });
  const arrival = Date.parse("2026-11-25T11:00:00Z");
  t.baseline.forEach((b, i) => {
    state.applyEvent(b, arrival + i);
    state.applyEvent(t.candidate[i], arrival + i + 50);
  });
  if (opts.delayedLabels) {
    for (const l of t.labels) state.applyOutcome({ model: "fraud", ...l, ts: now }, arrival + 3_600_000);
  }
  const source: Source & PairedSource = {
    name: "embedded",
    cohort: async (q) => state.window(q.model, q.version, q.from, q.to),
    firstSeen: async (m, v) => state.models.get(m)?.versions.get(v)?.counts.firstTs ?? undefined,
    paired: async (q: PairedQuery) => state.pairing?.window(q.model, q.baseline, q.candidate, q.from, q.to),
  };
  return source;
}

async function judgeShadow(
  source: Source,
  raw: Record<string, unknown> = {},
  history = new JudgementHistory(),
) {
  const req = parseJudgeRequest(
    { model: "fraud", baseline: "stable", candidate: "challenger", mode: "shadow", ...raw },
    { registry: GATES, now },
  );
  return runJudgement(req, {
    registry: GATES,
    sources: { embedded: source },
    defaultSource: "embedded",
    history,
    clock: () => now,
  });
}

describe("mode=shadow judgement on synthetic paired traffic", () => {
  it("identical models pass every paired gate with agreement 1.0", async () => {
    const r = await judgeShadow(storeWith({ n: 6000, seed: 1 }));
    expect(r.judgement.mode).toBe("shadow");
    expect(Object.keys(r.gates)).toEqual([
      "agreement",
      "fairness",
      "scores",
      "latency",
      "accuracy",
      "auc",
      "errors",
    ]);
    for (const [name, g] of Object.entries(r.gates))
      expect([name, g.verdict, g.reason]).toEqual([name, "pass", g.reason]);
    expect(r.summary.verdict).toBe("pass");
    expect(r.gates.agreement.metrics.agreementRate).toBe(1);
    expect(r.gates.agreement.n).toEqual({ baseline: 6000, candidate: 6000 });
    expect(Math.abs(r.gates.scores.value as number)).toBe(0);
    expect(Math.abs(r.gates.auc.value as number)).toBe(0);
    expect(r.gates.accuracy.metrics).toMatchObject({
      onlyBaselineCorrect: 0,
      onlyCandidateCorrect: 0,
      labelled: 6000,
    });
    expect(Math.abs(r.gates.latency.metrics.diffP50 as number)).toBe(0);
    expect(nonFinitePaths(r)).toEqual([]);
  });

  it("a challenger flipping 5% of one region's decisions fails on fairness, naming that region", async () => {
    const r = await judgeShadow(storeWith({ n: 30_000, seed: 2, flipRegion: "south", flipRate: 0.05 }));
    const f = r.gates.fairness;
    expect(f.verdict).toBe("fail");
    expect(f.metric).toBe("flip_rate_gap");
    expect(f.reason).toMatch(/^group region=south: /);
    const south = (f.metrics.groups as Record<string, { flipRate: number; n: number }>)["region=south"];
    expect(south.n).toBe(10_000);
    expect(south.flipRate).toBeGreaterThan(0.04);
    expect(south.flipRate).toBeLessThan(0.06);
    expect(f.interval![0]).toBeGreaterThan(0.02);
    // overall only ~1.7% of decisions flip: the overall agreement gate alone would pass it
    expect(r.gates.agreement.verdict).toBe("pass");
    expect(r.summary.verdict).toBe("fail");
    expect(r.summary.reason).toMatch(/^fairness: group region=south/);
  });

  it("the same flips spread evenly over every region pass fairness", async () => {
    const source = storeWith({ n: 30_000, seed: 3, flipRegion: "*", flipRate: 0.05 });
    const r = await judgeShadow(source, { gates: "agreement,fairness" });
    expect(r.gates.fairness.verdict).toBe("pass");
    expect(r.gates.agreement.value as number).toBeGreaterThan(0.045);
    // with an absolute ceiling on every group's own flip rate, the even 5% is too much everywhere
    const capped = await judgeShadow(source, { gates: "fairness", "fairness.maxGroupFlipRate": "0.03" });
    expect(capped.gates.fairness.verdict).toBe("fail");
    expect(capped.gates.fairness.metric).toBe("group_flip_rate");
    expect(capped.gates.fairness.reason).toMatch(/^group region=\w+: .* above the ceiling 3\.00%/);
  });

  it("a weaker challenger fails the paired AUC gate, with delayed labels joined to the pairs", async () => {
    const r = await judgeShadow(
      storeWith({ n: 4000, seed: 4, aucDrop: 1.0, candidateNoise: 0.3 }, { delayedLabels: true }),
      {
        gates: "auc,accuracy",
      },
    );
    const auc = r.gates.auc;
    expect(auc.verdict).toBe("fail");
    expect(auc.n.baseline).toBe(4000);
    expect(auc.value as number).toBeLessThan(-0.05);
    expect(auc.metrics.varianceReduction as number).toBeGreaterThan(0.5);
    expect(r.gates.accuracy.metrics.labelled).toBe(4000);
  });

  it("a challenger failing 2% of the requests the baseline answers fails the paired errors gate", async () => {
    const r = await judgeShadow(storeWith({ n: 2000, seed: 7, candidateErrorRate: 0.02 }), {
      gates: "errors",
    });
    const e = r.gates.errors;
    expect(e.verdict).toBe("fail");
    expect(e.metrics.errorsOnlyBaseline).toBe(0);
    expect(e.metrics.errorsOnlyCandidate as number).toBeGreaterThan(20);
    expect(e.value).toBeCloseTo((e.metrics.errorsOnlyCandidate as number) / 2000, 15);
  });

  it("a slower challenger fails the paired latency gate", async () => {
    const r = await judgeShadow(storeWith({ n: 2000, seed: 5, latencyShiftMs: 8 }), { gates: "latency" });
    expect(r.gates.latency.verdict).toBe("fail");
    expect(r.gates.latency.value as number).toBeCloseTo(8, 0);
  });

  it("no pairs yet is inconclusive, and a source that cannot pair is a config error naming source", async () => {
    const r = await judgeShadow(storeWith({ n: 10, seed: 6 }), { candidate: "other" });
    expect(r.summary.verdict).toBe("inconclusive");
    const plain: Source = { name: "prom", cohort: async () => undefined, firstSeen: async () => now };
    await expect(judgeShadow(plain)).rejects.toMatchObject({ field: "source" });
    expect(() =>
      parseJudgeRequest(
        { model: "m", baseline: "a", candidate: "b", mode: "shadow", gates: "drift" },
        { registry: GATES, now },
      ),
    ).toThrow(/unknown gate "drift"/);
    expect(() =>
      parseJudgeRequest(
        { model: "m", baseline: "a", candidate: "b", mode: "mirror" },
        { registry: GATES, now },
      ),
    ).toThrow(/mode/);
  });
});

describe("mode=shadow with a declared look schedule (looks=5)", () => {
  // the same seeded run seen at two looks: the second store holds the first one's requests and more
  const traffic = { seed: 8, candidateNoise: 0.3, latencyNoiseMs: 3, candidateErrorRate: 0.01 };
  const first = storeWith({ ...traffic, n: 1500 });
  const second = storeWith({ ...traffic, n: 3000 });
  /** The contrast keys each gate records, as its code names them. */
  const keys: Record<string, string[]> = {
    agreement: ["flipRate"],
    fairness: ["flipRateGap:region=east", "flipRateGap:region=north", "flipRateGap:region=south"],
    scores: ["meanDiff"],
    latency: ["differenceQuantile"],
    accuracy: ["accuracyDiff"],
    auc: ["difference"],
    errors: ["increase"],
  };
  for (const gate of Object.keys(keys)) {
    it(`${gate}: each look's answer records gates.${gate}.sequential, and the run continues from it`, async () => {
      const history = new JudgementHistory();
      const raw = { gates: gate, looks: "5", "fairness.minGroupPairs": "100" };
      const one = await judgeShadow(first, raw, history);
      const two = await judgeShadow(second, raw, history);
      expect([one.judgement.look, two.judgement.look]).toEqual([1, 2]);
      const [a, b] = [one.gates[gate].sequential!, two.gates[gate].sequential!];
      expect({ ...a, observed: undefined }).toEqual({
        look: 1,
        looks: 5,
        spending: "obrien-fleming",
        observed: undefined,
      });
      expect([b.look, b.looks]).toEqual([2, 5]);
      for (const key of keys[gate]) {
        expect([key, a.observed[key]?.fraction, b.observed[key]?.fraction]).toEqual([key, 0.2, 0.4]);
        // twice the pairs: the contrast's information 1/se² grew, so the second look spent alpha
        expect(b.observed[key].information).toBeGreaterThan(a.observed[key].information);
      }
      // the run's history (kept with the answers) holds both looks for the run's next one
      expect(
        history.sequences
          .contextFor(lookKeyOf(gate), gate, { look: 3, looks: 5, spending: "obrien-fleming" })
          .history(keys[gate][0]),
      ).toHaveLength(2);
      expect(nonFinitePaths(two)).toEqual([]);
    });
  }

  it("agreement's recorded information is 1/se² of the flip rate's contrast (the variance at maxFlipRate)", async () => {
    const r = await judgeShadow(second, { gates: "agreement", looks: "5" });
    const m = r.gates.agreement.metrics as Record<string, number>;
    const p = 0.05; // the default maxFlipRate, where both of the gate's claims sit
    expect(r.gates.agreement.sequential!.observed.flipRate.information).toBeCloseTo(
      m.decided / (p * (1 - p)),
      6,
    );
  });
});

/** The key a shadow run's looks are kept under (src/judge/assembly.ts lookKeyOf, default runKey). */
const lookKeyOf = (gate: string) => `fraud/stable/challenger#shadow#${gate}`;

describe("offlinePairedSource (two prediction files on the same requests)", () => {
  it("judges in shadow mode like the store does", async () => {
    const { offlinePairedSource } = await import("../../src/shadow/offline-source.js");
    const t = pairedTraffic({ n: 30_000, seed: 2, flipRegion: "south", flipRate: 0.05, labels: true });
    const r = await judgeShadow(offlinePairedSource([...t.baseline, ...t.candidate]), {
      until: "2026-11-26T00:00:00Z",
    });
    expect(r.gates.agreement.n).toEqual({ baseline: 30_000, candidate: 30_000 });
    expect(r.gates.fairness.verdict).toBe("fail");
    expect(r.gates.fairness.reason).toMatch(/^group region=south/);
  });
});
