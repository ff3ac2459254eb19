import type { LatencySketch } from "../../sketch/latency-sketch.js";
import { fmt, type Html, html } from "../html.js";
import {
  axes,
  COLORS,
  FRAME,
  legend,
  linearScale,
  logScale,
  num,
  pathOf,
  plotX,
  plotY,
  svgPlot,
} from "../svg.js";
import { latencyLegendItems, latencySeries, sloLine } from "./latency-series.js";

/** Quantile levels drawn, and the x position of level q: −log10(1 − q), so p50, p90, p99, p99.9 are evenly spaced. */
export const LEVELS = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.925, 0.95, 0.975, 0.99, 0.995, 0.999];
const tail = (q: number) => -Math.log10(1 - q);
const TICKS: Array<[number, string]> = [
  [0.5, "p50"],
  [0.9, "p90"],
  [0.99, "p99"],
  [0.999, "p99.9"],
];

/**
 * Latency quantile curves of both cohorts (log latency against the tail level), with the latency
 * gate's anytime-valid interval for the candidate's judged quantile as a bar (`data-interval`) and
 * the SLO as a horizontal line. Each series carries its quantiles (`data-points`, "q:ms,…").
 */
export function latencyQuantilesPlot(
  baseline: LatencySketch,
  candidate: LatencySketch,
  opts: { quantile?: number; candidateInterval?: [number, number]; sloMs?: number } = {},
): Html {
  const f = FRAME;
  const series = latencySeries(baseline, candidate).map((x) => ({
    ...x,
    points: LEVELS.map((q) => [q, x.s.quantile(q)] as const),
  }));
  let lo = Number.POSITIVE_INFINITY;
  let hi = 0;
  for (const s of series)
    for (const [, v] of s.points) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  for (const v of [...(opts.candidateInterval ?? []), opts.sloMs ?? Number.NaN]) {
    if (Number.isFinite(v) && v > 0) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!(hi > 0)) [lo, hi] = [1, 10];
  const x = linearScale([tail(LEVELS[0]), tail(LEVELS.at(-1)!)], plotX(f));
  const y = logScale([Math.max(lo, 0.01) / 1.2, hi * 1.2], plotY(f));
  const body = series.map(
    ({ name, points, color }) =>
      html`<g data-series="${name}" data-points="${points.map(([q, v]) => `${q}:${num(v)}`).join(",")}"><path d="${pathOf(points.map(([q, v]) => [x(tail(q)), y(Math.max(v, y.domain[0]))]))}" fill="none" stroke="${color}" stroke-width="2"/>${points.map(([q, v]) => html`<circle cx="${num(x(tail(q)))}" cy="${num(y(Math.max(v, y.domain[0])))}" r="2.5" fill="${color}"><title>${name} p${Number((q * 100).toFixed(1))} = ${fmt(v, 1)} ms</title></circle>`)}</g>`,
  );
  const extras: Html[] = [];
  const ci = opts.candidateInterval;
  if (opts.quantile !== undefined && ci && ci[0] > 0 && ci[1] >= ci[0]) {
    const cx = x(tail(Math.min(Math.max(opts.quantile, LEVELS[0]), LEVELS.at(-1)!)));
    extras.push(
      html`<g data-interval="candidate-quantile" data-low="${num(ci[0])}" data-high="${num(ci[1])}" stroke="${COLORS.candidate}" stroke-width="2"><line x1="${num(cx)}" x2="${num(cx)}" y1="${num(y(ci[0]))}" y2="${num(y(ci[1]))}"/><line x1="${num(cx - 6)}" x2="${num(cx + 6)}" y1="${num(y(ci[0]))}" y2="${num(y(ci[0]))}"/><line x1="${num(cx - 6)}" x2="${num(cx + 6)}" y1="${num(y(ci[1]))}" y2="${num(y(ci[1]))}"/><title>candidate p${Number((opts.quantile * 100).toFixed(1))}: anytime-valid interval ${fmt(ci[0], 1)}–${fmt(ci[1], 1)} ms</title></g>`,
    );
  }
  if (opts.sloMs !== undefined && opts.sloMs > 0) {
    extras.push(sloLine(opts.sloMs, plotX(f)[0], plotX(f)[1], num(y(opts.sloMs)), num(y(opts.sloMs))));
  }
  return svgPlot(f, "latency-quantiles", "Latency quantiles, baseline vs candidate", [
    axes(f, x, y, {
      xLabel: "quantile (tail to the right)",
      yLabel: "latency (ms, log scale)",
      xTicks: TICKS.map(([q]) => tail(q)),
      xFormat: (v) => TICKS.find(([q]) => Math.abs(tail(q) - v) < 1e-9)?.[1] ?? "",
    }),
    ...body,
    ...extras,
    legend(f, latencyLegendItems(opts.sloMs, "candidate (bar: anytime-valid interval)")),
  ]);
}
