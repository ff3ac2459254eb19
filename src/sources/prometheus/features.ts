import type { FeatureSummary } from "../../sketch/cohort-summary.js";
import { decumulate, featureSketchFromBuckets } from "./buckets.js";
import type { VectorSample } from "./client.js";

/** The embedded store's cardinality limits, applied to what Prometheus returns for one cohort. */
export interface FeatureLimits {
  maxFeatures: number;
  maxCategories: number;
}

/**
 * A cohort's features from the window's counts of the contract's feature series: `numeric` is
 * `sum by (feature, le)` of the histogram buckets, `categorical` is `sum by (feature, category)`
 * of the category counters. Only what the window holds is kept (a feature or category whose
 * count in the window is 0 is absent, as in the embedded store's window).
 *
 * Beyond the limits a feature is left out whole, never cut (a truncated distribution would read
 * as drift): features are taken in name order up to `maxFeatures`, a categorical feature with
 * more than `maxCategories` categories in the window is dropped, and so is a name exported both
 * as a histogram and as categories. The drift gate then reports the feature as missing.
 * Cost: O(rows).
 */
export function featuresFromRows(
  numeric: VectorSample[],
  categorical: VectorSample[],
  labels: { feature: string; category: string },
  alpha: number,
  limits: FeatureLimits,
): Map<string, FeatureSummary> {
  const buckets = new Map<string, Array<{ le: string; value: number }>>();
  for (const r of numeric) {
    const name = r.labels[labels.feature];
    if (name === undefined || r.labels.le === undefined) continue;
    let rows = buckets.get(name);
    if (!rows) {
      rows = [];
      buckets.set(name, rows);
    }
    rows.push({ le: r.labels.le, value: r.value });
  }
  const categories = new Map<string, Map<string, number>>();
  for (const r of categorical) {
    const name = r.labels[labels.feature];
    const category = r.labels[labels.category];
    const n = Math.round(r.value);
    if (name === undefined || category === undefined || !(n > 0)) continue;
    let counts = categories.get(name);
    if (!counts) {
      counts = new Map();
      categories.set(name, counts);
    }
    counts.set(category, (counts.get(category) ?? 0) + n);
  }

  const out = new Map<string, FeatureSummary>();
  const names = [...new Set([...buckets.keys(), ...categories.keys()])].sort();
  for (const name of names) {
    if (out.size >= limits.maxFeatures) break;
    const rows = buckets.get(name);
    const counts = categories.get(name);
    if (rows && counts) continue;
    if (counts) {
      if (counts.size <= limits.maxCategories) out.set(name, { kind: "categorical", counts });
      continue;
    }
    const sketch = featureSketchFromBuckets(decumulate(rows ?? []), alpha);
    if (sketch.count > 0) out.set(name, { kind: "numeric", sketch });
  }
  return out;
}
