import { describe, expect, it } from "vitest";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { makeRows, type Row } from "../cli/predictions-fixture.js";
import { artifactPath, launchBrowser } from "../helpers/browser.js";
import { startTestServer } from "./server-harness.js";

/** Exact AUC from raw scores: P(positive > negative) + ½ P(tie), O(n²) on purpose (independent). */
function rawAuc(rows: Row[]): number {
  const pos = rows.filter((r) => r.label === 1).map((r) => r.score);
  const neg = rows.filter((r) => r.label === 0).map((r) => r.score);
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

function lowerQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))];
}

const MODEL = "fraud-scorer";
const HOSTILE = '<b id="x">south</b>';

describe("/ui report pages in headless Chromium (no JavaScript)", () => {
  it("lists models and judgements and draws the judgement's plots from its data", async () => {
    await using env = await startTestServer();
    const url = env.server.url;
    const start = Date.now() - 30 * 60_000;
    const baseline = makeRows({ n: 1500, seed: 11, startTs: start, stepMs: 1000 });
    const candidate = makeRows({
      n: 1500,
      seed: 12,
      startTs: start + 500,
      stepMs: 1000,
      latencyMs: 80,
      errorRate: 0.06,
      groupBShift: -1,
    });
    const region = (r: Row) => (r.group === "a" ? "north" : HOSTILE);
    const lines = [
      ...baseline.map((r) => ({ ...r, version: "v1" })),
      ...candidate.map((r) => ({ ...r, version: "v2" })),
    ].map((r) =>
      JSON.stringify({
        model: MODEL,
        version: r.version,
        ts: r.ts,
        score: r.score,
        label: r.label,
        latencyMs: r.latencyMs,
        error: r.error,
        groups: { region: region(r) },
      }),
    );
    const ingest = await fetch(`${url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: `${lines.join("\n")}\n`,
    });
    expect(await ingest.json()).toMatchObject({ accepted: 3000, rejected: 0 });
    const judged = await fetch(`${url}/v1/judge`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: MODEL,
        baseline: "v1",
        candidate: "v2",
        since: new Date(start - 60_000).toISOString(),
      }),
    });
    expect(judged.status).toBe(200);
    const judgement = (await judged.json()) as JudgeResponse;
    expect(judgement.summary.verdict).toBe("fail");
    const id = judgement.judgement.id;

    await using chromium = await launchBrowser({ javaScript: false });
    const page = await chromium.browser.newPage();
    // a missing element fails in seconds, naming its locator, instead of at the test's timeout
    page.setDefaultTimeout(10_000);

    // index: the model with its version count, the judgement with its verdict
    const index = await page.goto(`${url}/ui`);
    expect(index?.status()).toBe(200);
    expect(await page.locator(`tr[data-model="${MODEL}"] td`).nth(1).textContent()).toBe("2");
    expect(await page.locator(`tr[data-judgement="${id}"] [data-verdict]`).textContent()).toBe("fail");
    expect(await page.locator("script").count()).toBe(0);
    await page.screenshot({ path: artifactPath("ui-index.png"), fullPage: true });

    // model page: both versions with their event and error counts
    await page.goto(`${url}/ui/models/${MODEL}`);
    const errorsOf = (rows: Row[]) => rows.filter((r) => r.error).length;
    expect(await page.locator('tr[data-version="v2"] td').nth(4).textContent()).toBe(
      String(errorsOf(candidate)),
    );
    expect(await page.locator('tr[data-version="v1"] td').nth(1).textContent()).toBe("1500");

    // judgement page
    await page.goto(`${url}/ui/judgements/${id}`);
    await page.screenshot({ path: artifactPath("ui-judgement.png"), fullPage: true });
    expect(await page.locator("[data-reason]").textContent()).toContain(judgement.summary.reason);
    expect(await page.locator('tr[data-gate="latency"] [data-verdict]').textContent()).toBe(
      judgement.gates.latency.verdict,
    );
    expect(
      await page.locator("svg[data-plot]").evaluateAll((els) => els.map((e) => e.getAttribute("data-plot"))),
    ).toEqual(["scores", "latency", "latency-quantiles", "roc", "fairness", "errors"]);

    // score histograms: 200 bins shown as 50 bars of width 0.02; counts recomputed from raw scores
    for (const [name, rows] of [
      ["baseline", baseline],
      ["candidate", candidate],
    ] as const) {
      const g = page.locator(`svg[data-plot="scores"] g[data-series="${name}"]`);
      const expected = new Array(50).fill(0);
      for (const r of rows) expected[Math.min(49, Math.floor(r.score * 50))]++;
      expect((await g.getAttribute("data-counts"))?.split(",").map(Number)).toEqual(expected);
      expect(await g.getAttribute("data-total")).toBe(String(rows.length));
    }

    // ROC: binned AUC within binning error of the exact AUC, and equal to the auc gate's own
    const aucOf = async (name: string) =>
      Number(await page.locator(`svg[data-plot="roc"] g[data-series="${name}"]`).getAttribute("data-auc"));
    expect(Math.abs((await aucOf("baseline")) - rawAuc(baseline))).toBeLessThan(0.005);
    expect(Math.abs((await aucOf("candidate")) - rawAuc(candidate))).toBeLessThan(0.005);
    expect(await aucOf("candidate")).toBeCloseTo(judgement.gates.auc.metrics.candidateAuc as number, 5);
    expect(await page.locator('svg[data-plot="roc"] [data-interval="auc-delta"]').textContent()).toContain(
      (judgement.gates.auc.metrics.aucDeltaLow as number).toFixed(3),
    );

    // latency: p50 within the sketch's 1% relative accuracy of the raw median
    const quantiles = await page
      .locator('svg[data-plot="latency"] g[data-series="candidate"]')
      .getAttribute("data-quantiles");
    const p50 = Number(quantiles?.split(",")[0].split(":")[1]);
    const rawP50 = lowerQuantile(
      candidate.map((r) => r.latencyMs),
      0.5,
    );
    expect(Math.abs(p50 / rawP50 - 1)).toBeLessThan(0.011);

    // latency quantiles: the candidate's judged-quantile interval is the latency gate's own
    const interval = page.locator('svg[data-plot="latency-quantiles"] [data-interval="candidate-quantile"]');
    const lat = judgement.gates.latency.metrics;
    expect(Number(await interval.getAttribute("data-low"))).toBeCloseTo(
      lat.candidateQuantileLow as number,
      2,
    );
    expect(Number(await interval.getAttribute("data-high"))).toBeCloseTo(
      lat.candidateQuantileHigh as number,
      2,
    );
    const points = await page
      .locator('svg[data-plot="latency-quantiles"] g[data-series="candidate"]')
      .getAttribute("data-points");
    expect(points?.split(",")[0]).toBe(`0.5:${p50}`);

    // fairness: selection rate (score ≥ 0.5) per region, floor = 0.8 × highest candidate rate
    const rateOf = (rows: Row[], group: string) => {
      const g = rows.filter((r) => region(r) === group);
      return g.filter((r) => r.score >= 0.5).length / g.length;
    };
    for (const group of ["north", HOSTILE]) {
      const bar = page.locator(
        `svg[data-plot="fairness"] g[data-series="candidate"] rect[data-group="${group.replace(/"/g, '\\"')}"]`,
      );
      expect(Number(await bar.getAttribute("data-rate"))).toBeCloseTo(rateOf(candidate, group), 6);
    }
    const floor = Number(
      await page.locator('svg[data-plot="fairness"] [data-line="floor"]').getAttribute("data-value"),
    );
    expect(floor).toBeCloseTo(0.8 * Math.max(rateOf(candidate, "north"), rateOf(candidate, HOSTILE)), 6);
    // the group value is shown as text, not parsed as markup
    expect(await page.locator("svg b, #x").count()).toBe(0);
    expect(await page.locator('svg[data-plot="fairness"] text').allTextContents()).toContain(HOSTILE);

    // errors over time: every error counted once across the slices
    for (const [name, rows] of [
      ["baseline", baseline],
      ["candidate", candidate],
    ] as const) {
      const g = page.locator(`svg[data-plot="errors"] g[data-series="${name}"]`);
      const sum = (attr: string | null) => (attr ?? "").split(",").reduce((s, x) => s + Number(x), 0);
      expect(sum(await g.getAttribute("data-errors"))).toBe(errorsOf(rows));
      expect(sum(await g.getAttribute("data-events"))).toBe(rows.length);
    }

    const missing = await page.goto(`${url}/ui/judgements/j-nope`);
    expect(missing?.status()).toBe(404);
  });
});
