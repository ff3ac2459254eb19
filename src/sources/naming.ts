/**
 * The Prometheus naming contract: which series a model server (or modelgate's own exporter)
 * exposes so that the Prometheus source can rebuild a cohort summary from them. Every name is
 * configurable; the defaults are documented in docs/prometheus.md. Counter names are the
 * series names as Prometheus stores them (with `_total`); histogram names are base names (the
 * source reads `<name>_bucket` and `<name>_sum`).
 */
export interface NamingContract {
  metrics: {
    /** counter: every prediction request, errored or not (the error-rate denominator) */
    predictions: string;
    /** counter: predictions that failed */
    errors: string;
    /** counter: predictions with an unusable score (non-finite or out of range) */
    invalid: string;
    /** histogram of every valid score; `le` edges = the score histogram's bin edges */
    score: string;
    /** histogram of scores of labelled predictions, split by the `label` label ("0" / "1") */
    labelledScore: string;
    /** histogram of latency, in `latencyUnit` */
    latency: string;
    /** counter by group attribute, group value and decision ("0" / "1") */
    decisions: string;
    /** counter of labelled predictions by group attribute, group value, decision and label */
    outcomes: string;
    /** gauge: epoch seconds of the version's first event */
    firstSeen: string;
    /** gauge: epoch seconds of the version's latest event */
    lastSeen: string;
    /** histogram of each numeric feature's values, split by the `feature` label */
    featureValue: string;
    /** counter of each categorical feature's values, by `feature` and `category` */
    featureCategory: string;
  };
  labels: {
    model: string;
    version: string;
    label: string;
    decision: string;
    groupAttribute: string;
    groupValue: string;
    feature: string;
    category: string;
  };
  latencyUnit: "seconds" | "milliseconds";
  /**
   * Range the exporter's latency `le` edges cover, ms. Inside it the edges are the latency
   * sketch's own bucket edges γ^i (lossless); below it values share one underflow bucket, above
   * it the +Inf bucket.
   */
  latencyRangeMs: [number, number];
  /**
   * Magnitudes the exporter's numeric-feature `le` edges cover, on both sides of zero. Inside
   * the range the edges are the feature sketch's bucket edges ±γ^i (lossless); values nearer
   * zero share the two buckets beside 0, values beyond it the two open-ended buckets.
   */
  featureRange: [number, number];
  /**
   * Features the exporter exposes: their names, or "all". None by default: a numeric feature
   * costs one series per `le` edge (about 2,000 over the default range) per version.
   */
  exportFeatures: string[] | "all";
  /** extra PromQL matchers added to every selector, e.g. `namespace="prod"` (empty = none) */
  extraMatchers: string;
}

export const DEFAULT_NAMING: NamingContract = {
  metrics: {
    predictions: "modelgate_predictions_total",
    errors: "modelgate_prediction_errors_total",
    invalid: "modelgate_invalid_predictions_total",
    score: "modelgate_score",
    labelledScore: "modelgate_labelled_score",
    latency: "modelgate_latency_seconds",
    decisions: "modelgate_decisions_total",
    outcomes: "modelgate_outcomes_total",
    firstSeen: "modelgate_first_seen_timestamp_seconds",
    lastSeen: "modelgate_last_seen_timestamp_seconds",
    featureValue: "modelgate_feature_value",
    featureCategory: "modelgate_feature_category_total",
  },
  labels: {
    model: "model",
    version: "version",
    label: "label",
    decision: "decision",
    groupAttribute: "group_attribute",
    groupValue: "group_value",
    feature: "feature",
    category: "category",
  },
  latencyUnit: "seconds",
  latencyRangeMs: [0.1, 60_000],
  featureRange: [0.001, 1_000_000],
  exportFeatures: [],
  extraMatchers: "",
};

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A naming setting that is not valid; the message starts with the field. */
export class NamingError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = "NamingError";
  }
}

/**
 * Defaults overridden by a partial contract (parsed JSON), validated once: a bad name fails
 * at start with the field named (`setting` is the config setting the JSON came from).
 */
export function parseNaming(raw: unknown, setting = "naming"): NamingContract {
  if (raw === undefined || raw === null) return structuredClone(DEFAULT_NAMING);
  if (!isObject(raw)) throw new NamingError(setting, "must be a JSON object");
  const out = structuredClone(DEFAULT_NAMING);
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(out, key)) throw new NamingError(`${setting}.${key}`, "is not a naming setting");
  }
  for (const group of ["metrics", "labels"] as const) {
    const given = raw[group];
    if (given === undefined) continue;
    if (!isObject(given)) throw new NamingError(`${setting}.${group}`, "must be an object");
    const target = out[group] as Record<string, string>;
    for (const [k, v] of Object.entries(given)) {
      const field = `${setting}.${group}.${k}`;
      if (!Object.hasOwn(target, k)) throw new NamingError(field, "is not a known name");
      const pattern = group === "metrics" ? METRIC_NAME : LABEL_NAME;
      if (typeof v !== "string" || !pattern.test(v) || v.startsWith("__")) {
        throw new NamingError(field, `must be a Prometheus ${group === "metrics" ? "metric" : "label"} name`);
      }
      target[k] = v;
    }
  }
  const labelValues = Object.values(out.labels);
  if (new Set(labelValues).size !== labelValues.length) {
    throw new NamingError(`${setting}.labels`, "label names must be distinct");
  }
  if (raw.latencyUnit !== undefined) {
    if (raw.latencyUnit !== "seconds" && raw.latencyUnit !== "milliseconds") {
      throw new NamingError(`${setting}.latencyUnit`, 'must be "seconds" or "milliseconds"');
    }
    out.latencyUnit = raw.latencyUnit;
  }
  if (raw.latencyRangeMs !== undefined)
    out.latencyRangeMs = range(raw.latencyRangeMs, `${setting}.latencyRangeMs`);
  if (raw.featureRange !== undefined) out.featureRange = range(raw.featureRange, `${setting}.featureRange`);
  if (raw.exportFeatures !== undefined) {
    const f = raw.exportFeatures;
    const field = `${setting}.exportFeatures`;
    if (f === "all") out.exportFeatures = "all";
    else if (!Array.isArray(f)) throw new NamingError(field, 'must be "all" or an array of feature names');
    else {
      f.forEach((name, i) => {
        if (typeof name !== "string" || name === "") {
          throw new NamingError(`${field}[${i}]`, "must be a feature name (a non-empty string)");
        }
      });
      out.exportFeatures = [...new Set(f as string[])];
    }
  }
  if (raw.extraMatchers !== undefined) {
    if (typeof raw.extraMatchers !== "string" || /[{}]/.test(raw.extraMatchers)) {
      throw new NamingError(`${setting}.extraMatchers`, 'must be matchers without braces, e.g. job="fraud"');
    }
    out.extraMatchers = raw.extraMatchers.trim();
  }
  return out;
}

function range(r: unknown, field: string): [number, number] {
  if (
    !Array.isArray(r) ||
    r.length !== 2 ||
    !r.every((x) => typeof x === "number" && Number.isFinite(x)) ||
    !(r[0] > 0 && r[1] > r[0])
  ) {
    throw new NamingError(field, "must be [min, max] with 0 < min < max");
  }
  return [r[0], r[1]];
}

/** Factor from the contract's latency unit to milliseconds. */
export function latencyUnitMs(naming: NamingContract): number {
  return naming.latencyUnit === "seconds" ? 1000 : 1;
}
