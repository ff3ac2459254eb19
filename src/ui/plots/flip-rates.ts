import type { PairedSummary } from "../../shadow/paired-summary.js";
import { fmt, type Html, html } from "../html.js";
import { axes, COLORS, FRAME, legend, linearScale, num, plotX, plotY, svgPlot } from "../svg.js";

export interface GroupFlipRate {
  attribute: string;
  value: string;
  /** paired requests of the group with both decisions */
  n: number;
  /** baseline 0 → candidate 1, and 1 → 0 */
  flipsUp: number;
  flipsDown: number;
  /** (flipsUp + flipsDown) / n; null without paired decisions */
  rate: number | null;
  /** the shadow fairness gate's anytime-valid interval for the group's flip rate, when it judged the group */
  interval?: [number, number];
}

const pair = (x: unknown): [number, number] | undefined =>
  Array.isArray(x) && x.length === 2 && x.every((v) => typeof v === "number" && Number.isFinite(v))
    ? [x[0], x[1]]
    : undefined;

/**
 * Flip rate of every group of every attribute from the paired summary, with the interval the shadow
 * fairness gate recorded for it (`metrics.groups["attribute=value"].flipRateInterval`) when it judged it.
 */
export function groupFlipRates(
  summary: PairedSummary,
  fairnessMetrics?: Record<string, unknown>,
): GroupFlipRate[] {
  const judged = (fairnessMetrics?.groups ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const out: GroupFlipRate[] = [];
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  for (const attribute of [...summary.groups.keys()].sort(byName)) {
    const values = summary.groups.get(attribute)!;
    for (const value of [...values.keys()].sort(byName)) {
      const g = values.get(value)!;
      const interval = Object.hasOwn(judged, `${attribute}=${value}`)
        ? pair(judged[`${attribute}=${value}`]?.flipRateInterval)
        : undefined;
      out.push({
        attribute,
        value,
        n: g.n,
        flipsUp: g.flipsUp,
        flipsDown: g.flipsDown,
        rate: g.n > 0 ? (g.flipsUp + g.flipsDown) / g.n : null,
        ...(interval ? { interval } : {}),
      });
    }
  }
  return out;
}

/**
 * Flip rate per group as bars (`data-group`, `data-rate`, `data-n`, `data-flips-up`, `data-flips-down`),
 * each judged group's anytime-valid interval as a whisker (`data-low`, `data-high`), the overall flip
 * rate as a line with the agreement gate's interval as a band, and the tolerated flip rate.
 */
export function flipRatesPlot(
  groups: GroupFlipRate[],
  overall: { rate: number; interval?: [number, number]; tolerance?: number },
): Html {
  const f = FRAME;
  const [x0, x1] = plotX(f);
  let top = Math.max(overall.rate, overall.interval?.[1] ?? 0, overall.tolerance ?? 0);
  for (const g of groups) top = Math.max(top, g.rate ?? 0, g.interval?.[1] ?? 0);
  const y = linearScale([0, Math.min(1, Math.max(0.01, top * 1.15))], plotY(f));
  const slot = (x1 - x0) / Math.max(1, groups.length);
  const bar = Math.min(36, slot * 0.6);
  const bars = groups.map((g, i) => {
    const cx = x0 + slot * (i + 0.5);
    const name = `${g.attribute}=${g.value}`;
    const rate = g.rate ?? 0;
    const whisker = g.interval
      ? html`<g data-interval="group" data-low="${g.interval[0].toFixed(6)}" data-high="${g.interval[1].toFixed(6)}" stroke="#333" stroke-width="1.5"><line x1="${num(cx)}" x2="${num(cx)}" y1="${num(y(g.interval[0]))}" y2="${num(y(g.interval[1]))}"/><line x1="${num(cx - 5)}" x2="${num(cx + 5)}" y1="${num(y(g.interval[0]))}" y2="${num(y(g.interval[0]))}"/><line x1="${num(cx - 5)}" x2="${num(cx + 5)}" y1="${num(y(g.interval[1]))}" y2="${num(y(g.interval[1]))}"/></g>`
      : "";
    return html`<g data-group="${name}" data-rate="${g.rate === null ? "" : rate.toFixed(6)}" data-n="${g.n}" data-flips-up="${g.flipsUp}" data-flips-down="${g.flipsDown}"><rect x="${num(cx - bar / 2)}" y="${num(y(rate))}" width="${num(bar)}" height="${num(y(0) - y(rate))}" fill="${COLORS.candidate}"><title>${name}: ${fmt(rate * 100, 2)}% of ${g.n} paired decisions flipped (${g.flipsUp} 0→1, ${g.flipsDown} 1→0)${g.interval ? `; anytime-valid ${fmt(g.interval[0] * 100, 2)}–${fmt(g.interval[1] * 100, 2)}%` : "; not judged (too few pairs)"}</title></rect>${whisker}<text x="${num(cx)}" y="${plotY(f)[0] + 14}" text-anchor="middle" font-size="10">${name}</text></g>`;
  });
  const band = overall.interval
    ? html`<rect data-interval="overall" data-low="${overall.interval[0].toFixed(6)}" data-high="${overall.interval[1].toFixed(6)}" x="${x0}" width="${x1 - x0}" y="${num(y(overall.interval[1]))}" height="${num(y(overall.interval[0]) - y(overall.interval[1]))}" fill="${COLORS.baseline}" fill-opacity="0.12"/>`
    : html``;
  const tolerance =
    overall.tolerance !== undefined
      ? html`<line data-line="tolerance" data-value="${overall.tolerance}" x1="${x0}" x2="${x1}" y1="${num(y(overall.tolerance))}" y2="${num(y(overall.tolerance))}" stroke="${COLORS.threshold}" stroke-width="2" stroke-dasharray="6 3"><title>tolerated flip rate ${fmt(overall.tolerance * 100, 2)}%</title></line>`
      : html``;
  return svgPlot(f, "flip-rates", "Decision flip rate per group", [
    axes(f, linearScale([0, 1], [x0, x1]), y, { xLabel: "group", yLabel: "flip rate", xTicks: [] }),
    band,
    html`<line data-line="overall" data-value="${overall.rate.toFixed(6)}" x1="${x0}" x2="${x1}" y1="${num(y(overall.rate))}" y2="${num(y(overall.rate))}" stroke="${COLORS.baseline}" stroke-width="2"><title>all paired decisions: ${fmt(overall.rate * 100, 2)}% flipped</title></line>`,
    tolerance,
    ...bars,
    legend(f, [
      { label: "group (whisker: anytime-valid)", color: COLORS.candidate },
      { label: "all pairs (band)", color: COLORS.baseline },
      ...(overall.tolerance !== undefined
        ? [{ label: "tolerated", color: COLORS.threshold, dashed: true }]
        : []),
    ]),
  ]);
}
