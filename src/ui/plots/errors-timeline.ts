import { fmt, type Html, html } from "../html.js";
import { axes, COLORS, FRAME, legend, linearScale, num, pathOf, plotX, plotY, svgPlot } from "../svg.js";

export interface ErrorCounts {
  events: number;
  errors: number;
}

/** One slice of the window: [start, end) in epoch ms, or in row numbers for an offline file. */
export interface TimeSlice {
  start: number;
  end: number;
  baseline: ErrorCounts;
  candidate: ErrorCounts;
}

export interface Timeline {
  axis: "time" | "row";
  slices: TimeSlice[];
}

/**
 * Error rate per slice for both cohorts; slices without events leave a gap. Each series carries
 * its per-slice counts (`data-errors`, `data-events`).
 */
export function errorsTimelinePlot(timeline: Timeline): Html {
  const f = FRAME;
  const { slices } = timeline;
  const lo = slices[0]?.start ?? 0;
  const hi = slices.at(-1)?.end ?? 1;
  const x = linearScale([lo, hi], plotX(f));
  let top = 0;
  for (const s of slices) {
    for (const c of [s.baseline, s.candidate]) if (c.events > 0) top = Math.max(top, c.errors / c.events);
  }
  const y = linearScale([0, top > 0 ? Math.min(1, top * 1.15) : 0.01], plotY(f));
  const mid = (s: TimeSlice) => (s.start + s.end) / 2;
  const body = (["baseline", "candidate"] as const).map((cohort) => {
    const color = cohort === "baseline" ? COLORS.baseline : COLORS.candidate;
    const pts: Array<[number, number]> = slices.map((s) =>
      s[cohort].events > 0 ? [x(mid(s)), y(s[cohort].errors / s[cohort].events)] : [Number.NaN, Number.NaN],
    );
    return html`<g data-series="${cohort}" data-errors="${slices.map((s) => s[cohort].errors).join(",")}" data-events="${slices.map((s) => s[cohort].events).join(",")}"><path d="${pathOf(pts)}" fill="none" stroke="${color}" stroke-width="2"/>${slices.map(
      (s) =>
        s[cohort].events > 0
          ? html`<circle cx="${num(x(mid(s)))}" cy="${num(y(s[cohort].errors / s[cohort].events))}" r="3" fill="${color}"><title>${cohort}: ${s[cohort].errors} errors in ${s[cohort].events} events (${fmt((100 * s[cohort].errors) / s[cohort].events, 2)}%)</title></circle>`
          : "",
    )}</g>`;
  });
  const time = timeline.axis === "time";
  const span = hi - lo;
  const xFormat = time
    ? (v: number) =>
        new Date(v).toISOString().slice(span > 2 * 86_400_000 ? 5 : 11, span > 2 * 86_400_000 ? 10 : 16)
    : (v: number) => String(Math.round(v));
  return svgPlot(f, "errors", "Error rate over the window", [
    axes(f, x, y, {
      xLabel: time ? "time (UTC)" : "row of the predictions file",
      yLabel: "error rate",
      xFormat,
    }),
    ...body,
    legend(f, [
      { label: "baseline", color: COLORS.baseline },
      { label: "candidate", color: COLORS.candidate },
    ]),
  ]);
}
