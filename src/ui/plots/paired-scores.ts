import type { JointHistogram } from "../../shadow/joint-histogram.js";
import type { ScoreHistogram } from "../../sketch/score-histogram.js";
import { fmt, type Html, html } from "../html.js";
import { axes, COLORS, FRAME, type Frame, legend, linearScale, num, plotX, plotY, svgPlot } from "../svg.js";

const MAX_BARS = 50;

/**
 * The part of the paired difference histogram (symmetric about 0) that holds data: the smallest
 * range [−k·w, k·w] (w = bin width, k ≥ 5) covering every non-empty bin, merged into ≤ 50 bars of
 * equal width. Two similar models put nearly all differences near 0, so the full [−1, 1] would be one bar.
 */
export function zoomedDifferenceBins(h: ScoreHistogram): { edges: number[]; counts: number[] } {
  const centre = Math.floor(h.bins / 2);
  let first = -1;
  let last = -1;
  for (let i = 0; i < h.bins; i++) {
    if (h.counts[i] === 0) continue;
    if (first === -1) first = i;
    last = i;
  }
  const half = Math.min(
    centre,
    h.bins - centre,
    first === -1 ? 5 : Math.max(5, centre - first, last + 1 - centre),
  );
  let per = Math.ceil((2 * half) / MAX_BARS);
  while ((2 * half) % per !== 0 && per < 2 * half) per++;
  const edges: number[] = [];
  const counts: number[] = [];
  for (let i = centre - half; i < centre + half; i += per) {
    let c = 0;
    for (let j = i; j < i + per; j++) c += h.counts[j];
    edges.push(h.edge(i));
    counts.push(c);
  }
  edges.push(h.edge(centre + half));
  return { edges, counts };
}

/**
 * Histogram of the per-request score difference candidate − baseline (`data-counts`, `data-edges`,
 * `data-total`), with the scores gate's mean difference and its anytime-valid interval
 * (`data-interval="mean"`), the tolerance ±maxMeanShift, and 0.
 */
export function scoreDifferencePlot(
  h: ScoreHistogram,
  gate: { mean?: number; interval?: [number, number]; tolerance?: number },
): Html {
  const f = FRAME;
  const { edges, counts } = zoomedDifferenceBins(h);
  const total = counts.reduce((s, c) => s + c, 0);
  let lo = edges[0];
  let hi = edges.at(-1)!;
  for (const v of [...(gate.interval ?? []), gate.tolerance ?? 0, -(gate.tolerance ?? 0)]) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const x = linearScale([lo, hi], plotX(f));
  const top = Math.max(...counts.map((c) => (total > 0 ? c / total : 0)), 0.01);
  const y = linearScale([0, top * 1.1], plotY(f));
  const bars = counts.map(
    (c, k) =>
      html`<rect x="${num(x(edges[k]))}" y="${num(y(total > 0 ? c / total : 0))}" width="${num(Math.max(0.5, x(edges[k + 1]) - x(edges[k]) - 1))}" height="${num(y(0) - y(total > 0 ? c / total : 0))}" fill="${COLORS.candidate}"><title>${fmt(edges[k])} to ${fmt(edges[k + 1])}: ${c} requests</title></rect>`,
  );
  const marks: Html[] = [
    html`<line data-line="zero" x1="${num(x(0))}" x2="${num(x(0))}" y1="${plotY(f)[0]}" y2="${plotY(f)[1]}" stroke="#666"/>`,
  ];
  if (gate.tolerance !== undefined) {
    for (const t of [-gate.tolerance, gate.tolerance]) {
      marks.push(
        html`<line data-line="tolerance" data-value="${t}" x1="${num(x(t))}" x2="${num(x(t))}" y1="${plotY(f)[0]}" y2="${plotY(f)[1]}" stroke="${COLORS.threshold}" stroke-width="2" stroke-dasharray="6 3"><title>tolerated mean shift ${fmt(t)}</title></line>`,
      );
    }
  }
  if (gate.mean !== undefined && gate.interval) {
    const [a, b] = gate.interval;
    marks.push(
      html`<g data-interval="mean" data-value="${gate.mean.toFixed(6)}" data-low="${a.toFixed(6)}" data-high="${b.toFixed(6)}"><rect x="${num(x(a))}" width="${num(Math.max(1, x(b) - x(a)))}" y="${plotY(f)[1]}" height="${plotY(f)[0] - plotY(f)[1]}" fill="${COLORS.baseline}" fill-opacity="0.15"/><line x1="${num(x(gate.mean))}" x2="${num(x(gate.mean))}" y1="${plotY(f)[0]}" y2="${plotY(f)[1]}" stroke="${COLORS.baseline}" stroke-width="2"/><title>mean difference ${fmt(gate.mean, 4)}, anytime-valid ${fmt(a, 4)} to ${fmt(b, 4)}</title></g>`,
    );
  }
  return svgPlot(f, "score-diff", "Paired score difference, candidate − baseline", [
    axes(f, x, y, { xLabel: "candidate − baseline score, same request", yLabel: "share of pairs" }),
    html`<g data-series="difference" data-total="${total}" data-counts="${counts.join(",")}" data-edges="${edges.map((e) => Number(e.toFixed(6))).join(",")}">${bars}</g>`,
    ...marks,
    legend(f, [
      { label: `pairs (n=${total})`, color: COLORS.candidate },
      { label: "mean (band: anytime-valid)", color: COLORS.baseline },
      ...(gate.tolerance !== undefined
        ? [{ label: "tolerance", color: COLORS.threshold, dashed: true }]
        : []),
    ]),
  ]);
}

const SQUARE: Frame = { width: 320, height: 320, left: 52, right: 16, top: 28, bottom: 40 };

/**
 * The labelled pairs' scores, baseline (x) against candidate (y), as a heat map of the joint histogram
 * paired DeLong reads, merged to a 20 × 20 grid; the diagonal is "same score". Cells carry `data-count`;
 * the plot carries `data-total`. Undefined when no pair is labelled.
 */
export function pairedScoresPlot(joint: JointHistogram): Html | undefined {
  const total = joint.total;
  if (total === 0) return undefined;
  const f = SQUARE;
  const display = joint.grid % 20 === 0 ? 20 : joint.grid;
  const per = joint.grid / display;
  const cells = new Map<number, number>();
  for (const side of [joint.positive, joint.negative]) {
    for (const [k, c] of side) {
      const i = Math.floor(Math.floor(k / joint.grid) / per);
      const j = Math.floor((k % joint.grid) / per);
      cells.set(i * display + j, (cells.get(i * display + j) ?? 0) + c);
    }
  }
  const x = linearScale([joint.lo, joint.hi], plotX(f));
  const y = linearScale([joint.lo, joint.hi], plotY(f));
  const w = (joint.hi - joint.lo) / display;
  const most = Math.max(...cells.values());
  const rects = [...cells].map(([key, c]) => {
    const i = Math.floor(key / display);
    const j = key % display;
    const opacity = 0.15 + 0.85 * (Math.log1p(c) / Math.log1p(most));
    return html`<rect data-count="${c}" x="${num(x(joint.lo + i * w))}" y="${num(y(joint.lo + (j + 1) * w))}" width="${num(x(joint.lo + w) - x(joint.lo))}" height="${num(y(joint.lo) - y(joint.lo + w))}" fill="${COLORS.candidate}" fill-opacity="${opacity.toFixed(3)}"><title>baseline ${fmt(joint.lo + i * w, 2)}–${fmt(joint.lo + (i + 1) * w, 2)}, candidate ${fmt(joint.lo + j * w, 2)}–${fmt(joint.lo + (j + 1) * w, 2)}: ${c} labelled requests</title></rect>`;
  });
  return svgPlot(f, "paired-scores", "Scores of the same labelled requests, baseline vs candidate", [
    axes(f, x, y, { xLabel: "baseline score", yLabel: "candidate score" }),
    html`<g data-series="pairs" data-total="${total}">${rects}</g>`,
    html`<line data-line="diagonal" x1="${num(x(joint.lo))}" y1="${num(y(joint.lo))}" x2="${num(x(joint.hi))}" y2="${num(y(joint.hi))}" stroke="#666" stroke-dasharray="4 4"/>`,
  ]);
}
