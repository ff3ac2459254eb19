import type { GateResult } from "../gates/gate.js";
import type { PairedSummary } from "../shadow/paired-summary.js";
import { fmt, type Html, html } from "./html.js";
import { decisiveReason, figure, gateTable } from "./judgement-page.js";
import { page, verdictBadge } from "./layout.js";
import { flipRatesPlot, type GroupFlipRate, groupFlipRates } from "./plots/flip-rates.js";
import { latencyCdfPlot } from "./plots/latency-cdf.js";
import { latencyDifferencePlot } from "./plots/latency-diff.js";
import { intervalRows, pairedIntervalsPlot } from "./plots/paired-intervals.js";
import { pairedScoresPlot, scoreDifferencePlot } from "./plots/paired-scores.js";
import type { ShadowView } from "./shadow-view.js";

/**
 * The page of a shadow judgement (`mode=shadow`): both versions answered the same requests, so it
 * shows what pairing makes visible — how often the decisions agree and for which groups they flip, the
 * per-request score and latency differences, and the paired tests (McNemar on the discordant pairs,
 * paired DeLong on the AUCs) with the anytime-valid intervals the verdict was read from.
 */

type Metrics = GateResult["metrics"];

const metric = (m: Metrics | undefined, key: string): number | undefined => {
  const v = m?.[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
};

const between = (m: Metrics | undefined, lo: string, hi: string): [number, number] | undefined => {
  const a = metric(m, lo);
  const b = metric(m, hi);
  return a !== undefined && b !== undefined ? [a, b] : undefined;
};

const pct = (x: number | undefined, digits = 2) => (x === undefined ? "–" : `${(x * 100).toFixed(digits)}%`);
const pctInterval = (iv: [number, number] | undefined) => (iv ? `${pct(iv[0])} to ${pct(iv[1])}` : "–");
const num = (x: number | undefined, digits = 3) => (x === undefined ? "–" : fmt(x, digits));
const range = (iv: [number, number] | undefined, digits = 4) =>
  iv ? `[${fmt(iv[0], digits)}, ${fmt(iv[1], digits)}]` : "–";

function agreementSection(s: PairedSummary, agreement: GateResult | undefined, view: ShadowView): Html {
  const rate = s.decided > 0 ? s.agreed / s.decided : undefined;
  const flips = between(agreement?.metrics, "flipRateLow", "flipRateHigh");
  const paired = view.paired!;
  return html`<dl class="meta" data-section="agreement" data-pairs="${s.pairs}" data-decided="${s.decided}" data-agreed="${s.agreed}" data-flips-up="${s.flipsUp}" data-flips-down="${s.flipsDown}">
<dt>paired requests</dt><dd>${s.pairs}</dd>
<dt>paired decisions</dt><dd>${s.decided}</dd>
<dt>agreement</dt><dd data-agreement="${rate === undefined ? "" : rate.toFixed(6)}">${pct(rate)} (anytime-valid ${flips ? pctInterval([1 - flips[1], 1 - flips[0]]) : "–"}, agreement gate)</dd>
<dt>flipped</dt><dd>${s.flipsUp} from 0 to 1, ${s.flipsDown} from 1 to 0</dd>
<dt>not paired</dt><dd>${paired.unpaired.baseline} baseline and ${paired.unpaired.candidate} candidate answers expired without a partner; ${paired.pending.baseline} and ${paired.pending.candidate} waiting now</dd>
</dl>`;
}

function groupTable(groups: GroupFlipRate[], fairness: GateResult | undefined): Html {
  if (groups.length === 0) return html`<p class="note">No group attributes on the paired requests.</p>`;
  const judged = (fairness?.metrics.groups ?? {}) as Record<string, Record<string, unknown>>;
  const rows = groups.map((g) => {
    const name = `${g.attribute}=${g.value}`;
    const j = Object.hasOwn(judged, name) ? (judged[name] as Metrics) : undefined;
    const gap = metric(j, "flipRateGap");
    const gapInterval = Array.isArray(j?.flipRateGapInterval)
      ? (j.flipRateGapInterval as unknown as [number, number])
      : undefined;
    return html`<tr data-group="${name}"><td>${g.attribute}</td><td>${g.value}</td><td class="num">${g.n}</td><td class="num">${g.flipsUp}</td><td class="num">${g.flipsDown}</td><td class="num">${g.rate === null ? "–" : pct(g.rate)}</td><td class="num">${pctInterval(g.interval)}</td><td class="num">${gap !== undefined ? `${pct(gap)} (${pctInterval(gapInterval)})` : "not judged"}</td></tr>`;
  });
  return html`<table class="groups"><thead><tr><th>attribute</th><th>group</th><th>paired decisions</th><th>0→1</th><th>1→0</th><th>flip rate</th><th>anytime-valid</th><th>gap over the rest (anytime-valid)</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function pairedTests(gates: Record<string, GateResult>): Html {
  const rows: Html[] = [];
  const accuracy = gates.accuracy?.metrics;
  if (metric(accuracy, "labelled") !== undefined && metric(accuracy, "accuracyDiff") !== undefined) {
    rows.push(
      html`<tr data-test="mcnemar-accuracy" data-b="${metric(accuracy, "onlyBaselineCorrect")}" data-c="${metric(accuracy, "onlyCandidateCorrect")}"><td>McNemar, decision accuracy</td><td>${metric(accuracy, "labelled")} labelled pairs: ${metric(accuracy, "onlyBaselineCorrect")} only baseline right (b), ${metric(accuracy, "onlyCandidateCorrect")} only candidate right (c); χ² ${num(metric(accuracy, "mcnemarStatistic"))}, p ${num(metric(accuracy, "mcnemarPValue"), 4)} (fixed-n); sequential p ${num(metric(accuracy, "sequentialMcnemarPValue"), 4)}</td><td class="num">${num(metric(accuracy, "accuracyDiff"), 4)}</td><td class="num" data-interval="${range(between(accuracy, "accuracyDiffLow", "accuracyDiffHigh"), 6)}">${range(between(accuracy, "accuracyDiffLow", "accuracyDiffHigh"))}</td></tr>`,
    );
  }
  const auc = gates.auc?.metrics;
  if (metric(auc, "aucDelta") !== undefined) {
    rows.push(
      html`<tr data-test="paired-delong"><td>paired DeLong, AUC</td><td>candidate ${num(metric(auc, "candidateAuc"), 4)} vs baseline ${num(metric(auc, "baselineAuc"), 4)} on the same ${metric(auc, "positives")} positive and ${metric(auc, "negatives")} negative requests; correlation ${num(metric(auc, "correlation"))}, variance ${pct(metric(auc, "varianceReduction"), 1)} below the unpaired test's</td><td class="num">${num(metric(auc, "aucDelta"), 4)}</td><td class="num" data-interval="${range(between(auc, "aucDeltaLow", "aucDeltaHigh"), 6)}">${range(between(auc, "aucDeltaLow", "aucDeltaHigh"))}</td></tr>`,
    );
  }
  const errors = gates.errors?.metrics;
  if (metric(errors, "increase") !== undefined) {
    rows.push(
      html`<tr data-test="mcnemar-errors" data-b="${metric(errors, "errorsOnlyBaseline")}" data-c="${metric(errors, "errorsOnlyCandidate")}"><td>McNemar, errors</td><td>${metric(errors, "errorsOnlyBaseline")} requests failed only on the baseline, ${metric(errors, "errorsOnlyCandidate")} only on the candidate; sequential p ${num(metric(errors, "sequentialPValue"), 4)}</td><td class="num">${num(metric(errors, "increase"), 4)}</td><td class="num" data-interval="${range(between(errors, "increaseLow", "increaseHigh"), 6)}">${range(between(errors, "increaseLow", "increaseHigh"))}</td></tr>`,
    );
  }
  if (rows.length === 0)
    return html`<p class="note">No paired test had enough labelled or failed requests.</p>`;
  return html`<table class="paired-tests"><thead><tr><th>test</th><th>counts</th><th>difference (candidate − baseline)</th><th>anytime-valid interval</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function plots(view: ShadowView): Html[] {
  const out: Html[] = [];
  const gates = view.response.gates;
  const rows = intervalRows(gates);
  if (rows.length > 0) {
    out.push(
      figure(
        pairedIntervalsPlot(rows),
        "Each gate's statistic with the anytime-valid interval its verdict was read from: fail when the interval lies beyond the tolerance, pass when inside.",
      ),
    );
  }
  const s = view.paired?.summary;
  if (!s) return out;
  if (s.decided > 0) {
    const agreement = gates.agreement;
    out.push(
      figure(
        flipRatesPlot(groupFlipRates(s, gates.fairness?.metrics), {
          rate: (s.flipsUp + s.flipsDown) / s.decided,
          interval: between(agreement?.metrics, "flipRateLow", "flipRateHigh"),
          tolerance: agreement?.threshold ?? undefined,
        }),
        "Share of each group's paired decisions that the candidate flipped; whiskers: the fairness gate's anytime-valid interval for groups it judged.",
      ),
    );
  }
  if (s.scored > 0) {
    const scores = gates.scores;
    out.push(
      figure(
        scoreDifferencePlot(s.scoreDiff, {
          mean: metric(scores?.metrics, "meanDiff"),
          interval: between(scores?.metrics, "meanDiffLow", "meanDiffHigh"),
          tolerance: scores?.threshold ?? undefined,
        }),
        "Candidate score minus baseline score on the same request; the band is the scores gate's anytime-valid interval for the mean difference.",
      ),
    );
  }
  const joint = pairedScoresPlot(s.joint);
  if (joint) {
    out.push(
      figure(
        joint,
        "Labelled requests by the two versions' scores (darker: more); on the diagonal both scored alike.",
      ),
    );
  }
  if (s.latencyDiff.count > 0) {
    const latency = gates.latency;
    const iv = latency?.interval ?? undefined;
    out.push(
      figure(
        latencyDifferencePlot(s.latencyDiff, {
          quantile: metric(latency?.metrics, "quantile"),
          interval: iv ? [iv[0], iv[1]] : undefined,
          toleratedMs: metric(latency?.metrics, "toleratedIncreaseMs"),
        }),
        "Candidate latency minus baseline latency on the same request, by quantile; the bar is the latency gate's anytime-valid interval for the quantile it judges.",
      ),
    );
    out.push(
      figure(
        latencyCdfPlot(s.baselineLatency, s.candidateLatency),
        "Latency of each version on the same requests; dots mark p50, p95, p99.",
      ),
    );
  }
  return out;
}

export function shadowJudgementBody(view: ShadowView): Html {
  const r = view.response;
  const j = r.judgement;
  const s = view.paired?.summary;
  const figures = plots(view);
  return html`<h1 data-model="${j.model}" data-mode="shadow">${j.model}: ${j.baseline} ⇄ ${j.candidate} (shadow) ${verdictBadge(r.summary.verdict)}</h1>
<p class="reason verdict-${r.summary.verdict}-border" data-reason>${decisiveReason(r)}</p>
<dl class="meta"><dt>judgement</dt><dd>${j.id}</dd><dt>mode</dt><dd>shadow: both versions answered the same requests, paired by id</dd><dt>window</dt><dd>${j.window}</dd><dt>look</dt><dd>${j.look} of run ${j.runKey}</dd><dt>alpha</dt><dd>${j.alpha} (each gate ${fmt(j.gateAlpha, 4)})</dd><dt>score</dt><dd>${r.summary.score}</dd><dt>source</dt><dd>${j.source}</dd><dt>at</dt><dd>${j.at}</dd></dl>
<h2>Gates</h2>${gateTable(r)}
<h2>Agreement</h2>${s ? agreementSection(s, r.gates.agreement, view) : html`<p class="note">No paired requests to show.</p>`}
<h2>Flips per group</h2>${s ? groupTable(groupFlipRates(s, r.gates.fairness?.metrics), r.gates.fairness) : html`<p class="note">No paired requests to show.</p>`}
<h2>Paired tests</h2>${pairedTests(r.gates)}
<h2>Plots</h2>${figures.length > 0 ? html`<div class="plots">${figures}</div>` : html`<p class="note">No data to plot.</p>`}
${view.dataNote ? html`<p class="note">${view.dataNote}</p>` : ""}`;
}

export function shadowJudgementPage(view: ShadowView): string {
  const j = view.response.judgement;
  return page(
    `${view.response.summary.verdict}: ${j.model} ${j.candidate} vs ${j.baseline} (shadow)`,
    shadowJudgementBody(view),
  );
}
