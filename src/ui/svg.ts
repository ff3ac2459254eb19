import { type Html, html, raw } from "./html.js";

/**
 * Small SVG helpers for server-rendered plots: scales, ticks, axes, a frame and a legend. A plot is
 * an `<svg data-plot="…">` whose series are `<g data-series="…">` groups, so both a person (titles
 * on hover, a legend) and a test (data attributes) can read what is drawn. No chart library.
 */
export interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export const FRAME: Frame = { width: 560, height: 260, left: 56, right: 16, top: 28, bottom: 40 };

/** Colours of the two cohorts everywhere (colour-blind safe pair) and of thresholds. */
export const COLORS = { baseline: "#0072b2", candidate: "#e69f00", threshold: "#d55e00", grid: "#ddd" };

export type Scale = ((x: number) => number) & { domain: [number, number]; log: boolean };

function makeScale(domain: [number, number], range: [number, number], log: boolean): Scale {
  let [d0, d1] = log ? [Math.log10(domain[0]), Math.log10(domain[1])] : domain;
  if (!(d1 > d0)) {
    // a single value: give it room so it lands mid-range instead of dividing by zero
    const pad = d0 === 0 ? 1 : Math.abs(d0) * 0.1;
    d0 -= pad;
    d1 += pad;
  }
  const f = ((x: number) => {
    const v = log ? Math.log10(x) : x;
    return range[0] + ((v - d0) / (d1 - d0)) * (range[1] - range[0]);
  }) as Scale;
  f.domain = log ? [10 ** d0, 10 ** d1] : [d0, d1];
  f.log = log;
  return f;
}

export const linearScale = (domain: [number, number], range: [number, number]): Scale =>
  makeScale(domain, range, false);

/** Log10 scale; the domain must be positive. */
export const logScale = (domain: [number, number], range: [number, number]): Scale =>
  makeScale([Math.max(domain[0], 1e-9), Math.max(domain[1], 1e-9)], range, true);

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Number(v.toPrecision(12)));
  }
  return out;
}

/** Powers of ten (and 2×, 5× when few) within a positive range, for log axes. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out.length > 12 ? out.filter((v) => Math.log10(v) % 1 === 0) : out;
}

export const plotX = (f: Frame): [number, number] => [f.left, f.width - f.right];
export const plotY = (f: Frame): [number, number] => [f.height - f.bottom, f.top];

const n2 = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(2)) : 0);

export function tickLabel(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(3)));
}

/** Grid lines, tick labels and axis titles. */
export function axes(
  f: Frame,
  x: Scale,
  y: Scale,
  opts: {
    xLabel: string;
    yLabel: string;
    xTicks?: number[];
    yTicks?: number[];
    xFormat?: (v: number) => string;
  },
): Html {
  const xTicks = opts.xTicks ?? (x.log ? logTicks(...x.domain) : niceTicks(...x.domain));
  const yTicks = opts.yTicks ?? (y.log ? logTicks(...y.domain) : niceTicks(...y.domain, 4));
  const [x0, x1] = plotX(f);
  const [y0, y1] = plotY(f);
  const xFormat = opts.xFormat ?? tickLabel;
  return html`<g class="axes" font-size="11" fill="#444">
${xTicks.map((t) => html`<line x1="${n2(x(t))}" x2="${n2(x(t))}" y1="${y0}" y2="${y1}" stroke="${COLORS.grid}"/><text x="${n2(x(t))}" y="${y0 + 14}" text-anchor="middle">${xFormat(t)}</text>`)}
${yTicks.map((t) => html`<line x1="${x0}" x2="${x1}" y1="${n2(y(t))}" y2="${n2(y(t))}" stroke="${COLORS.grid}"/><text x="${x0 - 4}" y="${n2(y(t)) + 4}" text-anchor="end">${tickLabel(t)}</text>`)}
<line x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}" stroke="#444"/><line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y1}" stroke="#444"/>
<text x="${(x0 + x1) / 2}" y="${f.height - 6}" text-anchor="middle">${opts.xLabel}</text>
<text transform="translate(12 ${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${opts.yLabel}</text>
</g>`;
}

/** An SVG path through points (skips non-finite points by starting a new segment). */
export function pathOf(points: Array<[number, number]>): string {
  let d = "";
  let pen = false;
  for (const [px, py] of points) {
    if (!Number.isFinite(px) || !Number.isFinite(py)) {
      pen = false;
      continue;
    }
    d += `${pen ? "L" : "M"}${n2(px)} ${n2(py)}`;
    pen = true;
  }
  return d;
}

export interface LegendItem {
  label: string;
  color: string;
  dashed?: boolean;
}

export function legend(f: Frame, items: LegendItem[]): Html {
  let x = f.left;
  const parts = items.map((it) => {
    const g = html`<g class="legend-item"><line x1="${x}" x2="${x + 18}" y1="12" y2="12" stroke="${it.color}" stroke-width="3"${raw(it.dashed ? ' stroke-dasharray="4 3"' : "")}/><text x="${x + 22}" y="16" font-size="11">${it.label}</text></g>`;
    x += 30 + it.label.length * 6.2;
    return g;
  });
  return html`<g class="legend">${parts}</g>`;
}

/** The outer element: accessible title and description, a plot name tests select on. */
export function svgPlot(f: Frame, name: string, title: string, body: Html | Html[]): Html {
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="plot" data-plot="${name}" role="img" viewBox="0 0 ${f.width} ${f.height}" width="${f.width}" height="${f.height}" font-family="system-ui, sans-serif"><title>${title}</title>${body}</svg>`;
}

export const num = n2;
