import type { ScoreHistogram } from "../../sketch/score-histogram.js";
import { fmt, type Html, html } from "../html.js";
import { axes, COLORS, FRAME, legend, linearScale, num, pathOf, plotX, plotY, svgPlot } from "../svg.js";

export interface RocCurve {
  /** false and true positive rates at thresholds "score ≥ lower edge of bin i", i from the top */
  fpr: number[];
  tpr: number[];
  /** trapezoidal area: P(positive > negative) + ½ P(same bin), the binned AUC */
  auc: number;
}

/**
 * ROC curve from the label-split score histograms (no raw scores are kept). Thresholds are the bin
 * edges, so the curve is exact for the binned scores and its area is the binned AUC. O(bins).
 * Undefined when either class is empty.
 */
export function rocFromBins(positives: ScoreHistogram, negatives: ScoreHistogram): RocCurve | undefined {
  const p = positives.total;
  const n = negatives.total;
  if (!(p > 0 && n > 0)) return undefined;
  const fpr = [0];
  const tpr = [0];
  let tp = 0;
  let fp = 0;
  let auc = 0;
  for (let i = positives.bins - 1; i >= 0; i--) {
    const dp = positives.counts[i];
    const dn = negatives.counts[i];
    if (dp === 0 && dn === 0) continue;
    auc += (dn / n) * ((tp + dp / 2) / p);
    tp += dp;
    fp += dn;
    fpr.push(fp / n);
    tpr.push(tp / p);
  }
  return { fpr, tpr, auc };
}

export interface RocInterval {
  /** candidate AUC interval and baseline−candidate difference interval from the auc gate */
  candidateAuc?: [number, number];
  aucDelta?: [number, number];
}

/** Baseline and candidate ROC curves, the chance diagonal, and the AUCs with the gate's intervals. */
export function rocPlot(
  baseline: { positives: ScoreHistogram; negatives: ScoreHistogram },
  candidate: { positives: ScoreHistogram; negatives: ScoreHistogram },
  interval: RocInterval = {},
): Html {
  const f = FRAME;
  const x = linearScale([0, 1], plotX(f));
  const y = linearScale([0, 1], plotY(f));
  const series = [
    { name: "baseline", curve: rocFromBins(baseline.positives, baseline.negatives), color: COLORS.baseline },
    {
      name: "candidate",
      curve: rocFromBins(candidate.positives, candidate.negatives),
      color: COLORS.candidate,
    },
  ];
  const body = series.map(({ name, curve, color }) =>
    curve
      ? html`<g data-series="${name}" data-auc="${curve.auc.toFixed(6)}" data-points="${curve.fpr.length}"><path d="${pathOf(curve.fpr.map((v, i) => [x(v), y(curve.tpr[i])]))}" fill="none" stroke="${color}" stroke-width="2"><title>${name}: AUC ${fmt(curve.auc)}</title></path></g>`
      : html`<g data-series="${name}" data-empty="true"></g>`,
  );
  const iv = (i?: [number, number]) => (i ? ` [${fmt(i[0])}, ${fmt(i[1])}]` : "");
  const label = (name: string, c: RocCurve | undefined, i?: [number, number]) =>
    `${name} AUC ${c ? fmt(c.auc) : "–"}${i ? iv(i) : ""}`;
  const delta = interval.aucDelta
    ? html`<text data-interval="auc-delta" x="${plotX(f)[1] - 4}" y="${plotY(f)[0] - 8}" text-anchor="end" font-size="11">candidate − baseline AUC: anytime-valid interval${iv(interval.aucDelta)}</text>`
    : html``;
  return svgPlot(f, "roc", "ROC curves, baseline vs candidate", [
    axes(f, x, y, { xLabel: "false positive rate", yLabel: "true positive rate" }),
    html`<line data-line="chance" x1="${num(x(0))}" y1="${num(y(0))}" x2="${num(x(1))}" y2="${num(y(1))}" stroke="#999" stroke-dasharray="4 4"/>`,
    ...body,
    delta,
    legend(f, [
      { label: label("baseline", series[0].curve), color: COLORS.baseline },
      { label: label("candidate", series[1].curve, interval.candidateAuc), color: COLORS.candidate },
    ]),
  ]);
}
