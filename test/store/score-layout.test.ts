import { describe, expect, it } from "vitest";
import { aucGate } from "../../src/gates/auc.js";
import { driftGate } from "../../src/gates/drift.js";
import { BatchResult } from "../../src/ingest/batch-result.js";
import { CohortSummary, DEFAULT_LAYOUT } from "../../src/sketch/cohort-summary.js";
import type { InputRecord } from "../../src/store/embedded-store.js";
import { binnedDelong } from "../gates/by-hand.js";
import { addLabelled, mulberry32 } from "../gates/synthetic.js";
import { manualClock, openStore, tempDir, testConfig } from "./harness.js";

const T0 = Date.parse("2026-11-24T10:00:00Z");
const OLD_LAYOUT = { ...DEFAULT_LAYOUT, scoreBins: 200 };

/**
 * `n` labelled predictions of one version (binormal scores with the given AUC) as ingestion lines at
 * times from `ts` on, and the same events kept in a 200-bin summary: the window the store must give.
 */
function predictions(version: string, n: number, ts: number, auc: number, seed: number, into: CohortSummary) {
  const { scores, labels } = addLabelled(into, mulberry32(seed), n, { auc });
  return scores.map(
    (score, i): InputRecord => ({
      line: i + 1,
      text: JSON.stringify({
        model: "fraud",
        version,
        id: `${version}-${ts}-${i}`,
        ts: ts + i,
        score,
        label: labels[i],
      }),
    }),
  );
}

describe("score histograms of an older data directory", () => {
  it("a window merging 200-bin buckets (loaded from the snapshot) with new 1000-bin buckets judges AUC and drift at 200 bins", async () => {
    using dir = tempDir();
    const clock = manualClock(T0 + 600_000);
    const config = testConfig(dir.path, { bucket: "60" });
    // what every event of both periods gives at the older layout
    const expected = { base: new CohortSummary(OLD_LAYOUT), cand: new CohortSummary(OLD_LAYOUT) };

    const before = await openStore(config, { clock, layout: OLD_LAYOUT });
    before.ingestEvents(predictions("base", 3000, T0, 0.8, 1, expected.base), new BatchResult());
    before.ingestEvents(predictions("cand", 1000, T0, 0.75, 2, expected.cand), new BatchResult());
    before.snapshot();
    before.close();

    // upgraded: the store now writes 1000-bin buckets, two minutes (two buckets) later
    const after = await openStore(config, { clock });
    after.ingestEvents(predictions("base", 3000, T0 + 120_000, 0.8, 3, expected.base), new BatchResult());
    after.ingestEvents(predictions("cand", 1000, T0 + 120_000, 0.75, 4, expected.cand), new BatchResult());
    const buckets = (version: string) =>
      [...after.state.models.get("fraud")!.versions.get(version)!.buckets.values()].map((s) => s.scores.bins);
    expect(buckets("base")).toEqual([200, 1000]);

    const window = (version: string) => after.cohort("fraud", version, undefined, T0 + 600_000)!;
    const baseline = window("base");
    const candidate = window("cand");
    for (const s of [baseline, candidate])
      expect([s.scores.bins, s.scoresPositive.bins, s.scoresNegative.bins]).toEqual([200, 200, 200]);
    expect(Array.from(baseline.scoresPositive.counts)).toEqual(
      Array.from(expected.base.scoresPositive.counts),
    );
    expect(Array.from(candidate.scores.counts)).toEqual(Array.from(expected.cand.scores.counts));

    // AUC from the merged window is the binned AUC of every event at 200 bins (by hand)
    const auc = aucGate.evaluate({ baseline, candidate, config: aucGate.parseConfig({}), alpha: 0.05 });
    const b = binnedDelong(expected.base.scoresPositive.counts, expected.base.scoresNegative.counts);
    const c = binnedDelong(expected.cand.scoresPositive.counts, expected.cand.scoresNegative.counts);
    expect(auc.metrics.baselineAuc).toBeCloseTo(b.auc, 12);
    expect(auc.metrics.candidateAuc).toBeCloseTo(c.auc, 12);
    expect(auc.metrics.baselineAucVariance).toBeCloseTo(b.variance, 15);
    expect(auc.metrics.candidateAucMaxError).toBeCloseTo(c.maxError, 15);
    // the coarser grid's binning bound (≈ 5× the 1000-bin one) is what the interval is widened by
    expect(b.maxError).toBeGreaterThan(0.001);
    expect(auc).toEqual(
      aucGate.evaluate({
        baseline: expected.base,
        candidate: expected.cand,
        config: aucGate.parseConfig({}),
        alpha: 0.05,
      }),
    );

    // drift on the merged window equals drift on the events binned at 200 from the start
    const drift = driftGate.evaluate({ baseline, candidate, config: driftGate.parseConfig({}), alpha: 0.05 });
    const direct = driftGate.evaluate({
      baseline: expected.base,
      candidate: expected.cand,
      config: driftGate.parseConfig({}),
      alpha: 0.05,
    });
    expect(drift.metrics).toEqual(direct.metrics);
    expect(drift.verdict).toBe(direct.verdict);
    expect(drift.n).toEqual({ baseline: 6000, candidate: 2000 });
    // a window of the new buckets alone keeps the finer grid
    expect(after.cohort("fraud", "base", T0 + 120_000, T0 + 600_000)?.scores.bins).toBe(1000);
    after.close();
  });
});
