import type { GroupCounts } from "../../sketch/group-counts.js";
import { fmt, type Html, html } from "../html.js";
import { axes, COLORS, FRAME, legend, linearScale, num, plotX, plotY, svgPlot } from "../svg.js";

export interface GroupRate {
  group: string;
  baseline: { rate: number | null; n: number };
  candidate: { rate: number | null; n: number };
}

/** Selection rate (positive decisions / decisions) per group of one attribute, both cohorts. */
export function groupRates(
  baseline: ReadonlyMap<string, GroupCounts> | undefined,
  candidate: ReadonlyMap<string, GroupCounts> | undefined,
): GroupRate[] {
  const names = [...new Set([...(baseline?.keys() ?? []), ...(candidate?.keys() ?? [])])].sort();
  const rate = (g: GroupCounts | undefined) => ({
    rate: g && g.n > 0 ? g.selected / g.n : null,
    n: g?.n ?? 0,
  });
  return names.map((group) => ({
    group,
    baseline: rate(baseline?.get(group)),
    candidate: rate(candidate?.get(group)),
  }));
}

/**
 * Bars of the selection rate per group (baseline and candidate side by side) with the floor line
 * at minParityRatio × the candidate's highest group rate: a candidate bar below it breaks the
 * four-fifths rule. Bars carry `data-group`, `data-rate` and `data-n`.
 */
export function fairnessBarsPlot(attribute: string, rates: GroupRate[], minParityRatio: number): Html {
  const f = FRAME;
  const [x0, x1] = plotX(f);
  const y = linearScale([0, 1], plotY(f));
  const slot = (x1 - x0) / Math.max(1, rates.length);
  const bar = Math.min(28, slot / 3);
  let maxCandidate = 0;
  for (const r of rates)
    if (r.candidate.rate !== null) maxCandidate = Math.max(maxCandidate, r.candidate.rate);
  const floor = minParityRatio * maxCandidate;
  const bars = (["baseline", "candidate"] as const).map((cohort, k) => {
    const color = cohort === "baseline" ? COLORS.baseline : COLORS.candidate;
    return html`<g data-series="${cohort}">${rates.map((r, i) => {
      const { rate, n } = r[cohort];
      if (rate === null) return "";
      const bx = x0 + slot * i + slot / 2 - bar + k * bar;
      const below = cohort === "candidate" && rate < floor;
      return html`<rect data-group="${r.group}" data-rate="${rate.toFixed(6)}" data-n="${n}" x="${num(bx)}" y="${num(y(rate))}" width="${num(bar - 2)}" height="${num(y(0) - y(rate))}" fill="${color}"${below ? html` stroke="${COLORS.threshold}" stroke-width="2"` : ""}><title>${cohort} ${r.group}: ${fmt(rate)} of ${n} decisions positive</title></rect>`;
    })}</g>`;
  });
  const labels = rates.map(
    (r, i) =>
      html`<text x="${num(x0 + slot * i + slot / 2)}" y="${plotY(f)[0] + 14}" text-anchor="middle" font-size="11">${r.group}</text>`,
  );
  return svgPlot(f, "fairness", `Selection rate by ${attribute}`, [
    axes(f, linearScale([0, 1], [x0, x1]), y, { xLabel: attribute, yLabel: "selection rate", xTicks: [] }),
    ...labels,
    ...bars,
    html`<line data-line="floor" data-value="${floor.toFixed(6)}" x1="${x0}" x2="${x1}" y1="${num(y(floor))}" y2="${num(y(floor))}" stroke="${COLORS.threshold}" stroke-width="2" stroke-dasharray="6 3"><title>floor ${fmt(floor)} = ${minParityRatio} × highest candidate rate</title></line>`,
    legend(f, [
      { label: "baseline", color: COLORS.baseline },
      { label: "candidate", color: COLORS.candidate },
      { label: `floor (${minParityRatio} × max)`, color: COLORS.threshold, dashed: true },
    ]),
  ]);
}
