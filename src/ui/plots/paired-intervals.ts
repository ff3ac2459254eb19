import type { GateResult } from "../../gates/gate.js";
import { fmt, type Html, html } from "../html.js";
import { COLORS, type Frame, num, svgPlot, tickLabel } from "../svg.js";

export interface IntervalRow {
  gate: string;
  label: string;
  value: number;
  interval: [number, number];
  /** tolerance marks (two for a tolerance on both sides) */
  thresholds: number[];
  verdict: GateResult["verdict"];
}

/** What each shadow gate's interval is about, and whether its tolerance holds on both sides. */
const ROWS: Record<string, { label: string; twoSided?: boolean }> = {
  agreement: { label: "flip rate (agreement)" },
  fairness: { label: "flip-rate gap of the decisive group" },
  scores: { label: "mean score difference", twoSided: true },
  latency: { label: "latency difference (ms)" },
  accuracy: { label: "accuracy difference (McNemar pairs)" },
  auc: { label: "AUC difference (paired DeLong)" },
  errors: { label: "error-rate increase (McNemar pairs)" },
};

/** The gates whose anytime-valid interval is finite at both ends, in the judgement's order. */
export function intervalRows(gates: Record<string, GateResult>): IntervalRow[] {
  const out: IntervalRow[] = [];
  for (const [gate, g] of Object.entries(gates)) {
    const iv = g.interval;
    if (!iv?.every((v) => typeof v === "number" && Number.isFinite(v))) continue;
    if (typeof g.value !== "number" || !Number.isFinite(g.value)) continue;
    const meta = ROWS[gate] ?? { label: gate };
    const t = g.threshold;
    const thresholds = typeof t === "number" && Number.isFinite(t) ? (meta.twoSided ? [-t, t] : [t]) : [];
    out.push({
      gate,
      label: meta.label,
      value: g.value,
      interval: [iv[0], iv[1]],
      thresholds,
      verdict: g.verdict,
    });
  }
  return out;
}

const ROW_HEIGHT = 40;
const LABEL_WIDTH = 230;

/**
 * One row per gate: its decisive statistic, the anytime-valid interval the verdict was read from, its
 * tolerance (vermilion) and 0 (grey), each row on its own scale (the statistics have different units).
 * Rows carry `data-gate`, `data-value`, `data-low`, `data-high`, `data-verdict`.
 */
export function pairedIntervalsPlot(rows: IntervalRow[]): Html {
  const f: Frame = {
    width: 560,
    height: 36 + ROW_HEIGHT * Math.max(1, rows.length),
    left: LABEL_WIDTH,
    right: 24,
    top: 24,
    bottom: 12,
  };
  const x0 = f.left;
  const x1 = f.width - f.right;
  const body = rows.map((r, k) => {
    const values = [r.value, ...r.interval, ...r.thresholds, 0];
    let lo = Math.min(...values);
    let hi = Math.max(...values);
    const pad = (hi - lo) * 0.08 || 1e-3;
    lo -= pad;
    hi += pad;
    const x = (v: number) => x0 + ((v - lo) / (hi - lo)) * (x1 - x0);
    const cy = f.top + ROW_HEIGHT * k + ROW_HEIGHT / 2;
    const colour = r.verdict === "fail" ? "#cf222e" : r.verdict === "pass" ? "#1a7f37" : "#9a6700";
    return html`<g data-gate="${r.gate}" data-value="${r.value.toFixed(6)}" data-low="${r.interval[0].toFixed(6)}" data-high="${r.interval[1].toFixed(6)}" data-verdict="${r.verdict}">
<text x="${x0 - 8}" y="${num(cy + 4)}" text-anchor="end" font-size="11">${r.label}</text>
<line x1="${x0}" x2="${x1}" y1="${num(cy + 12)}" y2="${num(cy + 12)}" stroke="#ddd"/>
<text x="${x0}" y="${num(cy + 22)}" font-size="9" fill="#666">${tickLabel(lo)}</text><text x="${x1}" y="${num(cy + 22)}" font-size="9" fill="#666" text-anchor="end">${tickLabel(hi)}</text>
<line data-line="zero" x1="${num(x(0))}" x2="${num(x(0))}" y1="${num(cy - 12)}" y2="${num(cy + 12)}" stroke="#999"/>
${r.thresholds.map((t) => html`<line data-line="tolerance" data-value="${t}" x1="${num(x(t))}" x2="${num(x(t))}" y1="${num(cy - 12)}" y2="${num(cy + 12)}" stroke="${COLORS.threshold}" stroke-width="2" stroke-dasharray="4 2"/>`)}
<line x1="${num(x(r.interval[0]))}" x2="${num(x(r.interval[1]))}" y1="${num(cy)}" y2="${num(cy)}" stroke="${colour}" stroke-width="3"/>
<circle cx="${num(x(r.value))}" cy="${num(cy)}" r="4" fill="${colour}"/>
<title>${r.gate}: ${fmt(r.value, 4)}, anytime-valid ${fmt(r.interval[0], 4)} to ${fmt(r.interval[1], 4)}; tolerance ${r.thresholds.map((t) => fmt(t, 4)).join(" / ") || "–"} (${r.verdict})</title></g>`;
  });
  return svgPlot(f, "paired-intervals", "Anytime-valid intervals of the shadow gates", [
    html`<text x="8" y="14" font-size="11" fill="#444">each row on its own scale · bar: anytime-valid interval · dashed: tolerance · grey: 0</text>`,
    ...body,
  ]);
}
