/**
 * Paired (shadow) vs unpaired (canary) power to detect the same AUC drop: how many requests each
 * needs before the anytime-valid AUC gate fails a candidate whose AUC is ~0.02 below the baseline's.
 *
 * Requests carry a shared latent value (what makes a case easy or hard for both models); the baseline
 * scores sigmoid(latent + N(0, 0.3²)), the candidate sigmoid(latent − 0.12·label + N(0, 0.3²)).
 * Three ways of spending N requests, each judged every `look` requests with margin 0 (fail = the
 * anytime-valid upper bound on AUC_candidate − AUC_baseline is below 0), alpha 0.05:
 * - shadow: both versions answer all N requests; the shadow auc gate (paired DeLong on the joint grid);
 * - canary 50/50: each request goes to one version; the canary auc gate (unpaired DeLong, two cohorts);
 * - unpaired on mirrored traffic: both versions answer all N, but judged as two independent cohorts
 *   (the canary gate): isolates what pairing itself buys from having twice the answers.
 * Reported: median requests to the first fail over seeded runs, and runs that failed within maxN.
 * Then (bench/shadow-n80.ts) n80 against the oracle for the main shadow decisions, anytime-valid and
 * with a declared look schedule.
 *
 *   npx tsx bench/shadow-power.ts [--quick] [--runs R] [--append docs/BENCHMARKS.md]
 *
 * `runShadowPower(opts)` and `renderShadowPower(result)` are exported for bench/run.ts.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { aucGate } from "../src/gates/auc.js";
import { upperBound } from "../src/gates/sequential.js";
import { shadowAucGate } from "../src/gates/shadow/auc.js";
import { FINE_BINS, pairedDelongFromJoint } from "../src/shadow/joint-histogram.js";
import { DEFAULT_PAIRED_LAYOUT, PairedSummary } from "../src/shadow/paired-summary.js";
import { CohortSummary, DEFAULT_LAYOUT } from "../src/sketch/cohort-summary.js";
import { delongFromBins } from "../src/stats/delong.js";
import { normalCdf, normalQuantile } from "../src/stats/normal.js";
import { mulberry32, type RandomSource, randomNormal } from "../src/stats/random.js";
import { measureShadowN80, type ShadowN80, shadowRows, shadowSchedule, validN80 } from "./shadow-n80.js";

export interface ShadowPowerOptions {
  runs: number;
  maxRequests: number;
  look: number;
  drop: number;
  alpha: number;
  seed: number;
  /** the n80 part (bench/shadow-n80.ts), or null to leave it out */
  n80: N80Options | null;
}

export interface N80Options {
  /** seeded runs per decision and mode */
  runs: number;
  /** the gate's alpha (the gate alone, as a 7-gate request at alpha 0.05 gives each about 0.007) */
  alpha: number;
  /** simulated requests behind the AUC and agreement oracles */
  referenceSize: number;
  /** looks declared in the schedule mode (Argo asks as many times again after them) */
  looks: number;
  /** anytime mode: last look at this multiple of the oracle's n */
  maxFactor: number;
}

export interface SchemeResult {
  name: string;
  /** requests to the first fail per run; null = not within maxRequests */
  detections: Array<number | null>;
  median: number | null;
  detected: number;
  /** runs that failed with no AUC difference at all (drop 0): false fails, should be ≤ alpha·runs */
  nullFails: number;
}

export interface ShadowPowerResult {
  options: ShadowPowerOptions;
  baselineAuc: number;
  candidateAuc: number;
  /** binning error bound of both AUCs together, on the shipped layouts (400,000 requests) */
  binning: { shadow: number; canary: number };
  schemes: SchemeResult[];
  /** per decision: the anytime-valid and the declared-schedule measurement */
  n80: Array<{ anytime: ShadowN80; declared: ShadowN80 }> | null;
  seconds: number;
}

export const FULL: ShadowPowerOptions = {
  runs: 30,
  maxRequests: 200_000,
  look: 500,
  drop: 0.12,
  alpha: 0.05,
  seed: 1,
  n80: { runs: 200, alpha: 0.01, referenceSize: 400_000, looks: 10, maxFactor: 8 },
};
export const QUICK: ShadowPowerOptions = {
  runs: 4,
  maxRequests: 40_000,
  look: 1000,
  drop: 0.12,
  alpha: 0.05,
  seed: 1,
  n80: { runs: 20, alpha: 0.01, referenceSize: 50_000, looks: 10, maxFactor: 8 },
};

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function request(random: RandomSource, drop: number) {
  const label: 0 | 1 = random() < 0.3 ? 1 : 0;
  const latent = randomNormal(random) + 1.5 * label;
  return {
    label,
    baseline: sigmoid(latent + randomNormal(random, 0, 0.3)),
    candidate: sigmoid(latent - drop * label + randomNormal(random, 0, 0.3)),
  };
}

const config = { margin: 0, minLabelled: 1, floor: 0 };
const shadowConfig = { margin: 0, minLabelled: 1 };
/** The gates' smallest AUC scale: with margin 0 both tune their sequences there. */
const AUC_SCALE = 0.005;
/** The canary auc gate's share of its alpha for the margin claim (its floor claim gets the rest). */
const CANARY_MARGIN_SHARE = 0.9;

type Scheme = "shadow" | "canary" | "mirrored-unpaired";
/** gate: the shipped gate's verdict (its interval is widened by the binning error bound); statistic: the bare one-sided bound */
type Rule = "gate" | "statistic";

/**
 * The gates' anytime-valid upper bound on the AUC difference (the shared decision engine, each
 * scheme at its gate's alpha for the margin claim) without the binning widening.
 */
function bareUpperBound(
  scheme: Scheme,
  paired: PairedSummary,
  b: CohortSummary,
  c: CohortSummary,
  alpha: number,
): number {
  if (scheme === "shadow") {
    const d = pairedDelongFromJoint(paired.joint);
    return upperBound({ estimate: d.difference, se: Math.sqrt(d.differenceVariance) }, alpha, AUC_SCALE);
  }
  const db = delongFromBins(b.scoresPositive.counts, b.scoresNegative.counts);
  const dc = delongFromBins(c.scoresPositive.counts, c.scoresNegative.counts);
  const contrast = { estimate: dc.auc - db.auc, se: Math.sqrt(db.variance + dc.variance) };
  return upperBound(contrast, alpha * CANARY_MARGIN_SHARE, AUC_SCALE);
}

/** Requests until the first fail of one scheme in one run (null if none within maxRequests). */
function run(scheme: Scheme, rule: Rule, o: ShadowPowerOptions, seed: number): number | null {
  const random = mulberry32(seed);
  const paired = new PairedSummary();
  const baseline = new CohortSummary();
  const candidate = new CohortSummary();
  const noPairing = { baseline: 0, candidate: 0 };
  for (let n = 1; n <= o.maxRequests; n++) {
    const r = request(random, o.drop);
    if (scheme === "shadow") {
      paired.addPair({ score: r.baseline }, { score: r.candidate }, 0);
      paired.addLabel({ score: r.baseline }, { score: r.candidate }, r.label);
    } else if (scheme === "canary") {
      const arm = random() < 0.5 ? baseline : candidate;
      const score = arm === baseline ? r.baseline : r.candidate;
      (r.label === 1 ? arm.scoresPositive : arm.scoresNegative).add(score);
    } else {
      (r.label === 1 ? baseline.scoresPositive : baseline.scoresNegative).add(r.baseline);
      (r.label === 1 ? candidate.scoresPositive : candidate.scoresNegative).add(r.candidate);
    }
    if (n % o.look !== 0) continue;
    if (rule === "statistic") {
      if (bareUpperBound(scheme, paired, baseline, candidate, o.alpha) < 0) return n;
      continue;
    }
    const verdict =
      scheme === "shadow"
        ? shadowAucGate.evaluate({
            paired: { summary: paired, unpaired: noPairing, pending: noPairing },
            config: shadowConfig,
            alpha: o.alpha,
          }).verdict
        : aucGate.evaluate({ baseline, candidate, config, alpha: o.alpha }).verdict;
    if (verdict === "fail") return n;
  }
  return null;
}

function median(xs: Array<number | null>): number | null {
  // undetected runs count as +∞, so the median is defined while at least half the runs detect
  const sorted = xs.map((x) => x ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
  const m =
    sorted.length % 2 === 1
      ? sorted[(sorted.length - 1) / 2]
      : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return Number.isFinite(m) ? m : null;
}

/**
 * True AUCs of the simulated versions, from one large sample (1000×1000 grid), and the binning error
 * bound both gates widen their intervals by: the shadow gate on the shipped joint grid, the canary gate
 * on the shipped score histogram (the same requests, each version's scores in its own cohort).
 */
function trueAucs(o: ShadowPowerOptions): {
  baselineAuc: number;
  candidateAuc: number;
  binning: { shadow: number; canary: number };
} {
  const random = mulberry32(o.seed + 999_999);
  const fine = new PairedSummary({ scoreLo: 0, scoreHi: 1, grid: 1000, diffBins: 2, sketchAlpha: 0.01 });
  const shipped = new PairedSummary();
  const baseline = new CohortSummary();
  const candidate = new CohortSummary();
  for (let i = 0; i < 400_000; i++) {
    const r = request(random, o.drop);
    for (const p of [fine, shipped]) p.addLabel({ score: r.baseline }, { score: r.candidate }, r.label);
    (r.label === 1 ? baseline.scoresPositive : baseline.scoresNegative).add(r.baseline);
    (r.label === 1 ? candidate.scoresPositive : candidate.scoresNegative).add(r.candidate);
  }
  const none = { baseline: 0, candidate: 0 };
  const shadow = (summary: PairedSummary) =>
    shadowAucGate.evaluate({
      paired: { summary, unpaired: none, pending: none },
      config: shadowConfig,
      alpha: 0.05,
    }).metrics;
  const truth = shadow(fine);
  const canary = aucGate.evaluate({ baseline, candidate, config, alpha: 0.05 }).metrics;
  return {
    baselineAuc: truth.baselineAuc as number,
    candidateAuc: truth.candidateAuc as number,
    binning: {
      shadow: shadow(shipped).binningError as number,
      canary: (canary.baselineAucMaxError as number) + (canary.candidateAucMaxError as number),
    },
  };
}

export function runShadowPower(
  o: ShadowPowerOptions,
  log: (line: string) => void = () => {},
): ShadowPowerResult {
  const started = performance.now();
  const { baselineAuc, candidateAuc, binning } = trueAucs(o);
  const schemes: SchemeResult[] = [];
  for (const [name, scheme, rule] of [
    ["shadow (paired DeLong), shipped gate", "shadow", "gate"],
    ["canary 50/50 (unpaired DeLong), shipped gate", "canary", "gate"],
    ["mirrored traffic judged unpaired, shipped gate", "mirrored-unpaired", "gate"],
    ["shadow (paired DeLong), bare bound", "shadow", "statistic"],
    ["canary 50/50 (unpaired DeLong), bare bound", "canary", "statistic"],
    ["mirrored traffic judged unpaired, bare bound", "mirrored-unpaired", "statistic"],
  ] as const) {
    const detections: Array<number | null> = [];
    // the same seeds for every scheme: the same simulated requests
    for (let i = 0; i < o.runs; i++) detections.push(run(scheme, rule, o, o.seed * 1000 + i));
    let nullFails = 0;
    for (let i = 0; i < o.runs; i++)
      if (run(scheme, rule, { ...o, drop: 0 }, o.seed * 1000 + i) !== null) nullFails++;
    const result = {
      name,
      detections,
      median: median(detections),
      detected: detections.filter((d) => d !== null).length,
      nullFails,
    };
    log(
      `shadow-power: ${name}: median ${result.median ?? "not reached"}, ${result.detected}/${o.runs} detected, ${nullFails}/${o.runs} false fails at drop 0`,
    );
    schemes.push(result);
  }
  return {
    options: o,
    baselineAuc,
    candidateAuc,
    binning,
    schemes,
    n80: o.n80 ? runN80(o.n80, o.seed, log) : null,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Every shadow decision of bench/shadow-n80.ts, anytime-valid and with a declared schedule. */
function runN80(o: N80Options, seed: number, log: (line: string) => void) {
  return shadowRows(o.referenceSize).map((row) => {
    const common = { runs: o.runs, alpha: o.alpha, seed, maxFactor: o.maxFactor };
    const anytime = measureShadowN80(row, common);
    const schedule = shadowSchedule(row, o.alpha, o.looks, "obrien-fleming");
    const declared = measureShadowN80(row, { ...common, schedule });
    const fmt = (r: ShadowN80) =>
      `n80 ${r.n80 ?? "not reached"} (${r.ratio?.toFixed(2) ?? "—"}×), ${r.wrong} wrong`;
    log(
      `shadow-n80: ${row.gate} ${row.expect} ${row.label}: oracle ${anytime.oracleN80}; anytime ${fmt(anytime)}; declared ${fmt(declared)}`,
    );
    return { anytime, declared };
  });
}

const int = (x: number) => Math.round(x).toLocaleString("en-US");

export function renderShadowPower(r: ShadowPowerResult): string {
  const o = r.options;
  const rows = r.schemes.map((s, i) => {
    const shadow = r.schemes[i < 3 ? 0 : 3].median;
    const quartiles = s.detections.map((d) => d ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
    const q = (p: number) => quartiles[Math.min(quartiles.length - 1, Math.floor(p * quartiles.length))];
    const fmt = (x: number) => (Number.isFinite(x) ? int(x) : `> ${int(o.maxRequests)}`);
    const ratio = s.median !== null && shadow !== null ? `${(s.median / shadow).toFixed(1)}×` : "—";
    return `| ${s.name} | ${s.median !== null ? int(s.median) : `> ${int(o.maxRequests)}`} | ${fmt(q(0.25))}–${fmt(q(0.75))} | ${s.detected}/${o.runs} | ${ratio} | ${s.nullFails}/${o.runs} |`;
  });
  return [
    "<!-- shadow-power:start -->",
    "## Shadow mode: paired vs unpaired power (AUC drop)",
    "",
    `Generated by \`npx tsx bench/shadow-power.ts\` (${r.seconds.toFixed(0)} s). Requests share a latent difficulty; the candidate's`,
    `signal is weaker: AUC ${r.candidateAuc.toFixed(4)} vs ${r.baselineAuc.toFixed(4)} (Δ = ${(r.candidateAuc - r.baselineAuc).toFixed(4)}, from 400,000 simulated requests).`,
    `Each scheme is judged every ${int(o.look)} requests by the shipped AUC gate with margin 0 (fail = anytime-valid upper bound on`,
    `the AUC difference below 0), alpha ${o.alpha}, ${o.runs} seeded runs, at most ${int(o.maxRequests)} requests. Figures are *requests*`,
    "(in shadow and mirrored schemes each request is answered by both versions; in the canary each by one). With margin 0",
    `both gates tune their sequences at their smallest AUC scale (${AUC_SCALE}); the canary gate's margin claim has ${CANARY_MARGIN_SHARE * 100}% of its alpha`,
    "(its chance-floor claim the rest), the shadow gate's all of it.",
    "",
    "| scheme | median requests to fail | interquartile | runs failed | vs shadow | false fails, no drop |",
    "|---|---:|---:|---:|---:|---:|",
    ...rows,
    "",
    "Shadow mode's paired DeLong subtracts the covariance of the two versions' placements on the same cases",
    "(Var Δ = Var_b + Var_c − 2·Cov). The mirrored-unpaired rows have the same answers as shadow mode but ignore the",
    "pairing, so shadow vs mirrored-unpaired is what pairing buys, and canary vs mirrored-unpaired what mirroring",
    'every request buys. "Shipped gate" rows widen the interval by the binning error bound of both AUCs (½·tied',
    `pairs/(P·N) per model: ${r.binning.shadow.toFixed(4)} in total on the shadow gate's ${FINE_BINS}-bin marginals, ${r.binning.canary.toFixed(4)} on the canary gate's ${DEFAULT_LAYOUT.scoreBins} bins),`,
    'so that the bounds hold for the raw-score AUCs; "bare bound" rows drop that widening to show the statistics alone.',
    "The last column reruns every scheme on the same seeds with no AUC difference (candidate = baseline signal,",
    "own noise): runs that ever failed within the maximum, the anytime-valid false-fail rate (bound: alpha).",
    ...(r.n80 && o.n80 ? ["", ...renderN80(r.n80, o.n80)] : []),
    "<!-- shadow-power:end -->",
    "",
  ].join("\n");
}

function renderN80(rows: NonNullable<ShadowPowerResult["n80"]>, o: N80Options): string[] {
  const grid = DEFAULT_PAIRED_LAYOUT.grid;
  const binnings = rows.flatMap(({ anytime }) =>
    anytime.row.binning !== undefined ? [anytime.row.binning] : [],
  );
  const binning = [Math.min(...binnings), Math.max(...binnings)].map((b) => b.toFixed(4)).join("–");
  const n = (x: number | null, last: number) => (x === null ? `> ${int(last)}` : int(x));
  const ratio = (r: ShadowN80) => (r.ratio === null ? "—" : `${r.ratio.toFixed(2)}×`);
  const lines = rows.map(({ anytime: a, declared: d }) => {
    const oracle = a.row.oracle;
    return `| ${a.row.gate} | ${a.row.expect}: ${a.row.label} | ${int(a.oracleN80)} | ${n(a.n80, a.lastLook)} | ${ratio(a)} | ${n(d.n80, d.lastLook)} | ${ratio(d)} | ${a.wrong + d.wrong} | ${oracle.from}, sd·√n ${oracle.se1.toFixed(4)} |`;
  });
  return [
    "### Shadow mode: paired requests to a decision, against the oracle (n80)",
    "",
    `Each shadow gate alone at alpha ${o.alpha} (as in the canary efficiency rows: a gate's share of 0.05), ${o.runs} seeded runs per row and`,
    "mode, the default settings (margin 0.02, maxIncrease 0.5%, maxFlipRate 5%). n80: the paired requests by which 80% of runs",
    "reached the right decision. Oracle: a fixed-sample one-sided z-test at the same alpha with 80% power that knows the true",
    "variance of the *paired* contrast (errors: from the generative model; AUC and agreement: from one simulated sample of",
    `${int(o.referenceSize)} requests of the same world). Anytime: looks every 15% more requests up to ${o.maxFactor}× the oracle's n. Declared:`,
    `${o.looks} looks (O'Brien–Fleming-type spending) planned for 90% power at the deciding claim's alpha share (against the effect`,
    'less the AUC binning widening), and as many again after them (only the anytime reserve decides there). "wrong" counts runs',
    "of either mode whose first decision was the wrong one.",
    "",
    "| gate | decision | oracle n80 | anytime n80 | ratio | declared n80 | ratio | wrong | oracle variance |",
    "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ...lines,
    "",
    `The AUC rows read both AUCs on each version's ${FINE_BINS}-bin score marginals and the paired variance on the ${grid}×${grid} joint`,
    "grid; the gate widens its AUC bounds by both versions' binning error bound on the marginals (½·tied pairs/(P·N) each) so",
    `they hold for the raw-score AUCs: in these worlds ${binning} in total, against the margin 0.02.`,
    ...rows.flatMap(({ anytime: a, declared: d }) => validityNote(a, d, o.alpha)),
  ];
}

/**
 * A row whose oracle is not a valid test (a rate: the truth's variance is smaller than the boundary's,
 * where the gate takes its variance), against the smallest valid fixed-sample test.
 */
function validityNote(a: ShadowN80, d: ShadowN80, alpha: number): string[] {
  const valid = validN80(a.row, alpha);
  const boundary = a.row.oracle.seBoundary;
  if (valid === undefined || boundary === undefined) return [];
  const za = normalQuantile(1 - alpha);
  const size = normalCdf((-za * a.row.oracle.se1) / boundary);
  const over = (r: ShadowN80) => (r.n80 === null ? "not reached" : `${(r.n80 / valid).toFixed(2)}×`);
  return [
    "",
    `The ${a.row.gate} row's oracle is not a valid test: its variance is the truth's (sd·√n ${a.row.oracle.se1.toFixed(4)}), but at the boundary it must hold against the rate's variance is larger (${boundary.toFixed(4)}), so that z-test would pass ${(size * 100).toFixed(1)}% of candidates sitting on the boundary instead of ${(alpha * 100).toFixed(0)}%. The gate tests at the boundary's variance (a score test). The smallest valid fixed-sample test (the boundary's variance for alpha, the truth's for power) needs ${int(valid)} paired decisions: against it modelgate's ${a.row.gate} ${a.row.expect} is ${over(a)} (anytime-valid) and ${over(d)} (declared looks).`,
  ];
}

/** Replace this benchmark's section in a markdown file (between its markers), or append it. */
export function upsertSection(path: string, section: string): void {
  let text = "";
  try {
    text = readFileSync(path, "utf8");
  } catch {
    // a new file
  }
  const start = text.indexOf("<!-- shadow-power:start -->");
  const end = text.indexOf("<!-- shadow-power:end -->");
  const next =
    start >= 0 && end > start
      ? `${text.slice(0, start)}${section.trimEnd()}${text.slice(end + "<!-- shadow-power:end -->".length)}`
      : `${text}${text === "" || text.endsWith("\n\n") ? "" : text.endsWith("\n") ? "\n" : "\n\n"}${section}`;
  writeFileSync(path, next);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      quick: { type: "boolean", default: false },
      runs: { type: "string" },
      drop: { type: "string" },
      append: { type: "string" },
    },
    strict: true,
  });
  const o = { ...(values.quick ? QUICK : FULL) };
  if (values.runs) o.runs = Number(values.runs);
  if (values.drop) o.drop = Number(values.drop);
  const result = runShadowPower(o, (l) => process.stderr.write(`${l}\n`));
  const section = renderShadowPower(result);
  process.stdout.write(section);
  if (values.append) upsertSection(values.append, section);
}

/**
 * For bench/run.ts, which rewrites docs/BENCHMARKS.md whole: `newText` with the shadow-power section
 * of the file at `path` (if it has one) appended, so a full run does not drop it.
 */
export function keepShadowSection(path: string, newText: string): string {
  let old = "";
  try {
    old = readFileSync(path, "utf8");
  } catch {
    return newText;
  }
  const start = old.indexOf("<!-- shadow-power:start -->");
  const end = old.indexOf("<!-- shadow-power:end -->");
  if (start < 0 || end < start || newText.includes("<!-- shadow-power:start -->")) return newText;
  const section = old.slice(start, end + "<!-- shadow-power:end -->".length);
  return `${newText.trimEnd()}\n\n${section}\n`;
}
