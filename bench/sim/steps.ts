/**
 * Per-step time series of one arm, what Kayenta is fed: Kayenta judges metric time series (one
 * value per `step` seconds per scope), not raw events. For each 10-second step of an arm:
 * - score_mean: mean prediction score of the step's scored events
 * - latency_p95: p95 of the step's raw latencies (type-7; an exact quantile, kinder to Kayenta than
 *   Prometheus' histogram_quantile interpolation)
 * - error_rate: errored events / events
 * - auc: ROC AUC of the step's labelled events (NaN without both classes; Kayenta drops NaN)
 * - selection_rate_a / selection_rate_b: positive decisions / decisions in each group
 * A step without events gives NaN everywhere, which nanStrategy=remove drops.
 */
import { rocAuc } from "../../src/stats/auc.js";
import { quantile } from "../../src/stats/quantile.js";

export const KAYENTA_METRICS = [
  "score_mean",
  "latency_p95",
  "error_rate",
  "auc",
  "selection_rate_a",
  "selection_rate_b",
] as const;
export type KayentaMetric = (typeof KAYENTA_METRICS)[number];

export type StepSeries = Record<KayentaMetric, number[]>;

export const emptySeries = (): StepSeries => ({
  score_mean: [],
  latency_p95: [],
  error_rate: [],
  auc: [],
  selection_rate_a: [],
  selection_rate_b: [],
});

/** Accumulates one arm's current step; `close()` appends its values to the series. */
export class StepAccumulator {
  readonly series = emptySeries();
  private events = 0;
  private errors = 0;
  private scoreSum = 0;
  private scored = 0;
  private latencies: number[] = [];
  private labelledScores: number[] = [];
  private labels: number[] = [];
  private readonly groups = { a: [0, 0], b: [0, 0] };

  add(e: {
    score?: number;
    latencyMs: number;
    error: boolean;
    label?: 0 | 1;
    group: "a" | "b";
    decision?: 0 | 1;
  }): void {
    this.events++;
    if (e.error) this.errors++;
    this.latencies.push(e.latencyMs);
    if (e.score !== undefined) {
      this.scoreSum += e.score;
      this.scored++;
      if (e.label !== undefined) {
        this.labelledScores.push(e.score);
        this.labels.push(e.label);
      }
      const g = this.groups[e.group];
      g[0]++;
      g[1] += e.decision ?? (e.score >= 0.5 ? 1 : 0);
    }
  }

  close(): void {
    const s = this.series;
    const ratio = (x: number, n: number) => (n > 0 ? x / n : Number.NaN);
    s.score_mean.push(ratio(this.scoreSum, this.scored));
    s.latency_p95.push(this.latencies.length > 0 ? quantile(this.latencies, 0.95) : Number.NaN);
    s.error_rate.push(ratio(this.errors, this.events));
    const positives = this.labels.reduce((a, b) => a + b, 0);
    s.auc.push(
      positives > 0 && positives < this.labels.length ? rocAuc(this.labelledScores, this.labels) : Number.NaN,
    );
    s.selection_rate_a.push(ratio(this.groups.a[1], this.groups.a[0]));
    s.selection_rate_b.push(ratio(this.groups.b[1], this.groups.b[0]));
    this.events = 0;
    this.errors = 0;
    this.scoreSum = 0;
    this.scored = 0;
    this.latencies = [];
    this.labelledScores = [];
    this.labels = [];
    this.groups.a = [0, 0];
    this.groups.b = [0, 0];
  }
}
