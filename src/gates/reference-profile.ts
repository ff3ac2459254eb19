import { dictionary, isReservedName, reservedNameMessage } from "../safe-keys.js";
import { CohortSummary, DEFAULT_LAYOUT, type SummaryLayout } from "../sketch/cohort-summary.js";
import { LatencySketch, type LatencySketchJSON } from "../sketch/latency-sketch.js";
import { ScoreHistogram, type ScoreHistogramJSON } from "../sketch/score-histogram.js";

/**
 * A reference profile: the distributions a model is expected to see (typically its training or
 * validation set), uploaded once per model with `PUT /v1/models/{model}/reference` and used by the
 * drift gate to compare a candidate against something other than (or in addition to) the live
 * baseline. It has the shape of the drift-relevant part of a CohortSummary: a score histogram with
 * the model's bin layout, and per-feature numeric sketches or categorical counts.
 *
 * Store-agnostic: this file validates and normalises uploads and turns a profile into a
 * CohortSummary; persistence lives with the API route.
 */
export type ReferenceFeature =
  | { kind: "numeric"; sketch: LatencySketchJSON }
  | { kind: "categorical"; counts: Record<string, number> };

export interface ReferenceProfile {
  model: string;
  /** epoch ms of the upload */
  uploadedAt: number;
  description?: string;
  scores: ScoreHistogramJSON;
  features: Record<string, ReferenceFeature>;
}

/** An invalid profile (upload body or injected config), naming the offending field. */
export class ReferenceProfileError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = "ReferenceProfileError";
  }
}

const MAX_BINS = 100_000;
const MAX_FEATURES = 10_000;
const MAX_CATEGORIES = 100_000;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function finiteArray(v: unknown, field: string, nonNegative: boolean): number[] {
  if (!Array.isArray(v)) throw new ReferenceProfileError(field, "must be an array of numbers");
  return v.map((x, i) => {
    if (typeof x !== "number" || !Number.isFinite(x) || (nonNegative && x < 0)) {
      throw new ReferenceProfileError(
        `${field}[${i}]`,
        `must be a finite${nonNegative ? " non-negative" : ""} number, got ${JSON.stringify(x)}`,
      );
    }
    return x;
  });
}

/**
 * Scores as a histogram `{ lo, hi, counts }` (bins aligned with the model's live histograms) or as
 * raw values (an array, or `{ values }`) binned here with `layout`.
 */
function parseScores(v: unknown, layout: SummaryLayout): ScoreHistogramJSON {
  const field = "scores";
  if (Array.isArray(v) || (isObject(v) && Array.isArray(v.values))) {
    const values = finiteArray(
      Array.isArray(v) ? v : v.values,
      Array.isArray(v) ? field : `${field}.values`,
      false,
    );
    if (values.length === 0) throw new ReferenceProfileError(field, "must hold at least one score");
    const h = new ScoreHistogram(layout.scoreBins, layout.scoreLo, layout.scoreHi);
    for (const x of values) h.add(x);
    return h.toJSON();
  }
  if (!isObject(v)) {
    throw new ReferenceProfileError(field, "must be a histogram { lo, hi, counts } or an array of scores");
  }
  const counts = finiteArray(v.counts, `${field}.counts`, true);
  if (counts.length < 2 || counts.length > MAX_BINS) {
    throw new ReferenceProfileError(`${field}.counts`, `must have between 2 and ${MAX_BINS} bins`);
  }
  const lo = v.lo ?? layout.scoreLo;
  const hi = v.hi ?? layout.scoreHi;
  if (typeof lo !== "number" || typeof hi !== "number" || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new ReferenceProfileError(`${field}.lo`, "lo and hi must be finite numbers");
  }
  if (!(hi > lo))
    throw new ReferenceProfileError(`${field}.hi`, `must be greater than lo (${lo}), got ${hi}`);
  if (counts.reduce((a, b) => a + b, 0) <= 0) {
    throw new ReferenceProfileError(`${field}.counts`, "must hold at least one score");
  }
  const clamped = v.clamped ?? 0;
  if (typeof clamped !== "number" || !Number.isFinite(clamped) || clamped < 0) {
    throw new ReferenceProfileError(`${field}.clamped`, "must be a non-negative number");
  }
  return { lo, hi, counts, clamped };
}

function parseSketch(v: unknown, field: string): LatencySketchJSON {
  if (!isObject(v)) throw new ReferenceProfileError(field, "must be a sketch object");
  const alpha = v.alpha;
  if (typeof alpha !== "number" || !(alpha > 0 && alpha < 1)) {
    throw new ReferenceProfileError(`${field}.alpha`, "must be a number in (0, 1)");
  }
  const buckets = (key: "pos" | "neg") => {
    const b = v[key] ?? {};
    if (!isObject(b)) throw new ReferenceProfileError(`${field}.${key}`, "must map bucket index to count");
    const out: Record<string, number> = {};
    for (const [k, c] of Object.entries(b)) {
      if (!Number.isInteger(Number(k)) || typeof c !== "number" || !Number.isFinite(c) || c < 0) {
        throw new ReferenceProfileError(
          `${field}.${key}.${k}`,
          "must be a non-negative count at an integer index",
        );
      }
      out[String(Number(k))] = c;
    }
    return out;
  };
  const zero = v.zero ?? 0;
  if (typeof zero !== "number" || !Number.isFinite(zero) || zero < 0) {
    throw new ReferenceProfileError(`${field}.zero`, "must be a non-negative number");
  }
  const opt = (key: "min" | "max" | "sum") => {
    const x = v[key];
    if (x === undefined || x === null) return null;
    if (typeof x !== "number" || !Number.isFinite(x))
      throw new ReferenceProfileError(`${field}.${key}`, "must be a finite number");
    return x;
  };
  const sketch = LatencySketch.fromJSON({
    alpha,
    zero,
    pos: buckets("pos"),
    neg: buckets("neg"),
    min: opt("min"),
    max: opt("max"),
    sum: opt("sum") ?? 0,
  });
  if (sketch.count <= 0) throw new ReferenceProfileError(field, "must hold at least one value");
  // A hand-written sketch may omit min/max; the extreme buckets' values stand in for them so that
  // quantiles never come out infinite.
  const sorted = sketch.buckets();
  if (!Number.isFinite(sketch.min)) sketch.min = sorted[0][0];
  if (!Number.isFinite(sketch.max)) sketch.max = sorted[sorted.length - 1][0];
  return sketch.toJSON();
}

function parseFeature(v: unknown, field: string, layout: SummaryLayout): ReferenceFeature {
  // Shorthands: an array of numbers is a numeric feature's raw values, an array of strings a
  // categorical feature's raw values.
  if (Array.isArray(v)) {
    if (v.length === 0) throw new ReferenceProfileError(field, "must hold at least one value");
    if (v.every((x) => typeof x === "string")) return { kind: "categorical", counts: countStrings(v, field) };
    return parseFeature({ kind: "numeric", values: v }, field, layout);
  }
  if (!isObject(v)) throw new ReferenceProfileError(field, "must be a feature object or an array of values");
  if (v.kind === "numeric") {
    if (v.values !== undefined) {
      const values = finiteArray(v.values, `${field}.values`, false);
      if (values.length === 0)
        throw new ReferenceProfileError(`${field}.values`, "must hold at least one value");
      const s = new LatencySketch(layout.sketchAlpha);
      for (const x of values) s.add(x);
      return { kind: "numeric", sketch: s.toJSON() };
    }
    return { kind: "numeric", sketch: parseSketch(v.sketch, `${field}.sketch`) };
  }
  if (v.kind === "categorical") {
    if (Array.isArray(v.values))
      return { kind: "categorical", counts: countStrings(v.values, `${field}.values`) };
    if (!isObject(v.counts)) throw new ReferenceProfileError(`${field}.counts`, "must map category to count");
    const entries = Object.entries(v.counts);
    if (entries.length === 0 || entries.length > MAX_CATEGORIES) {
      throw new ReferenceProfileError(
        `${field}.counts`,
        `must have between 1 and ${MAX_CATEGORIES} categories`,
      );
    }
    const counts = dictionary<number>();
    let total = 0;
    for (const [k, c] of entries) {
      if (typeof c !== "number" || !Number.isFinite(c) || c < 0) {
        throw new ReferenceProfileError(
          `${field}.counts.${k}`,
          `must be a non-negative count, got ${JSON.stringify(c)}`,
        );
      }
      counts[k] = c;
      total += c;
    }
    if (total <= 0) throw new ReferenceProfileError(`${field}.counts`, "must hold at least one value");
    return { kind: "categorical", counts };
  }
  throw new ReferenceProfileError(
    `${field}.kind`,
    `must be "numeric" or "categorical", got ${JSON.stringify(v.kind)}`,
  );
}

function countStrings(values: unknown[], field: string): Record<string, number> {
  const counts = dictionary<number>();
  values.forEach((x, i) => {
    if (typeof x !== "string") throw new ReferenceProfileError(`${field}[${i}]`, "must be a string");
    counts[x] = (counts[x] ?? 0) + 1;
  });
  if (Object.keys(counts).length > MAX_CATEGORIES) {
    throw new ReferenceProfileError(field, `must have at most ${MAX_CATEGORIES} categories`);
  }
  return counts;
}

/**
 * Validate and normalise a profile: an upload body (raw values allowed) or a stored profile.
 * `model` and `uploadedAt` come from `defaults` unless the body carries them (a stored profile).
 * Throws ReferenceProfileError naming the field.
 */
export function parseReferenceProfile(
  body: unknown,
  defaults: { model: string; uploadedAt: number; layout?: SummaryLayout },
): ReferenceProfile {
  if (!isObject(body)) throw new ReferenceProfileError("body", "must be a JSON object");
  const layout = defaults.layout ?? DEFAULT_LAYOUT;
  if (body.scores === undefined) throw new ReferenceProfileError("scores", "is required");
  const scores = parseScores(body.scores, layout);
  const features = dictionary<ReferenceFeature>();
  if (body.features !== undefined) {
    if (!isObject(body.features))
      throw new ReferenceProfileError("features", "must map feature name to feature");
    const names = Object.keys(body.features);
    if (names.length > MAX_FEATURES) {
      throw new ReferenceProfileError("features", `must have at most ${MAX_FEATURES} features`);
    }
    for (const name of names) {
      if (isReservedName(name))
        throw new ReferenceProfileError(`features.${name}`, reservedNameMessage(name));
      features[name] = parseFeature(body.features[name], `features.${name}`, layout);
    }
  }
  const description = body.description;
  if (description !== undefined && typeof description !== "string") {
    throw new ReferenceProfileError("description", "must be a string");
  }
  const model = typeof body.model === "string" && body.model !== "" ? body.model : defaults.model;
  const uploadedAt =
    typeof body.uploadedAt === "number" && Number.isFinite(body.uploadedAt)
      ? body.uploadedAt
      : defaults.uploadedAt;
  return { model, uploadedAt, ...(description !== undefined ? { description } : {}), scores, features };
}

/**
 * The profile as a CohortSummary with its own layout, so the drift gate compares a candidate with
 * it exactly as with a baseline. Only `scores`, `events` and `features` are filled.
 */
export function referenceSummary(profile: ReferenceProfile): CohortSummary {
  const firstNumeric = Object.values(profile.features).find((f) => f.kind === "numeric");
  const layout: SummaryLayout = {
    scoreBins: profile.scores.counts.length,
    scoreLo: profile.scores.lo,
    scoreHi: profile.scores.hi,
    sketchAlpha: firstNumeric?.kind === "numeric" ? firstNumeric.sketch.alpha : DEFAULT_LAYOUT.sketchAlpha,
  };
  const s = new CohortSummary(layout);
  s.scores.merge(ScoreHistogram.fromJSON(profile.scores));
  s.events = s.scores.total;
  for (const [name, f] of Object.entries(profile.features)) {
    s.features.set(
      name,
      f.kind === "numeric"
        ? { kind: "numeric", sketch: LatencySketch.fromJSON(f.sketch) }
        : { kind: "categorical", counts: new Map(Object.entries(f.counts)) },
    );
  }
  return s;
}
