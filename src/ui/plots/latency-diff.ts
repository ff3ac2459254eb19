import type { LatencySketch } from "../../sketch/latency-sketch.js";
import { fmt, type Html, html } from "../html.js";
import { axes, COLORS, FRAME, legend, linearScale, num, pathOf, plotX, plotY, svgPlot } from "../svg.js";

/** Quantile levels of the per-request difference drawn. */
export const DIFF_LEVELS = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99];

/**
 * Quantiles of the per-request latency difference candidate − baseline (ms, any sign) against the
 * quantile level (`data-points`, "q:ms,…"), with the shadow latency gate's anytime-valid interval for
 * its judged quantile as a bar (`data-interval`, `data-low`, `data-high`; an unbounded end is drawn to
 * the frame), the tolerated increase, and 0 (no change).
 */
export function latencyDifferencePlot(
  diff: LatencySketch,
  gate: { quantile?: number; interval?: [number | null, number | null]; toleratedMs?: number },
): Html {
  const f = FRAME;
  const points = DIFF_LEVELS.map((q) => [q, diff.quantile(q)] as const);
  let lo = Math.min(0, ...points.map(([, v]) => v));
  let hi = Math.max(0, ...points.map(([, v]) => v));
  for (const v of [...(gate.interval ?? []), gate.toleratedMs]) {
    if (typeof v === "number" && Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const pad = (hi - lo) * 0.08 || 1;
  const x = linearScale([0, 1], plotX(f));
  const y = linearScale([lo - pad, hi + pad], plotY(f));
  const extras: Html[] = [
    html`<line data-line="zero" x1="${plotX(f)[0]}" x2="${plotX(f)[1]}" y1="${num(y(0))}" y2="${num(y(0))}" stroke="#666"/>`,
  ];
  if (gate.toleratedMs !== undefined && Number.isFinite(gate.toleratedMs)) {
    extras.push(
      html`<line data-line="tolerance" data-value="${gate.toleratedMs}" x1="${plotX(f)[0]}" x2="${plotX(f)[1]}" y1="${num(y(gate.toleratedMs))}" y2="${num(y(gate.toleratedMs))}" stroke="${COLORS.threshold}" stroke-width="2" stroke-dasharray="6 3"><title>tolerated increase +${fmt(gate.toleratedMs, 1)} ms</title></line>`,
    );
  }
  const iv = gate.interval;
  if (gate.quantile !== undefined && iv) {
    const cx = x(gate.quantile);
    const [a, b] = [iv[0] ?? y.domain[0], iv[1] ?? y.domain[1]];
    extras.push(
      html`<g data-interval="judged-quantile" data-quantile="${gate.quantile}" data-low="${iv[0] === null ? "" : num(iv[0])}" data-high="${iv[1] === null ? "" : num(iv[1])}" stroke="${COLORS.candidate}" stroke-width="2"><line x1="${num(cx)}" x2="${num(cx)}" y1="${num(y(a))}" y2="${num(y(b))}"/><line x1="${num(cx - 6)}" x2="${num(cx + 6)}" y1="${num(y(a))}" y2="${num(y(a))}"/><line x1="${num(cx - 6)}" x2="${num(cx + 6)}" y1="${num(y(b))}" y2="${num(y(b))}"/><title>p${Number((gate.quantile * 100).toFixed(3))} of the difference: anytime-valid ${iv[0] === null ? "−∞" : fmt(iv[0], 1)} to ${iv[1] === null ? "+∞" : fmt(iv[1], 1)} ms</title></g>`,
    );
  }
  return svgPlot(f, "latency-diff", "Paired latency difference, candidate − baseline", [
    axes(f, x, y, {
      xLabel: "quantile of the per-request difference",
      yLabel: "candidate − baseline (ms)",
      xTicks: [0, 0.25, 0.5, 0.75, 1],
    }),
    ...extras,
    html`<g data-series="difference" data-count="${diff.count}" data-points="${points.map(([q, v]) => `${q}:${num(v)}`).join(",")}"><path d="${pathOf(points.map(([q, v]) => [x(q), y(v)]))}" fill="none" stroke="${COLORS.candidate}" stroke-width="2"/>${points.map(([q, v]) => html`<circle cx="${num(x(q))}" cy="${num(y(v))}" r="3" fill="${COLORS.candidate}"><title>p${Math.round(q * 100)}: ${fmt(v, 2)} ms</title></circle>`)}</g>`,
    legend(f, [
      { label: "difference by quantile (bar: anytime-valid)", color: COLORS.candidate },
      ...(gate.toleratedMs !== undefined
        ? [{ label: "tolerated increase", color: COLORS.threshold, dashed: true }]
        : []),
    ]),
  ]);
}
