import type { LatencySketch } from "../sketch/latency-sketch.js";
import { parseEnumField, parseNumberField } from "./config-parse.js";
import { emptyArmResult, type Gate, type GateInput, type GateResult, needsText } from "./gate.js";
import { bandBounds, quantileSequenceBounds } from "./latency-bounds.js";
import { logRatioContrast, sloTest } from "./latency-quantile.js";
import {
  informationFactor,
  lowerBound,
  needsMore,
  type SequentialContext,
  upperBound,
} from "./sequential.js";

export { quantileSequenceBounds } from "./latency-bounds.js";

export interface LatencyConfig {
  /**
   * "asymptotic" (default): one confidence sequence for the log quantile ratio; "quantile": per-arm
   * nonasymptotic betting sequences; "band": per-arm uniform CDF bands
   */
  method: "asymptotic" | "quantile" | "band";
  /** quantile judged, in (0, 1); default 0.95 */
  quantile: number;
  /** largest tolerated candidate/baseline ratio at that quantile; default 1.2 */
  maxRatio: number;
  /** absolute SLO on the candidate's quantile in ms; undefined = none */
  sloMs: number | undefined;
  /** samples each arm needs before the gate can pass (and the start of the CDF band); default 100 */
  minSamples: number;
}

/** Bounds the verdict rests on; every bound is anytime-valid at the level noted. */
interface Bounds {
  /** ratio lower bound at the fail share of alpha, and upper bound at the gate's alpha */
  ratio: [number, number];
  /** candidate quantile (ms) lower bound at the SLO's fail share, upper bound at the gate's alpha */
  candidate: [number, number];
  /** the claims at the tolerances when tested directly (else read off the bounds) */
  decisions?: { ratioAbove: boolean; ratioBelow: boolean; sloAbove: boolean; sloBelow: boolean };
  /** what the open ratio claim needs if the estimate holds (asymptotic method) */
  needs?: GateResult["needs"];
}

/** Smallest log-ratio scale the sequences are tuned to (a maxRatio of 1 would put the optimum at ∞). */
export const MIN_SCALE = 0.05;

const fmtMs = (x: number) =>
  x === 0 ? "0" : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toPrecision(3);
const fmtX = (x: number) => `${x.toFixed(2)}x`;
const label = (q: number) => `p${Number((q * 100).toPrecision(6))}`;

/**
 * Asymptotic method (latency-quantile.ts): the ratio claims on θ = ln Q_c − ln Q_b with both arms'
 * sampling variances (one sequence for the ratio), the SLO claims on the candidate's CDF at the SLO.
 * Tuned at ln(maxRatio) for the ratio and at the CDF shift that ratio makes at q for the SLO
 * (√(q(1 − q))·ln maxRatio): properties of the settings, never of the data. undefined when an arm's
 * quantile is not positive.
 */
function asymptoticBounds(
  b: LatencySketch,
  c: LatencySketch,
  config: LatencyConfig,
  alphas: { ratio: number; slo: number; pass: number },
  context: SequentialContext | undefined,
): Bounds | undefined {
  const q = config.quantile;
  const contrast = logRatioContrast(b, c, q);
  if (!contrast) return undefined;
  const scale = Math.max(Math.abs(Math.log(config.maxRatio)), MIN_SCALE);
  const ratio = { context, key: "ratio" };
  const slo =
    config.sloMs === undefined
      ? undefined
      : sloTest(c, q, config.sloMs, { fail: alphas.slo, pass: alphas.pass }, Math.sqrt(q * (1 - q)) * scale, {
          context,
          key: "slo",
        });
  const tolerance = Math.log(config.maxRatio);
  const factor =
    contrast.estimate < tolerance
      ? informationFactor(tolerance - contrast.estimate, contrast.se, alphas.pass, scale)
      : informationFactor(contrast.estimate - tolerance, contrast.se, alphas.ratio, scale);
  return {
    needs: needsMore(factor, c.count, "latency samples"),
    ratio: [
      Math.exp(lowerBound(contrast, alphas.ratio, scale, ratio)),
      Math.exp(upperBound(contrast, alphas.pass, scale, ratio)),
    ],
    // without an SLO the candidate's own interval only informs (plots, metrics): the per-arm sequence
    candidate: slo?.interval ?? quantileSequenceBounds(c, q, alphas.slo),
    decisions: slo && {
      ratioAbove: lowerBound(contrast, alphas.ratio, scale, ratio) > Math.log(config.maxRatio),
      ratioBelow: upperBound(contrast, alphas.pass, scale, ratio) <= Math.log(config.maxRatio),
      sloAbove: slo.above,
      sloBelow: slo.below,
    },
  };
}

/**
 * Per-arm methods: each arm's quantile bounded on its own, combined at the worst ends
 * (ratio ∈ [Q_c,low/Q_b,high, Q_c,high/Q_b,low]); a fail uses Q_c,low and Q_b,high at half the fail
 * share each, a pass Q_c,high and Q_b,low at half of alpha each.
 */
function perArmBounds(
  b: LatencySketch,
  c: LatencySketch,
  config: LatencyConfig,
  alphaFail: number,
  alpha: number,
): Bounds {
  const q = config.quantile;
  const arm = (s: LatencySketch, a: number) =>
    config.method === "band" ? bandBounds(s, q, 2 * a, config.minSamples) : quantileSequenceBounds(s, q, a);
  const [cLo] = arm(c, alphaFail / 2);
  const [, bHi] = arm(b, alphaFail / 2);
  const [, cHi] = arm(c, alpha / 2);
  const [bLo] = arm(b, alpha / 2);
  return {
    ratio: [
      bHi > 0 && Number.isFinite(bHi) ? Math.max(0, cLo / bHi) : 0,
      bLo > 0 && Number.isFinite(cHi) ? cHi / bLo : Number.POSITIVE_INFINITY,
    ],
    candidate: [cLo, cHi],
  };
}

/**
 * Latency gate: p50/p95/p99 of both cohorts, and a decision on the candidate/baseline ratio at the
 * configured quantile (default p95) and optionally on an absolute SLO on the candidate's quantile.
 *
 * - fail: the ratio's lower bound > maxRatio, or the candidate quantile's lower bound > sloMs. The two
 *   fail claims split the gate's alpha (all of it to the ratio when no SLO is set), so the gate
 *   falsely fails with probability ≤ alpha over all looks.
 * - pass: both arms have minSamples, the ratio's upper bound ≤ maxRatio and (if set) the candidate
 *   quantile's upper bound ≤ sloMs; each bound at the gate's alpha (a pass needs every claim, so a
 *   false pass needs its one false bound).
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
    const method = parseEnumField(raw, "method", ["asymptotic", "quantile", "band"] as const, "asymptotic");
    return { method, quantile, maxRatio, sloMs: Number.isFinite(slo) ? slo : undefined, minSamples };
  },

  evaluate({ baseline, candidate, config, alpha, sequential }: GateInput<LatencyConfig>): GateResult {
    const { quantile: q, maxRatio, sloMs, minSamples } = config;
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
    metrics.method = config.method;

    if (b.count < minSamples || c.count < minSamples) {
      const short =
        c.count < minSamples
          ? `candidate has ${c.count} latency samples, needs ${minSamples}`
          : `baseline has ${b.count} latency samples, needs ${minSamples}`;
      return { ...base, verdict: "inconclusive", value, interval: null, reason: short, metrics };
    }

    const alphaRatio = sloMs === undefined ? alpha : alpha / 2;
    const alphaSlo = alpha / 2;
    const bounds =
      config.method === "asymptotic"
        ? asymptoticBounds(b, c, config, { ratio: alphaRatio, slo: alphaSlo, pass: alpha }, sequential)
        : perArmBounds(b, c, config, alphaRatio, alpha);
    if (!bounds) {
      return {
        ...base,
        verdict: "inconclusive",
        value,
        interval: null,
        reason: `the ${qLabel} of an arm is 0 ms (or its spread reaches 0): the ratio is undefined`,
        metrics,
      };
    }
    const [ratioLo, ratioHi] = bounds.ratio;
    const [cLo, cHi] = bounds.candidate;
    const d = bounds.decisions ?? {
      ratioAbove: ratioLo > maxRatio,
      ratioBelow: ratioHi <= maxRatio,
      sloAbove: sloMs !== undefined && cLo > sloMs,
      sloBelow: sloMs === undefined || cHi <= sloMs,
    };
    const fin = (x: number) => (Number.isFinite(x) ? x : null);
    metrics.ratioLow = fin(Math.max(0, ratioLo));
    metrics.ratioHigh = fin(ratioHi);
    metrics.candidateQuantileLow = fin(cLo);
    metrics.candidateQuantileHigh = fin(cHi);
    const interval: [number, number] | null =
      Number.isFinite(ratioLo) && Number.isFinite(ratioHi) ? [Math.max(0, ratioLo), ratioHi] : null;
    const ratioText = Number.isFinite(ratio)
      ? `candidate ${qLabel} ${fmtMs(cq)} ms is ${fmtX(ratio)} baseline's ${fmtMs(bq)} ms`
      : `candidate ${qLabel} ${fmtMs(cq)} ms against baseline's ${fmtMs(bq)} ms (ratio undefined)`;
    const intervalText = `anytime-valid interval ${fmtX(Math.max(0, ratioLo))}–${Number.isFinite(ratioHi) ? fmtX(ratioHi) : "∞"}`;

    if (d.ratioAbove) {
      return {
        ...base,
        verdict: "fail",
        value,
        interval,
        reason: `${ratioText} (limit ${fmtX(maxRatio)}; ${intervalText})`,
        metrics,
      };
    }
    if (sloMs !== undefined && d.sloAbove) {
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
    if (d.ratioBelow && d.sloBelow) {
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
    const why = !d.ratioBelow
      ? `${intervalText} still reaches beyond the limit ${fmtX(maxRatio)}`
      : `candidate ${qLabel} upper bound ${Number.isFinite(cHi) ? `${fmtMs(cHi)} ms` : "∞"} still reaches beyond the SLO ${fmtMs(sloMs ?? 0)} ms`;
    const needs = !d.ratioBelow ? bounds.needs : undefined;
    return {
      ...base,
      verdict: "inconclusive",
      value,
      interval,
      reason: `${ratioText}; ${why}, ${needsText(needs)}`,
      metrics,
      ...(needs ? { needs } : {}),
    };
  },
};
