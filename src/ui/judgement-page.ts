import type { GateResult } from "../gates/gate.js";
import type { JudgeResponse } from "../judge/judgement.js";
import { fmt, type Html, html } from "./html.js";
import type { JudgementView } from "./judgement-view.js";
import { page, verdictBadge } from "./layout.js";
import { errorsTimelinePlot } from "./plots/errors-timeline.js";
import { fairnessBarsPlot, groupRates } from "./plots/fairness-bars.js";
import { latencyCdfPlot } from "./plots/latency-cdf.js";
import { latencyQuantilesPlot } from "./plots/latency-quantiles.js";
import { rocPlot } from "./plots/roc.js";
import { scoreHistogramPlot } from "./plots/score-histogram.js";

/** The decisive reason as sentences a release engineer can act on. */
export function decisiveReason(r: JudgeResponse): string {
  const { verdict, reason } = r.summary;
  const named = (v: string) =>
    Object.entries(r.gates)
      .filter(([, g]) => g.verdict === v)
      .map(([name]) => name);
  if (verdict === "fail") {
    const failing = named("fail");
    return `Rejected: ${failing.length > 1 ? `gates ${failing.join(", ")} failed` : `the ${failing[0] ?? "judge"} gate failed`}. Decisive: ${reason}`;
  }
  if (verdict === "pass") return `Passed: every required gate passed. ${reason}`;
  const waiting = named("inconclusive");
  return `Not decided yet${waiting.length > 0 ? ` (waiting on ${waiting.join(", ")})` : ""}: fail decisions are anytime-valid, so asking again later is safe. Decisive: ${reason}`;
}

const numMetric = (g: GateResult | undefined, key: string): number | undefined => {
  const v = g?.metrics[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
};

const pairMetric = (g: GateResult | undefined, lo: string, hi: string): [number, number] | undefined => {
  const a = numMetric(g, lo);
  const b = numMetric(g, hi);
  return a !== undefined && b !== undefined ? [a, b] : undefined;
};

/** Judged latency quantile from the gate's metric name ("p95_ratio" → 0.95). */
function judgedQuantile(g: GateResult | undefined): number | undefined {
  const m = g?.metric.match(/^p(\d+(?:\.\d+)?)_/);
  return m ? Number(m[1]) / 100 : undefined;
}

/** The gates as answered: verdict, decisive metric, value, threshold, interval, n and reason. */
export function gateTable(r: JudgeResponse): Html {
  const rows = Object.entries(r.gates).map(
    ([name, g]) =>
      html`<tr data-gate="${name}"><td>${name}</td><td>${verdictBadge(g.verdict)}</td><td>${g.metric}</td><td class="num">${fmt(g.value)}</td><td class="num">${fmt(g.threshold)}</td><td class="num">${g.interval ? `[${fmt(g.interval[0])}, ${fmt(g.interval[1])}]` : "–"}</td><td class="num">${g.n.baseline} / ${g.n.candidate}</td><td>${g.reason}</td></tr>`,
  );
  return html`<table class="gates"><thead><tr><th>gate</th><th>verdict</th><th>metric</th><th>value</th><th>threshold</th><th>anytime-valid interval</th><th>n (baseline / candidate)</th><th>reason</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function figure(plot: Html, caption: string): Html {
  return html`<figure>${plot}<figcaption>${caption}</figcaption></figure>`;
}

function plots(view: JudgementView): Html[] {
  const { baseline: b, candidate: c, response: r } = view;
  const out: Html[] = [];
  if (b && c) {
    if (b.scores.total + c.scores.total > 0) {
      out.push(figure(scoreHistogramPlot(b.scores, c.scores), "Share of each cohort's scores per bin."));
    }
    if (b.latency.count + c.latency.count > 0) {
      const lat = r.gates.latency;
      out.push(
        figure(
          latencyCdfPlot(b.latency, c.latency, {
            sloMs: numMetric(lat, "sloMs"),
            quantile: judgedQuantile(lat),
          }),
          "Fraction of requests at or below each latency; dots mark p50, p95, p99.",
        ),
      );
      out.push(
        figure(
          latencyQuantilesPlot(b.latency, c.latency, {
            quantile: judgedQuantile(lat),
            candidateInterval: pairMetric(lat, "candidateQuantileLow", "candidateQuantileHigh"),
            sloMs: numMetric(lat, "sloMs"),
          }),
          "Latency at each quantile; the bar is the latency gate's anytime-valid interval for the candidate's judged quantile.",
        ),
      );
    }
    if (b.labelled + c.labelled > 0) {
      const auc = r.gates.auc;
      out.push(
        figure(
          rocPlot(
            { positives: b.scoresPositive, negatives: b.scoresNegative },
            { positives: c.scoresPositive, negatives: c.scoresNegative },
            {
              candidateAuc: pairMetric(auc, "candidateAucLow", "candidateAucHigh"),
              aucDelta: pairMetric(auc, "aucDeltaLow", "aucDeltaHigh"),
            },
          ),
          "ROC curves from the labelled outcomes (thresholds at score-bin edges); bracketed: the auc gate's anytime-valid intervals.",
        ),
      );
    }
    const floorRatio = r.gates.fairness?.threshold ?? 0.8;
    const attributes = [...new Set([...b.groups.keys(), ...c.groups.keys()])].sort();
    for (const a of attributes) {
      out.push(
        figure(
          fairnessBarsPlot(a, groupRates(b.groups.get(a), c.groups.get(a)), floorRatio),
          `Share of positive decisions per ${a} group; a candidate bar under the dashed floor breaks the ${floorRatio} parity ratio.`,
        ),
      );
    }
  }
  if (view.timeline && view.timeline.slices.length > 0) {
    out.push(figure(errorsTimelinePlot(view.timeline), "Errors / events in each slice of the window."));
  }
  return out;
}

/** The judgement page body (shared by /ui/judgements/{id} and `modelgate judge --report`). */
export function judgementBody(view: JudgementView): Html {
  const r = view.response;
  const j = r.judgement;
  const figures = plots(view);
  return html`<h1 data-model="${j.model}">${j.model}: ${j.baseline} → ${j.candidate} ${verdictBadge(r.summary.verdict)}</h1>
<p class="reason verdict-${r.summary.verdict}-border" data-reason>${decisiveReason(r)}</p>
<dl class="meta"><dt>judgement</dt><dd>${j.id || "(offline)"}</dd><dt>window</dt><dd>${j.window}</dd><dt>look</dt><dd>${j.look} of run ${j.runKey}</dd><dt>alpha</dt><dd>${j.alpha} (each gate ${fmt(j.gateAlpha, 4)})</dd><dt>score</dt><dd>${r.summary.score}</dd><dt>source</dt><dd>${j.source}</dd><dt>at</dt><dd>${j.at}</dd></dl>
<h2>Gates</h2>${gateTable(r)}
<h2>Plots</h2>${figures.length > 0 ? html`<div class="plots">${figures}</div>` : html`<p class="note">No data to plot.</p>`}
${view.dataNote ? html`<p class="note">${view.dataNote}</p>` : ""}`;
}

export function judgementPage(view: JudgementView, opts: { nav?: boolean } = {}): string {
  const j = view.response.judgement;
  return page(
    `${view.response.summary.verdict}: ${j.model} ${j.candidate} vs ${j.baseline}`,
    judgementBody(view),
    opts,
  );
}
