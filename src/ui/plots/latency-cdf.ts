import type { LatencySketch } from "../../sketch/latency-sketch.js";
import { type Html, html } from "../html.js";
import { axes, FRAME, legend, linearScale, logScale, num, pathOf, plotX, plotY, svgPlot } from "../svg.js";
import { latencyLegendItems, latencySeries, sloLine } from "./latency-series.js";

const MARKED = [0.5, 0.95, 0.99];

/**
 * Latency CDFs of both cohorts on a log axis (empirical CDF of the sketch buckets, each bucket at
 * its representative value), with the p50/p95/p99 of each cohort marked (`data-quantiles`) and
 * the SLO, when the gate has one, as a vertical line.
 */
export function latencyCdfPlot(
  baseline: LatencySketch,
  candidate: LatencySketch,
  opts: { sloMs?: number; quantile?: number } = {},
): Html {
  const f = FRAME;
  const series = latencySeries(baseline, candidate);
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const { s } of series) {
    lo = Math.min(lo, Math.max(s.min, 0.01));
    hi = Math.max(hi, s.max);
  }
  if (opts.sloMs !== undefined) hi = Math.max(hi, opts.sloMs);
  if (!(hi > 0)) [lo, hi] = [1, 10];
  const x = logScale([lo / 1.2, hi * 1.2], plotX(f));
  const yLin = linearScale([0, 1], plotY(f));
  const body = series.map(({ name, s, color }) => {
    const pts: Array<[number, number]> = [];
    let seen = 0;
    for (const [v, c] of s.buckets()) {
      const px = x(Math.max(v, lo / 1.2));
      pts.push([px, yLin(seen / s.count)]);
      seen += c;
      pts.push([px, yLin(seen / s.count)]);
    }
    const qs = MARKED.map((q) => [q, s.quantile(q)] as const);
    return html`<g data-series="${name}" data-count="${s.count}" data-quantiles="${qs.map(([q, v]) => `${q}:${num(v)}`).join(",")}"><path d="${pathOf(pts)}" fill="none" stroke="${color}" stroke-width="2"/>${qs.map(([q, v]) => html`<circle cx="${num(x(Math.max(v, lo / 1.2)))}" cy="${num(yLin(q))}" r="3.5" fill="${color}"><title>${name} p${Math.round(q * 100)} = ${num(v)} ms</title></circle>`)}</g>`;
  });
  const extras: Html[] = [];
  if (opts.quantile !== undefined) {
    extras.push(
      html`<line data-line="quantile" x1="${plotX(f)[0]}" x2="${plotX(f)[1]}" y1="${num(yLin(opts.quantile))}" y2="${num(yLin(opts.quantile))}" stroke="#888" stroke-dasharray="3 3"><title>judged quantile ${opts.quantile}</title></line>`,
    );
  }
  if (opts.sloMs !== undefined) {
    extras.push(sloLine(opts.sloMs, num(x(opts.sloMs)), num(x(opts.sloMs)), plotY(f)[0], plotY(f)[1]));
  }
  return svgPlot(f, "latency", "Latency CDF, baseline vs candidate", [
    axes(f, x, yLin, {
      xLabel: "latency (ms, log scale)",
      yLabel: "fraction ≤ latency",
      yTicks: [0, 0.25, 0.5, 0.75, 1],
    }),
    ...extras,
    ...body,
    legend(f, latencyLegendItems(opts.sloMs)),
  ]);
}
