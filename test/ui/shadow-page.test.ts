import { describe, expect, it } from "vitest";
import type { PredictionEvent } from "../../src/ingest/event.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { artifactPath, launchBrowser } from "../helpers/browser.js";
import { pairedTraffic } from "../shadow/traffic.js";
import { startTestServer } from "./server-harness.js";

const HOSTILE = '<b id="x">east</b>';
const post = (url: string, body: unknown) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

/** What pairing should find, counted here from the raw events of both versions and the labels. */
function expected(baseline: PredictionEvent[], candidate: PredictionEvent[], labels: Map<string, 0 | 1>) {
  const byId = new Map(candidate.map((e) => [e.id, e]));
  const groups = new Map<string, { n: number; flips: number }>();
  let decided = 0;
  let up = 0;
  let down = 0;
  let onlyBaselineRight = 0;
  let onlyCandidateRight = 0;
  const scoreDiffs: number[] = [];
  for (const b of baseline) {
    const c = byId.get(b.id);
    if (!c) continue;
    if (b.score !== undefined && c.score !== undefined) scoreDiffs.push(c.score - b.score);
    if (b.decision === undefined || c.decision === undefined) continue;
    decided++;
    const flipped = b.decision !== c.decision;
    if (flipped && b.decision === 0) up++;
    if (flipped && b.decision === 1) down++;
    const region = (b.groups as { region: string }).region;
    const g = groups.get(region) ?? { n: 0, flips: 0 };
    g.n++;
    g.flips += flipped ? 1 : 0;
    groups.set(region, g);
    const label = labels.get(b.id as string);
    if (label !== undefined && (b.decision === label) !== (c.decision === label)) {
      if (b.decision === label) onlyBaselineRight++;
      else onlyCandidateRight++;
    }
  }
  return { decided, up, down, groups, onlyBaselineRight, onlyCandidateRight, scoreDiffs };
}

describe("the shadow judgement page in headless Chromium (no JavaScript)", () => {
  it("shows agreement, flips per group, paired differences and tests as the judgement and the data say", async () => {
    await using env = await startTestServer();
    const url = env.server.url;
    const t = pairedTraffic({
      n: 3000,
      seed: 23,
      regions: ["north", "south", HOSTILE],
      flipRegion: HOSTILE,
      flipRate: 0.12,
      candidateNoise: 0.35,
      aucDrop: 0.3,
      latencyShiftMs: 6,
      candidateErrorRate: 0.02,
      ts: Date.now() - 120_000,
    });
    expect((await post(`${url}/v1/events`, t.baseline)).status).toBe(202);
    expect((await post(`${url}/v1/events`, t.candidate)).status).toBe(202);
    expect(
      (
        await post(
          `${url}/v1/outcomes`,
          t.labels.map((l) => ({ model: "fraud", ...l })),
        )
      ).status,
    ).toBe(202);
    const res = await post(`${url}/v1/judge`, {
      model: "fraud",
      baseline: "stable",
      candidate: "challenger",
      mode: "shadow",
      runKey: "mirror-1",
    });
    expect(res.status).toBe(200);
    const j = (await res.json()) as JudgeResponse;
    expect(j.summary.verdict).toBe("fail");
    const want = expected(t.baseline, t.candidate, new Map(t.labels.map((l) => [l.id, l.label])));

    await using chromium = await launchBrowser({ javaScript: false });
    const page = await chromium.browser.newPage();

    // the index lists it as a shadow judgement and links to its page, like a canary judgement
    await page.goto(`${url}/ui`);
    const row = page.locator(`tr[data-judgement="${j.judgement.id}"]`);
    expect(await row.locator("[data-mode]").textContent()).toBe("shadow");
    const href = await row.locator("a").first().getAttribute("href");
    expect(href).toBe(`/ui/judgements/${j.judgement.id}`);
    const opened = await page.goto(`${url}${href}`);
    expect(opened?.status()).toBe(200);
    await page.screenshot({ path: artifactPath("ui-shadow-judgement.png"), fullPage: true });
    expect(await page.locator("h1[data-mode=shadow]").count()).toBe(1);
    expect(await page.locator("script").count()).toBe(0);
    expect(await page.locator("[data-reason]").textContent()).toContain(j.summary.reason);
    expect(
      await page.locator("svg[data-plot]").evaluateAll((els) => els.map((e) => e.getAttribute("data-plot"))),
    ).toEqual(["paired-intervals", "flip-rates", "score-diff", "paired-scores", "latency-diff", "latency"]);

    // agreement: paired decisions and flips counted from the raw events
    const agreement = page.locator('dl[data-section="agreement"]');
    expect(Number(await agreement.getAttribute("data-pairs"))).toBe(3000);
    expect(Number(await agreement.getAttribute("data-decided"))).toBe(want.decided);
    expect(Number(await agreement.getAttribute("data-flips-up"))).toBe(want.up);
    expect(Number(await agreement.getAttribute("data-flips-down"))).toBe(want.down);
    expect(Number(await agreement.locator("[data-agreement]").getAttribute("data-agreement"))).toBeCloseTo(
      1 - (want.up + want.down) / want.decided,
      6,
    );

    // flip rate per group: the raw share, the fairness gate's interval as the whisker, the agreement band
    const fairness = j.gates.fairness.metrics.groups as Record<
      string,
      { flipRateInterval: [number, number] }
    >;
    for (const [region, g] of want.groups) {
      const bar = page.locator(
        `svg[data-plot="flip-rates"] g[data-group="${`region=${region}`.replace(/"/g, '\\"')}"]`,
      );
      expect(Number(await bar.getAttribute("data-n"))).toBe(g.n);
      expect(Number(await bar.getAttribute("data-rate"))).toBeCloseTo(g.flips / g.n, 6);
      const whisker = bar.locator('[data-interval="group"]');
      expect(Number(await whisker.getAttribute("data-low"))).toBeCloseTo(
        fairness[`region=${region}`].flipRateInterval[0],
        6,
      );
      expect(Number(await whisker.getAttribute("data-high"))).toBeCloseTo(
        fairness[`region=${region}`].flipRateInterval[1],
        6,
      );
    }
    const band = page.locator('svg[data-plot="flip-rates"] [data-interval="overall"]');
    expect(Number(await band.getAttribute("data-low"))).toBeCloseTo(
      j.gates.agreement.metrics.flipRateLow as number,
      6,
    );
    expect(Number(await band.getAttribute("data-high"))).toBeCloseTo(
      j.gates.agreement.metrics.flipRateHigh as number,
      6,
    );
    // the group that flips most is the one the traffic flips, shown as text, not markup
    expect(await page.locator("svg b, #x").count()).toBe(0);
    expect(
      await page
        .locator(`table.groups tr[data-group="region=${HOSTILE.replace(/"/g, '\\"')}"] td`)
        .nth(1)
        .textContent(),
    ).toBe(HOSTILE);

    // paired score differences: every pair counted once in its bar, the mean's interval the scores gate's
    const diff = page.locator('svg[data-plot="score-diff"] g[data-series="difference"]');
    const edges = ((await diff.getAttribute("data-edges")) ?? "").split(",").map(Number);
    const counts = ((await diff.getAttribute("data-counts")) ?? "").split(",").map(Number);
    expect(Number(await diff.getAttribute("data-total"))).toBe(want.scoreDiffs.length);
    const recount = counts.map(
      (_, k) => want.scoreDiffs.filter((d) => d >= edges[k] && d < edges[k + 1]).length,
    );
    expect(recount.reduce((s, c) => s + c, 0)).toBe(want.scoreDiffs.length);
    for (const [k, c] of counts.entries()) expect(Math.abs(c - recount[k])).toBeLessThanOrEqual(1);
    const mean = page.locator('svg[data-plot="score-diff"] [data-interval="mean"]');
    const rawMean = want.scoreDiffs.reduce((s, d) => s + d, 0) / want.scoreDiffs.length;
    expect(Number(await mean.getAttribute("data-value"))).toBeCloseTo(rawMean, 6);
    expect(Number(await mean.getAttribute("data-low"))).toBeCloseTo(
      j.gates.scores.metrics.meanDiffLow as number,
      6,
    );
    expect(
      Number(
        await page
          .locator('svg[data-plot="paired-scores"] g[data-series="pairs"]')
          .getAttribute("data-total"),
      ),
    ).toBe((j.gates.auc.metrics.positives as number) + (j.gates.auc.metrics.negatives as number));

    // paired latency: every request is 6 ms slower on the candidate (within the sketch's 1% accuracy)
    const points = await page
      .locator('svg[data-plot="latency-diff"] g[data-series="difference"]')
      .getAttribute("data-points");
    for (const p of (points ?? "").split(","))
      expect(Math.abs(Number(p.split(":")[1]) / 6 - 1)).toBeLessThan(0.011);
    const judged = page.locator('svg[data-plot="latency-diff"] [data-interval="judged-quantile"]');
    expect(Number(await judged.getAttribute("data-low"))).toBeCloseTo(
      j.gates.latency.interval?.[0] as number,
      2,
    );
    expect(Number(await judged.getAttribute("data-high"))).toBeCloseTo(
      j.gates.latency.interval?.[1] as number,
      2,
    );

    // every gate's interval in the forest plot is the judgement's own
    for (const [gate, g] of Object.entries(j.gates)) {
      const rowOf = page.locator(`svg[data-plot="paired-intervals"] g[data-gate="${gate}"]`);
      if (!g.interval?.every((v) => typeof v === "number")) {
        expect(await rowOf.count()).toBe(0);
        continue;
      }
      expect(Number(await rowOf.getAttribute("data-low"))).toBeCloseTo(g.interval[0] as number, 6);
      expect(Number(await rowOf.getAttribute("data-high"))).toBeCloseTo(g.interval[1] as number, 6);
      expect(await rowOf.getAttribute("data-verdict")).toBe(g.verdict);
    }

    // McNemar's discordant pairs counted from the labels; the paired DeLong interval the auc gate's
    const mcnemar = page.locator('tr[data-test="mcnemar-accuracy"]');
    expect(Number(await mcnemar.getAttribute("data-b"))).toBe(want.onlyBaselineRight);
    expect(Number(await mcnemar.getAttribute("data-c"))).toBe(want.onlyCandidateRight);
    const delong = page.locator('tr[data-test="paired-delong"] [data-interval]');
    const auc = j.gates.auc.metrics;
    expect(await delong.getAttribute("data-interval")).toBe(
      `[${(auc.aucDeltaLow as number).toFixed(6)}, ${(auc.aucDeltaHigh as number).toFixed(6)}]`,
    );
    expect(await page.locator('tr[data-test="mcnemar-errors"]').getAttribute("data-c")).toBe(
      String(t.candidate.filter((e) => e.error).length),
    );
  });
});
