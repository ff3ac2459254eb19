import { LatencySketch } from "../sketch/latency-sketch.js";
import { cdfBandEpsilon, quantileBounds } from "../stats/cdf-band.js";
import { parseEnumField, parseNumberField } from "./config-parse.js";
import { emptyArmResult, type Gate, type GateInput, type GateResult } from "./gate.js";

export interface LatencyConfig {
  /** "quantile": single-quantile confidence sequence (default); "band": uniform CDF band */
  method: "quantile" | "band";
  /** quantile judged, in (0, 1); default 0.95 */
  quantile: number;
  /** largest tolerated candidate/baseline ratio at that quantile; default 1.2 */
  maxRatio: number;
  /** absolute SLO on the candidate's quantile in ms; undefined = none */
  sloMs: number | undefined;
  /** samples each arm needs before the gate can pass (and the start of the CDF band); default 100 */
  minSamples: number;
}

const fmtMs = (x: number) =>
  x === 0 ? "0" : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toPrecision(3);
const fmtX = (x: number) => `${x.toFixed(2)}x`;
const label = (q: number) => `p${Number((q * 100).toFixed(3))}`;

/**
 * Band method: anytime-valid bounds on one arm's q-quantile from the Howard–Ramdas uniform CDF band
 * (width ε_t, valid for every t ≥ tMin at once), read as order statistics of the sketch's buckets.
 * The sketch reports bucket i as v = γ^i(1 − a) while its members lie in (v/(1 + a), v/(1 − a)], so
 * the bounds are widened by that factor to be about the raw latencies. Both sides hold together with
 * probability ≥ 1 − alpha.
 */
function bandBounds(sketch: LatencySketch, q: number, alpha: number, tMin: number): [number, number] {
  const eps = cdfBandEpsilon(sketch.count, alpha, tMin);
  const [lo, hi] = quantileBounds(sketch.buckets(), q, eps);
  const a = sketch.alpha;
  return [lo / (1 + a), hi / (1 - a)];
}

/** Upper edge of the bucket whose representative is v: every member is ≤ it. */
function upperEdge(sketch: LatencySketch, v: number): number {
  if (v > 0) return v / (1 - sketch.alpha);
  if (v < 0) return v / (1 + sketch.alpha);
  return LatencySketch.MIN_INDEXABLE;
}

/** Betting fractions of the mixture, as shares of the largest admissible one (0.9 … 0.0004). */
const GRID = Array.from({ length: 24 }, (_, j) => 0.9 * 2 ** (-j / 2));

/**
 * ln of the mixture test supermartingale for "mean of Y ≤ p" (direction +1) or "mean of Y ≥ p"
 * (direction −1), Y = 1{X ≤ x}, after t draws of which k had Y = 1:
 *   M = (1/J) Σ_j Π_i (1 + d·λ_j·(Y_i − p)) = (1/J) Σ_j (1 + d·λ_j(1 − p))^k (1 − d·λ_j p)^(t − k),
 * λ_j ∈ (0, λmax) with λmax = 1/p (d = +1) or 1/(1 − p) (d = −1) so every factor stays positive.
 * Each product is a nonnegative supermartingale under its null, so is the average (Ville: P(ever
 * ≥ 1/α) ≤ α). O(J).
 */
function logMixture(k: number, t: number, p: number, direction: 1 | -1): number {
  const lambdaMax = direction === 1 ? 1 / p : 1 / (1 - p);
  let max = Number.NEGATIVE_INFINITY;
  const terms = GRID.map((c) => {
    const l = c * lambdaMax * direction;
    const term = k * Math.log1p(l * (1 - p)) + (t - k) * Math.log1p(-l * p);
    if (term > max) max = term;
    return term;
  });
  let sum = 0;
  for (const term of terms) sum += Math.exp(term - max);
  return max + Math.log(sum / GRID.length);
}

/**
 * Quantile method (default): a confidence sequence for one quantile from one-sided betting tests
 * on the counts below each bucket edge x (in the spirit of Howard & Ramdas 2022, §4, with a discrete
 * mixture of betting fractions instead of the beta-binomial mixture). Claim "Q(q) > x" when the test of
 * "F(x) ≥ q" rejects at level alphaSide, and "Q(q) ≤ x" when the test of "F(x) ≤ q" does. A false claim
 * of either kind implies a rejection by the test at the single edge where F crosses q (the tests are
 * monotone in the count), so each side errs with probability ≤ alphaSide over all looks, ties and
 * buckets included. Much narrower than the uniform band at p95: its width scales with
 * √(q(1 − q)) instead of 1/2, and it spends nothing on other quantiles. O(buckets · J).
 */
export function quantileSequenceBounds(
  sketch: LatencySketch,
  q: number,
  alphaSide: number,
): [number, number] {
  const t = sketch.count;
  const threshold = Math.log(1 / alphaSide);
  let lower = Number.NEGATIVE_INFINITY;
  let upper = Number.POSITIVE_INFINITY;
  let k = 0;
  for (const [v, c] of sketch.buckets()) {
    k += c;
    const edge = upperEdge(sketch, v);
    // few draws at or below x: F(x) < q, so Q(q) lies above this edge
    if (logMixture(k, t, q, -1) >= threshold) lower = edge;
    // many draws at or below x: F(x) > q, so Q(q) ≤ this edge; the first such edge is the bound
    if (upper === Number.POSITIVE_INFINITY && logMixture(k, t, q, 1) >= threshold) upper = edge;
  }
  return [lower, upper];
}

/**
 * Latency gate: p50/p95/p99 of both cohorts, and a decision on the candidate/baseline ratio at the
 * configured quantile (default p95) and optionally on an absolute SLO.
 *
 * Each arm gets anytime-valid bounds on its quantile: by default a single-quantile confidence
 * sequence with alpha/4 per side per arm (quantileSequenceBounds), or with `method: band` the Howard–Ramdas
 * uniform CDF band at alpha/2 per arm (Thm 2). Either way, with probability ≥ 1 − alpha all four
 * bounds hold at every look; on that event every statement below is true at once (the ratio
 * interval and the SLO bound read the same bounds), so one alpha covers the whole gate.
 * - fail: ratio lower bound > maxRatio, or candidate quantile lower bound > sloMs
 * - pass: both arms have minSamples, ratio upper bound ≤ maxRatio and (if set) quantile upper ≤ sloMs
 * - otherwise inconclusive, with the sample sizes or the interval in the reason.
 * Cost: O(buckets) per arm.
 */
export const latencyGate: Gate<LatencyConfig> = {
  name: "latency",
  settings: ["quantile", "maxRatio", "sloMs", "minSamples", "method"],

  parseConfig(raw) {
    const quantile = parseNumberField(raw, "quantile", 0.95, { above: 0, below: 1 });
    const maxRatio = parseNumberField(raw, "maxRatio", 1.2, { above: 0 });
    const slo = parseNumberField(raw, "sloMs", Number.NaN, { above: 0 });
    const minSamples = parseNumberField(raw, "minSamples", 100, { min: 1, integer: true });
    const method = parseEnumField(raw, "method", ["quantile", "band"] as const, "quantile");
    return { method, quantile, maxRatio, sloMs: Number.isFinite(slo) ? slo : undefined, minSamples };
  },

  evaluate({ baseline, candidate, config, alpha }: GateInput<LatencyConfig>): GateResult {
    const { method, quantile: q, maxRatio, sloMs, minSamples } = config;
    const b = baseline.latency;
    const c = candidate.latency;
    const n = { baseline: b.count, candidate: c.count };
    const qLabel = label(q);
    const metric = `${qLabel}_ratio`;
    const base = { metric, threshold: maxRatio, n };

    if (b.count === 0 || c.count === 0) return emptyArmResult(base, "latency samples", minSamples);

    const metrics: GateResult["metrics"] = {
      baselineP50: b.quantile(0.5),
      baselineP95: b.quantile(0.95),
      baselineP99: b.quantile(0.99),
      candidateP50: c.quantile(0.5),
      candidateP95: c.quantile(0.95),
      candidateP99: c.quantile(0.99),
    };
    const bq = b.quantile(q);
    const cq = c.quantile(q);
    const p95Ratio = (metrics.candidateP95 as number) / (metrics.baselineP95 as number);
    metrics.p95Ratio = Number.isFinite(p95Ratio) ? p95Ratio : null;
    const ratio = cq / bq;
    const value = Number.isFinite(ratio) ? ratio : null;
    if (q !== 0.95) {
      metrics[`baseline${qLabel.toUpperCase()}`] = bq;
      metrics[`candidate${qLabel.toUpperCase()}`] = cq;
      metrics.quantileRatio = value;
    }
    if (sloMs !== undefined) metrics.sloMs = sloMs;

    // The CDF band starts at tMin = minSamples: fixed for a run, and no decision is taken before it.
    const tMin = minSamples;
    if (b.count < tMin || c.count < tMin) {
      const short =
        c.count < tMin
          ? `candidate has ${c.count} latency samples, needs ${minSamples}`
          : `baseline has ${b.count} latency samples, needs ${minSamples}`;
      return { ...base, verdict: "inconclusive", value, interval: null, reason: short, metrics };
    }

    // band: alpha/2 per arm covers both sides; quantile: alpha/4 per side per arm
    const [bLo, bHi] =
      method === "band" ? bandBounds(b, q, alpha / 2, tMin) : quantileSequenceBounds(b, q, alpha / 4);
    const [cLo, cHi] =
      method === "band" ? bandBounds(c, q, alpha / 2, tMin) : quantileSequenceBounds(c, q, alpha / 4);
    const ratioLo = bHi > 0 && Number.isFinite(bHi) ? cLo / bHi : 0;
    const ratioHi = bLo > 0 && Number.isFinite(cHi) ? cHi / bLo : Number.POSITIVE_INFINITY;
    const fin = (x: number) => (Number.isFinite(x) ? x : null);
    metrics.ratioLow = fin(Math.max(0, ratioLo));
    metrics.ratioHigh = fin(ratioHi);
    metrics.candidateQuantileLow = fin(cLo);
    metrics.candidateQuantileHigh = fin(cHi);
    const interval: [number, number] | null =
      Number.isFinite(ratioLo) && Number.isFinite(ratioHi) ? [Math.max(0, ratioLo), ratioHi] : null;
    const conf = `${Number(((1 - alpha) * 100).toPrecision(4))}%`;
    const ratioText = Number.isFinite(ratio)
      ? `candidate ${qLabel} ${fmtMs(cq)} ms is ${fmtX(ratio)} baseline's ${fmtMs(bq)} ms`
      : `candidate ${qLabel} ${fmtMs(cq)} ms against baseline's ${fmtMs(bq)} ms (ratio undefined)`;
    const intervalText = `anytime-valid ${conf} interval ${fmtX(Math.max(0, ratioLo))}–${Number.isFinite(ratioHi) ? fmtX(ratioHi) : "∞"}`;

    if (ratioLo > maxRatio) {
      return {
        ...base,
        verdict: "fail",
        value,
        interval,
        reason: `${ratioText} (limit ${fmtX(maxRatio)}; ${intervalText})`,
        metrics,
      };
    }
    if (sloMs !== undefined && cLo > sloMs) {
      return {
        metric: `${qLabel}_ms`,
        threshold: sloMs,
        n,
        verdict: "fail",
        value: cq,
        interval: Number.isFinite(cHi) ? [cLo, cHi] : null,
        reason: `candidate ${qLabel} ${fmtMs(cq)} ms is above the SLO of ${fmtMs(sloMs)} ms (anytime-valid lower bound ${fmtMs(cLo)} ms)`,
        metrics,
      };
    }
    const sloOk = sloMs === undefined || cHi <= sloMs;
    if (ratioHi <= maxRatio && sloOk) {
      const sloText =
        sloMs === undefined ? "" : `; ${qLabel} ≤ ${fmtMs(cHi)} ms within SLO ${fmtMs(sloMs)} ms`;
      return {
        ...base,
        verdict: "pass",
        value,
        interval,
        reason: `${ratioText}, within ${fmtX(maxRatio)} (${intervalText}${sloText})`,
        metrics,
      };
    }
    const why =
      ratioHi > maxRatio
        ? `${intervalText} still reaches beyond the limit ${fmtX(maxRatio)}`
        : `candidate ${qLabel} upper bound ${Number.isFinite(cHi) ? `${fmtMs(cHi)} ms` : "∞"} still reaches beyond the SLO ${fmtMs(sloMs ?? 0)} ms`;
    return {
      ...base,
      verdict: "inconclusive",
      value,
      interval,
      reason: `${ratioText}; ${why}, more data needed`,
      metrics,
    };
  },
};
