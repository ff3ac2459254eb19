import type { Config } from "../config.js";
import {
  CohortSummary,
  DEFAULT_LAYOUT,
  PROMETHEUS_SCORE_BINS,
  type SummaryLayout,
} from "../sketch/cohort-summary.js";
import { DEFAULT_NAMING, latencyUnitMs, type NamingContract } from "./naming.js";
import { decumulate, latencySketchFromBuckets, scoreHistogramFromBuckets } from "./prometheus/buckets.js";
import { type PrometheusAuth, PrometheusClient, type VectorSample } from "./prometheus/client.js";
import { type FeatureLimits, featuresFromRows } from "./prometheus/features.js";
import type { CohortQuery, Source } from "./source.js";

export type { PrometheusAuth } from "./prometheus/client.js";

export interface PrometheusSourceOptions {
  url: string;
  timeoutMs: number;
  auth?: PrometheusAuth;
  naming?: NamingContract;
  /** score bins and sketch accuracy the summaries are rebuilt in (must match the exporters') */
  layout?: SummaryLayout;
  /** the embedded store's limits on features per cohort and categories per feature (default 200, 200) */
  limits?: FeatureLimits;
  /** how far before `from` a counter's starting value is looked for, ms (default 1 h) */
  startLookbackMs?: number;
  /** longest history read when `from` is undefined, and by firstSeen, ms (default 7 days) */
  maxHistoryMs?: number;
  clock?: () => number;
  readFile?: (path: string) => Promise<string>;
}

const HOUR = 3_600_000;

/**
 * Cohort summaries rebuilt from PromQL over the naming contract's counters and histograms, so
 * modelgate can judge straight from Prometheus (several model-server replicas, or several
 * modelgate replicas exporting, are summed by Prometheus).
 *
 * Counts in a window [from, to) are exact differences of the raw counters, not `increase()`:
 * for each series, its last sample ≤ to minus its last sample ≤ from (0 when the series did
 * not exist yet). `increase()` extrapolates to the window's edges and misses a series' first
 * value, which turns 100 events into 104.7 or 0; it is used only for a series that reset (a
 * restarted exporter) inside the window. Windows are in scrape time: an event counts in the
 * window of the first scrape that saw it.
 * Cost: 13 instant queries per cohort, run concurrently.
 */
export class PrometheusSource implements Source {
  readonly name = "prometheus";
  private readonly client: PrometheusClient;
  private readonly naming: NamingContract;
  private readonly layout: SummaryLayout;
  private readonly limits: FeatureLimits;
  private readonly startLookbackMs: number;
  private readonly maxHistoryMs: number;
  private readonly clock: () => number;

  constructor(opts: PrometheusSourceOptions) {
    this.client = new PrometheusClient(opts);
    this.naming = opts.naming ?? DEFAULT_NAMING;
    this.layout = opts.layout ?? { ...DEFAULT_LAYOUT, scoreBins: PROMETHEUS_SCORE_BINS };
    this.limits = opts.limits ?? { maxFeatures: 200, maxCategories: 200 };
    this.startLookbackMs = opts.startLookbackMs ?? HOUR;
    this.maxHistoryMs = opts.maxHistoryMs ?? 7 * 24 * HOUR;
    this.clock = opts.clock ?? Date.now;
  }

  /** `metric{model="…",version="…",extra}` with values escaped as PromQL strings. */
  selector(metric: string, model: string, version: string): string {
    const l = this.naming.labels;
    const matchers = [`${l.model}=${JSON.stringify(model)}`, `${l.version}=${JSON.stringify(version)}`];
    if (this.naming.extraMatchers) matchers.push(this.naming.extraMatchers);
    return `${metric}{${matchers.join(",")}}`;
  }

  /**
   * Per-series count added in (from, to], evaluated at `to` (see the class comment): the exact
   * difference when the series did not go down; increase() when it reset inside the window; and
   * when it is lower at `to` than at `from` with no reset in the window (it restarted between the
   * start sample and the window's first), its value at `to`, the count since the restart.
   */
  delta(selector: string, windowMs: number, fromMs: number | undefined): string {
    const w = `[${Math.max(1, Math.round(windowMs))}ms]`;
    const last = `last_over_time(${selector}${w})`;
    const reset = `(resets(${selector}${w}) > 0)`;
    if (fromMs === undefined) return `(${last} unless ${reset}) or increase(${selector}${w})`;
    const start = `last_over_time(${selector}[${this.startLookbackMs}ms] @ ${(fromMs / 1000).toFixed(3)})`;
    return `(((${last} - (${start} or ${last} * 0)) >= 0) unless ${reset}) or (increase(${selector}${w}) and ${reset}) or ${last}`;
  }

  async cohort(q: CohortQuery): Promise<CohortSummary | undefined> {
    if (q.from !== undefined && !(q.to > q.from)) {
      throw new RangeError(`cohort window must have from < to, got [${q.from}, ${q.to})`);
    }
    const m = this.naming.metrics;
    const l = this.naming.labels;
    // [from, to) in epoch ms: the last sample at or before to − 1 ms ends it
    const to = q.to - 1;
    const windowMs = q.from === undefined ? this.maxHistoryMs : to - q.from;
    const from = q.from === undefined ? undefined : q.from - 1;
    const sel = (metric: string) => this.selector(metric, q.model, q.version);
    const d = (metric: string) => this.delta(sel(metric), windowMs, from);
    const w = `[${Math.max(1, Math.round(windowMs))}ms]`;
    const run = (promql: string) => this.client.query(promql, to);
    const [
      predictions,
      errors,
      invalid,
      score,
      labelled,
      latency,
      latencySum,
      decisions,
      outcomes,
      first,
      last,
      featureBuckets,
      featureCategories,
    ] = await Promise.all([
      run(`sum(${d(m.predictions)})`),
      run(`sum(${d(m.errors)})`),
      run(`sum(${d(m.invalid)})`),
      run(`sum by (le) (${d(`${m.score}_bucket`)})`),
      run(`sum by (${l.label}, le) (${d(`${m.labelledScore}_bucket`)})`),
      run(`sum by (le) (${d(`${m.latency}_bucket`)})`),
      run(`sum(${d(`${m.latency}_sum`)})`),
      run(`sum by (${l.groupAttribute}, ${l.groupValue}, ${l.decision}) (${d(m.decisions)})`),
      run(`sum by (${l.groupAttribute}, ${l.groupValue}, ${l.decision}, ${l.label}) (${d(m.outcomes)})`),
      run(`min(min_over_time(${sel(m.firstSeen)}${w}))`),
      run(`max(max_over_time(${sel(m.lastSeen)}${w}))`),
      run(`sum by (${l.feature}, le) (${d(`${m.featureValue}_bucket`)})`),
      run(`sum by (${l.feature}, ${l.category}) (${d(m.featureCategory)})`),
    ]);
    const results = [
      predictions,
      errors,
      invalid,
      score,
      labelled,
      latency,
      decisions,
      outcomes,
      featureBuckets,
      featureCategories,
    ];
    if (results.every((r) => r.length === 0)) return undefined;

    const s = new CohortSummary(this.layout);
    const { scoreBins, scoreLo, scoreHi } = this.layout;
    const bucketsOf = (rows: VectorSample[]) =>
      decumulate(rows.map((r) => ({ le: r.labels.le, value: r.value })));
    s.scores.merge(scoreHistogramFromBuckets(bucketsOf(score), scoreBins, scoreLo, scoreHi));
    for (const [labelValue, target] of [
      ["1", s.scoresPositive],
      ["0", s.scoresNegative],
    ] as const) {
      const rows = labelled.filter((r) => r.labels[l.label] === labelValue);
      target.merge(scoreHistogramFromBuckets(bucketsOf(rows), scoreBins, scoreLo, scoreHi));
    }
    const unit = latencyUnitMs(this.naming);
    const sumMs = latencySum.length > 0 ? latencySum[0].value * unit : undefined;
    s.latency.merge(latencySketchFromBuckets(bucketsOf(latency), this.layout.sketchAlpha, unit, sumMs));

    const count = (rows: VectorSample[]) => (rows.length > 0 ? Math.round(rows[0].value) : undefined);
    s.errors = count(errors) ?? 0;
    s.invalid = count(invalid) ?? 0;
    // without the predictions counter, the best lower bound of the events is what was observed
    s.events = count(predictions) ?? Math.max(s.latency.count, s.scores.total + s.invalid, s.errors);

    for (const r of decisions) {
      const g = s.group(r.labels[l.groupAttribute] ?? "", r.labels[l.groupValue] ?? "");
      const n = Math.round(r.value);
      g.n += n;
      if (r.labels[l.decision] === "1") g.selected += n;
    }
    for (const r of outcomes) {
      const g = s.group(r.labels[l.groupAttribute] ?? "", r.labels[l.groupValue] ?? "");
      const n = Math.round(r.value);
      const decision = r.labels[l.decision] === "1";
      const positive = r.labels[l.label] === "1";
      if (decision && positive) g.tp += n;
      else if (decision) g.fp += n;
      else if (positive) g.fn += n;
      else g.tn += n;
    }
    const features = featuresFromRows(
      featureBuckets,
      featureCategories,
      l,
      this.layout.sketchAlpha,
      this.limits,
    );
    for (const [name, f] of features) s.features.set(name, f);
    if (first.length > 0) s.firstTs = Math.max(Math.round(first[0].value * 1000), q.from ?? 0);
    if (last.length > 0) s.lastTs = Math.min(Math.round(last[0].value * 1000), to);
    return s;
  }

  async firstSeen(model: string, version: string): Promise<number | undefined> {
    const m = this.naming.metrics;
    const now = this.clock();
    const h = `[${this.maxHistoryMs}ms]`;
    const gauge = await this.client.query(
      `min(min_over_time(${this.selector(m.firstSeen, model, version)}${h}))`,
      now,
    );
    if (gauge.length > 0) return Math.round(gauge[0].value * 1000);
    // without the gauge: the earliest scrape that saw any of the version's counters, to within the 1 m step
    const names = [m.predictions, `${m.score}_count`, `${m.latency}_count`].join("|");
    const l = this.naming.labels;
    const matchers = [
      `__name__=~"${names}"`,
      `${l.model}=${JSON.stringify(model)}`,
      `${l.version}=${JSON.stringify(version)}`,
      ...(this.naming.extraMatchers ? [this.naming.extraMatchers] : []),
    ];
    const scraped = await this.client.query(
      `min(min_over_time(timestamp({${matchers.join(",")}})${h.slice(0, -1)}:1m]))`,
      now,
    );
    return scraped.length > 0 ? Math.round(scraped[0].value * 1000) : undefined;
  }
}

/** Source options from the service configuration (the URL must be set). */
export function prometheusOptionsFromConfig(config: Config): PrometheusSourceOptions {
  if (!config.prometheusUrl) throw new RangeError("MODELGATE_PROMETHEUS_URL is not set");
  let auth: PrometheusAuth = { kind: "none" };
  if (config.prometheusBearerToken || config.prometheusBearerTokenFile) {
    auth = {
      kind: "bearer",
      token: config.prometheusBearerToken,
      tokenFile: config.prometheusBearerTokenFile,
    };
  } else if (config.prometheusUsername) {
    auth = {
      kind: "basic",
      username: config.prometheusUsername,
      password: config.prometheusPassword,
      passwordFile: config.prometheusPasswordFile,
    };
  }
  return {
    url: config.prometheusUrl,
    timeoutMs: config.prometheusTimeoutMs,
    auth,
    naming: config.prometheusNaming,
    limits: { maxFeatures: config.maxFeatures, maxCategories: config.maxCategories },
  };
}
