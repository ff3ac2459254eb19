import type { LatencySketch } from "../../sketch/latency-sketch.js";
import { type Html, html } from "../html.js";
import { COLORS, type LegendItem } from "../svg.js";

/**
 * What the two latency plots (latency-cdf.ts, latency-quantiles.ts) draw alike: one series per cohort
 * that has latency samples, and the SLO as a dashed threshold line with its legend entry. Only the
 * axes differ (the SLO is vertical on the CDF, horizontal on the quantile curves), so the line takes
 * its end points already placed.
 */
export function latencySeries(baseline: LatencySketch, candidate: LatencySketch) {
  return [
    { name: "baseline", s: baseline, color: COLORS.baseline },
    { name: "candidate", s: candidate, color: COLORS.candidate },
  ].filter((x) => x.s.count > 0);
}

type Coordinate = number | string;

/** The SLO line from (x1, y1) to (x2, y2), selectable as `data-line="slo"` with its value. */
export function sloLine(sloMs: number, x1: Coordinate, x2: Coordinate, y1: Coordinate, y2: Coordinate): Html {
  return html`<line data-line="slo" data-value="${sloMs}" x1="${x1}" x2="${x2}" y1="${y1}" y2="${y2}" stroke="${COLORS.threshold}" stroke-width="2" stroke-dasharray="6 3"><title>SLO ${sloMs} ms</title></line>`;
}

/** Legend of both cohorts (the candidate's label may say more), plus the SLO when there is one. */
export function latencyLegendItems(sloMs: number | undefined, candidateLabel = "candidate"): LegendItem[] {
  return [
    { label: "baseline", color: COLORS.baseline },
    { label: candidateLabel, color: COLORS.candidate },
    ...(sloMs !== undefined ? [{ label: `SLO ${sloMs} ms`, color: COLORS.threshold, dashed: true }] : []),
  ];
}
