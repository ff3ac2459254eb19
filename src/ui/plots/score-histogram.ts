import type { ScoreHistogram } from "../../sketch/score-histogram.js";
import { type Html, html } from "../html.js";
import { axes, COLORS, FRAME, legend, linearScale, num, pathOf, plotX, plotY, svgPlot } from "../svg.js";

/** At most this many bars are drawn: adjacent bins are merged (200 bins are too thin to read). */
const MAX_DISPLAY_BINS = 50;

/** Counts of `h` merged into ≤ MAX_DISPLAY_BINS equal display bins over [lo, hi]. */
export function displayBins(
  h: ScoreHistogram,
  max = MAX_DISPLAY_BINS,
): { edges: number[]; counts: number[] } {
  let per = 1;
  while (h.bins / per > max || h.bins % per !== 0) per++;
  const counts: number[] = [];
  for (let i = 0; i < h.bins; i += per) {
    let c = 0;
    for (let j = i; j < i + per; j++) c += h.counts[j];
    counts.push(c);
  }
  const edges = counts.map((_, k) => h.edge(k * per));
  edges.push(h.hi);
  return { edges, counts };
}

/**
 * Baseline vs candidate score distributions as step outlines of the share of each cohort per bin,
 * so cohorts of different sizes compare. Each series carries its raw display-bin counts
 * (`data-counts`) and total (`data-total`).
 */
export function scoreHistogramPlot(baseline: ScoreHistogram, candidate: ScoreHistogram): Html {
  const f = FRAME;
  const series = [
    { name: "baseline", h: baseline, color: COLORS.baseline },
    { name: "candidate", h: candidate, color: COLORS.candidate },
  ].map((s) => ({ ...s, ...displayBins(s.h), total: s.h.total }));
  const share = (c: number, total: number) => (total > 0 ? c / total : 0);
  let top = 0;
  for (const s of series) for (const c of s.counts) top = Math.max(top, share(c, s.total));
  const x = linearScale([baseline.lo, baseline.hi], plotX(f));
  const y = linearScale([0, top > 0 ? top * 1.1 : 1], plotY(f));
  const body = series.map((s) => {
    const pts: Array<[number, number]> = [[x(s.edges[0]), y(0)]];
    s.counts.forEach((c, k) => {
      const v = y(share(c, s.total));
      pts.push([x(s.edges[k]), v], [x(s.edges[k + 1]), v]);
    });
    pts.push([x(s.edges.at(-1)!), y(0)]);
    return html`<g data-series="${s.name}" data-total="${s.total}" data-counts="${s.counts.join(",")}"><path d="${pathOf(pts)}" fill="${s.color}" fill-opacity="0.15" stroke="${s.color}" stroke-width="1.5"><title>${s.name}: ${s.total} scores</title></path></g>`;
  });
  return svgPlot(f, "scores", "Score distribution, baseline vs candidate", [
    axes(f, x, y, { xLabel: "score", yLabel: "share of cohort" }),
    ...body,
    legend(f, [
      { label: `baseline (n=${num(series[0].total)})`, color: COLORS.baseline },
      { label: `candidate (n=${num(series[1].total)})`, color: COLORS.candidate },
    ]),
  ]);
}
