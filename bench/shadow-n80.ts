/**
 * Sample efficiency of shadow mode's main decisions: simulate `runs` shadow steps of a row's world,
 * ask the shadow gate (alone, at the gate's alpha) at a grid of looks, and report n80 — the smallest
 * look (paired requests) by which 80% of runs reached the right decision — beside the oracle's: a
 * fixed-sample one-sided z-test at the same alpha with 80% power that knows the true variance of the
 * *paired* contrast (bench/efficiency/oracle.ts). Two modes: anytime-valid (no schedule), and a
 * declared schedule of K looks planned like bench/efficiency/n80.ts plans a canary's.
 *
 * The world (as bench/shadow-power.ts and test/shadow/traffic.ts): every request has a label (30%
 * positive) and a latent difficulty shared by both versions, latent = N(0, 1) + 1.5·label; the
 * baseline scores sigmoid(latent + ε_b), ε_b ~ N(0, 0.3²); the candidate sigmoid(latent − drop·label +
 * ε_c), with its own noise ε_c ~ N(0, noise²) plus a share `shared` of ε_b; decisions are score ≥ 0.5.
 * Each version errs on a request independently at its own rate (an errored answer has no score).
 * Where the oracle's effect and variance come from: errors, analytically from the rates; AUC and
 * agreement, from one large simulated sample of the same world (`reference`).
 */
import type { GateResult } from "../src/gates/gate.js";
import { RESERVE } from "../src/gates/sequential.js";
import { SHADOW_GATES } from "../src/gates/shadow/registry.js";
import { SequentialRuns } from "../src/judge/sequential-runs.js";
import { pairedDelongFromJoint } from "../src/shadow/joint-histogram.js";
import { DEFAULT_PAIRED_LAYOUT, PairedSummary, type PairSide } from "../src/shadow/paired-summary.js";
import type { SpendingFunction } from "../src/stats/alpha-spending.js";
import { aucFromBins } from "../src/stats/auc-binned.js";
import { planGroupSequential } from "../src/stats/group-sequential-design.js";
import { mulberry32, type RandomSource, randomNormal } from "../src/stats/random.js";
import { judgeLook, lookGrid, type Schedule } from "./efficiency/n80.js";
import { oracleN, validRateN } from "./efficiency/oracle.js";

export interface ShadowWorld {
  /** how much weaker the candidate's signal is on positives (0: the same signal) */
  drop: number;
  /** sd of the candidate's own score noise */
  noise: number;
  /** share of the baseline's noise the candidate's score also carries (1: a near-copy) */
  shared: number;
  baselineErrorRate: number;
  candidateErrorRate: number;
}

type ShadowGateName = "auc" | "errors" | "agreement";

export interface ShadowRow {
  gate: ShadowGateName;
  label: string;
  expect: "fail" | "pass";
  world: ShadowWorld;
  settings: Record<string, unknown>;
  /**
   * distance from the truth to the deciding boundary, sd·√n of the paired contrast, and where from;
   * seBoundary: sd·√n at the boundary where the gate takes its variance there (a rate tested as a score
   * test), so that the oracle's z-test, with the truth's smaller variance, is not a valid test
   */
  oracle: {
    effect: number;
    se1: number;
    from: "generative model" | "simulated sample";
    seBoundary?: number;
  };
  /** share of the gate's alpha the deciding claim gets inside the gate (what a schedule is planned at) */
  claimShare: number;
  /** the true value of the contrast (for the table) */
  truth: number;
  /** side of the paired summary's joint score grid (the shipped layout's, unless a row asks otherwise) */
  grid: number;
  /** AUC rows: the binning error bound of both versions' AUCs the gate widens by (from the reference sample) */
  binning?: number;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const PREVALENCE = 0.3;

/** One request answered by both versions; labels always known. */
export function drawPair(
  w: ShadowWorld,
  random: RandomSource,
): { baseline: PairSide; candidate: PairSide; label: 0 | 1 } {
  const label: 0 | 1 = random() < PREVALENCE ? 1 : 0;
  const latent = randomNormal(random) + 1.5 * label;
  const eb = randomNormal(random, 0, 0.3);
  const ec = randomNormal(random, 0, w.noise);
  const bScore = sigmoid(latent + eb);
  const cScore = sigmoid(latent - w.drop * label + w.shared * eb + ec);
  const side = (score: number, errorRate: number): PairSide =>
    random() < errorRate ? { error: true } : { score, decision: score >= 0.5 ? 1 : 0 };
  return {
    baseline: side(bScore, w.baselineErrorRate),
    candidate: side(cScore, w.candidateErrorRate),
    label,
  };
}

function addPair(summary: PairedSummary, w: ShadowWorld, random: RandomSource): void {
  const p = drawPair(w, random);
  summary.addPair(p.baseline, p.candidate, 0);
  summary.addLabel(p.baseline, p.candidate, p.label);
}

/**
 * True paired AUC difference and n·Var of its estimate, the flip rate, and the AUC binning error bound
 * of both versions together on the shipped layout's fine marginals, from one large sample.
 */
export function reference(
  w: ShadowWorld,
  n: number,
  seed: number,
): { aucDelta: number; aucSe1: number; flipRate: number; binning: number } {
  const random = mulberry32(seed);
  const fine = new PairedSummary({ scoreLo: 0, scoreHi: 1, grid: 2000, diffBins: 2, sketchAlpha: 0.01 });
  const shipped = new PairedSummary(DEFAULT_PAIRED_LAYOUT);
  for (let i = 0; i < n; i++) {
    const p = drawPair(w, random);
    for (const s of [fine, shipped]) {
      s.addPair(p.baseline, p.candidate, 0);
      s.addLabel(p.baseline, p.candidate, p.label);
    }
  }
  // what the gate widens by: both versions' binning error bound on its fine marginals
  const error = (side: 0 | 1) => {
    const m = shipped.joint.fineMarginals(side)!;
    return aucFromBins(m.positives, m.negatives).maxError;
  };
  const binning = error(0) + error(1);
  const d = pairedDelongFromJoint(fine.joint);
  const labelled = d.baseline.nPositive + d.baseline.nNegative;
  return {
    aucDelta: d.difference,
    aucSe1: Math.sqrt(labelled * d.differenceVariance),
    flipRate: (fine.flipsUp + fine.flipsDown) / fine.decided,
    binning,
  };
}

const NO_ERRORS = { baselineErrorRate: 0, candidateErrorRate: 0 };

/** The rows measured; `referenceSize` simulated requests per world for the AUC and agreement oracles. */
export function shadowRows(referenceSize: number): ShadowRow[] {
  const rows: ShadowRow[] = [];
  const drop: ShadowWorld = { drop: 0.3, noise: 0.3, shared: 0, ...NO_ERRORS };
  const weaker = reference(drop, referenceSize, 101);
  rows.push({
    gate: "auc",
    label: `AUC Δ ${weaker.aucDelta.toFixed(3)} (margin 0.02)`,
    expect: "fail",
    world: drop,
    settings: { margin: 0.02 },
    oracle: { effect: -weaker.aucDelta - 0.02, se1: weaker.aucSe1, from: "simulated sample" },
    claimShare: 1,
    truth: weaker.aucDelta,
    grid: DEFAULT_PAIRED_LAYOUT.grid,
    binning: weaker.binning,
  });
  const equal: ShadowWorld = { drop: 0, noise: 0.3, shared: 0, ...NO_ERRORS };
  const same = reference(equal, referenceSize, 102);
  rows.push({
    gate: "auc",
    label: "equal AUC, own noise (margin 0.02)",
    expect: "pass",
    world: equal,
    settings: { margin: 0.02 },
    // both versions score alike up to their own noise: the true difference is 0 by symmetry
    oracle: { effect: 0.02, se1: same.aucSe1, from: "simulated sample" },
    claimShare: 1,
    truth: 0,
    grid: DEFAULT_PAIRED_LAYOUT.grid,
    binning: same.binning,
  });
  const errorWorld = (pb: number, pc: number): ShadowWorld => ({
    drop: 0,
    noise: 0,
    shared: 1,
    baselineErrorRate: pb,
    candidateErrorRate: pc,
  });
  // independent errors: a request's difference is +1 w.p. pc(1 − pb), −1 w.p. pb(1 − pc)
  const errorSe1 = (pb: number, pc: number) => {
    const up = pc * (1 - pb);
    const down = pb * (1 - pc);
    return Math.sqrt(up + down - (up - down) ** 2);
  };
  rows.push({
    gate: "errors",
    label: "errors 0.5% → 1.5% (maxIncrease 0.5%)",
    expect: "fail",
    world: errorWorld(0.005, 0.015),
    settings: {},
    oracle: { effect: 0.015 - 0.005 - 0.005, se1: errorSe1(0.005, 0.015), from: "generative model" },
    claimShare: 0.8,
    truth: 0.01,
    grid: DEFAULT_PAIRED_LAYOUT.grid,
  });
  rows.push({
    gate: "errors",
    label: "equal errors (0.5%)",
    expect: "pass",
    world: errorWorld(0.005, 0.005),
    settings: {},
    oracle: { effect: 0.005, se1: errorSe1(0.005, 0.005), from: "generative model" },
    claimShare: 1,
    truth: 0,
    grid: DEFAULT_PAIRED_LAYOUT.grid,
  });
  const nearCopy: ShadowWorld = { drop: 0, noise: 0.1, shared: 1, ...NO_ERRORS };
  const flips = reference(nearCopy, referenceSize, 103).flipRate;
  rows.push({
    gate: "agreement",
    label: `flip rate ${(100 * flips).toFixed(1)}% (maxFlipRate 5%)`,
    expect: "pass",
    world: nearCopy,
    settings: {},
    oracle: {
      effect: 0.05 - flips,
      se1: Math.sqrt(flips * (1 - flips)),
      from: "simulated sample",
      seBoundary: Math.sqrt(0.05 * 0.95),
    },
    claimShare: 1,
    truth: flips,
    grid: DEFAULT_PAIRED_LAYOUT.grid,
  });
  return rows;
}

export function oracleN80(row: ShadowRow, alpha: number): number {
  return oracleN(row.oracle.effect, row.oracle.se1, alpha);
}

/** The smallest valid fixed-sample test's n80 where the gate's variance is the boundary's, else undefined. */
export function validN80(row: ShadowRow, alpha: number): number | undefined {
  const { effect, se1, seBoundary } = row.oracle;
  return seBoundary === undefined ? undefined : validRateN(effect, se1, seBoundary, alpha);
}

/**
 * A declared schedule as a release engineer would plan it (the way bench/efficiency/n80.ts plans a
 * canary's): K equally spaced looks, the last at the group-sequential design's maximum information for
 * 90% power at the deciding claim's share of the design's alpha, against the effect the gate can
 * resolve (the AUC rows' effect less the binning widening, which no amount of data removes), on the
 * information the gate measures (the boundary's variance where the gate takes it there); Argo keeps
 * asking as many times again after the declared looks (only the anytime reserve decides there).
 */
export function shadowSchedule(
  row: ShadowRow,
  alpha: number,
  k: number,
  spending: SpendingFunction,
): Schedule {
  const plan = planGroupSequential({
    alpha: (1 - RESERVE) * alpha * row.claimShare,
    spending,
    fractions: Array.from({ length: k }, (_, j) => (j + 1) / k),
    power: 0.9,
    effect: row.oracle.effect - (row.binning ?? 0),
  });
  const nMax = plan.maxInformation! * (row.oracle.seBoundary ?? row.oracle.se1) ** 2;
  return {
    looks: Array.from({ length: 2 * k }, (_, j) => Math.ceil((nMax * (j + 1)) / k)),
    declared: k,
    spending,
  };
}

/** First look at which the gate decides in one run, and what it decided. */
function oneRun(
  row: ShadowRow,
  looks: number[],
  alpha: number,
  random: RandomSource,
  schedule?: Schedule,
): { look: number; verdict: "pass" | "fail" } | null {
  const gate = SHADOW_GATES[row.gate];
  const config = gate.parseConfig(row.settings);
  const summary = new PairedSummary({ ...DEFAULT_PAIRED_LAYOUT, grid: row.grid });
  const none = { baseline: 0, candidate: 0 };
  const runs = new SequentialRuns();
  let n = 0;
  for (let i = 0; i < looks.length; i++) {
    for (; n < looks[i]; n++) addPair(summary, row.world, random);
    const r = judgeLook(runs, row.gate, i, schedule, (sequential) =>
      (gate.evaluate as (input: unknown) => GateResult)({
        paired: { summary, unpaired: none, pending: none },
        config,
        alpha,
        sequential,
      }),
    );
    if (r.verdict === "pass" || r.verdict === "fail") return { look: i, verdict: r.verdict };
  }
  return null;
}

export interface ShadowN80 {
  row: ShadowRow;
  mode: "anytime" | "declared";
  runs: number;
  oracleN80: number;
  /** paired requests by which 80% of runs decided right; null if not reached by the last look */
  n80: number | null;
  ratio: number | null;
  /** runs whose first decision was the wrong one */
  wrong: number;
  /** the last look asked */
  lastLook: number;
}

export function measureShadowN80(
  row: ShadowRow,
  opts: { runs: number; alpha: number; seed: number; maxFactor: number; schedule?: Schedule },
): ShadowN80 {
  const oracle = oracleN80(row, opts.alpha);
  const looks =
    opts.schedule?.looks ?? lookGrid(Math.min(100, oracle), Math.ceil(oracle * opts.maxFactor), 1.15);
  const rightBy = new Array<number>(looks.length).fill(0);
  let wrong = 0;
  for (let run = 0; run < opts.runs; run++) {
    const d = oneRun(row, looks, opts.alpha, mulberry32(opts.seed + run * 7919), opts.schedule);
    if (!d) continue;
    if (d.verdict !== row.expect) wrong++;
    else rightBy[d.look]++;
  }
  let cumulative = 0;
  let n80: number | null = null;
  for (let i = 0; i < looks.length && n80 === null; i++) {
    cumulative += rightBy[i];
    if (cumulative >= 0.8 * opts.runs) n80 = looks[i];
  }
  return {
    row,
    mode: opts.schedule ? "declared" : "anytime",
    runs: opts.runs,
    oracleN80: oracle,
    n80,
    ratio: n80 === null ? null : n80 / oracle,
    wrong,
    lastLook: looks.at(-1)!,
  };
}
