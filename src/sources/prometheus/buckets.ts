import { LatencySketch } from "../../sketch/latency-sketch.js";
import { ScoreHistogram } from "../../sketch/score-histogram.js";

/** One bucket (lo, hi] of a Prometheus histogram with its own (not cumulative) count. */
export interface LeBucket {
  lo: number;
  hi: number;
  count: number;
}

/**
 * Cumulative `le` counts → per-bucket counts, in increasing `le` order. The first bucket's lower
 * edge is −∞. Counts are whole events, so they are rounded (increase() extrapolates to
 * fractions), and a bucket whose cumulative count drops below the previous one's (possible only
 * with extrapolated fallbacks) is counted as 0.
 */
export function decumulate(rows: Array<{ le: string; value: number }>): LeBucket[] {
  const sorted = rows
    .map((r) => ({ le: parseLe(r.le), value: r.value }))
    .filter((r) => !Number.isNaN(r.le))
    .sort((a, b) => a.le - b.le);
  const out: LeBucket[] = [];
  let prevLe = Number.NEGATIVE_INFINITY;
  let prevCum = 0;
  for (const { le, value } of sorted) {
    const cum = Math.max(prevCum, Math.round(value));
    out.push({ lo: prevLe, hi: le, count: cum - prevCum });
    prevLe = le;
    prevCum = cum;
  }
  return out;
}

function parseLe(le: string): number {
  if (le === "+Inf" || le === "Inf") return Number.POSITIVE_INFINITY;
  return Number(le);
}

/**
 * Buckets → score histogram of the model's layout. Each bucket's count goes to the bin holding
 * the bucket's midpoint: when the `le` edges are the layout's bin edges (the exporter's, and
 * what the contract asks of model servers) this is exact; otherwise a score moves by at most
 * one Prometheus bucket width. The +Inf bucket holds scores above the last edge: the last bin,
 * counted as clamped.
 */
export function scoreHistogramFromBuckets(
  buckets: LeBucket[],
  bins: number,
  lo: number,
  hi: number,
): ScoreHistogram {
  const h = new ScoreHistogram(bins, lo, hi);
  for (const b of buckets) {
    if (b.count === 0) continue;
    if (b.hi === Number.POSITIVE_INFINITY) {
      h.counts[bins - 1] += b.count;
      if (b.lo >= hi) h.clamped += b.count;
      continue;
    }
    const from = Number.isFinite(b.lo) ? b.lo : Math.min(lo, b.hi);
    h.counts[h.binOf((from + b.hi) / 2)] += b.count;
  }
  return h;
}

/**
 * Buckets (in `unitMs` ms per unit) → latency sketch. Each bucket's count is placed at one
 * representative value: √(lo·hi) inside (lo, hi] (relative error ≤ √(hi/lo) − 1 for every value
 * in it; for the sketch's own edges γ^(i−1), γ^i that is the sketch's bucket i itself, so nothing
 * is lost), 0 for `le ≤ 0`, hi/2 for the lowest positive bucket (0, hi], and the last finite
 * edge for the +Inf bucket (a lower bound). `sumMs`, when known, restores the exact mean.
 */
export function latencySketchFromBuckets(
  buckets: LeBucket[],
  alpha: number,
  unitMs: number,
  sumMs?: number,
): LatencySketch {
  const sketch = new LatencySketch(alpha);
  for (const b of buckets) {
    if (b.count === 0) continue;
    const lo = b.lo * unitMs;
    const hi = b.hi * unitMs;
    let at: number;
    if (hi <= 0) at = 0;
    else if (hi === Number.POSITIVE_INFINITY) at = Number.isFinite(lo) ? Math.max(lo, 0) : 0;
    else if (!(lo > 0)) at = hi / 2;
    else at = Math.sqrt(lo * hi);
    sketch.add(at, b.count);
  }
  if (sumMs !== undefined && Number.isFinite(sumMs)) sketch.sum = sumMs;
  return sketch;
}

/**
 * Buckets → numeric-feature sketch. Like the latency rule, but for values of either sign: each
 * bucket's count is placed at one representative value, −√(lo·hi) inside a negative bucket
 * (lo, hi] (for the sketch's own mirrored edges −γ^i, that is the sketch's negative bucket
 * itself, so nothing is lost), √(lo·hi) inside a positive one, 0 for a bucket (lo, 0] (it holds
 * zero), hi/2 for (0, hi], the midpoint for a bucket that straddles zero, and the last finite
 * edge for the two open-ended buckets (a bound on the magnitude).
 */
export function featureSketchFromBuckets(buckets: LeBucket[], alpha: number): LatencySketch {
  const sketch = new LatencySketch(alpha);
  for (const b of buckets) {
    if (b.count > 0) sketch.add(signedRepresentative(b.lo, b.hi), b.count);
  }
  return sketch;
}

function signedRepresentative(lo: number, hi: number): number {
  if (hi === Number.POSITIVE_INFINITY) return Number.isFinite(lo) ? lo : 0;
  if (lo === Number.NEGATIVE_INFINITY) return hi > 0 ? hi / 2 : hi;
  if (lo >= 0) return lo > 0 ? Math.sqrt(lo * hi) : hi / 2;
  if (hi <= 0) return hi < 0 ? -Math.sqrt(lo * hi) : 0;
  return (lo + hi) / 2;
}
