/**
 * Side by side on the same raw events: scipy/sklearn computing the judgement's statistics exactly
 * (bench/reference_stats.py: ks_2samp, PSI, wasserstein_distance, roc_auc_score × 2, percentiles × 2),
 * modelgate's own exact implementations on the raw arrays (src/stats), and modelgate's judgement on the
 * cohort summaries (all registered gates). Also the accuracy of the binned statistics the gates use
 * against the exact ones: |ΔKS| (200 score bins), |ΔAUC| (binned), relative Δp95 (1% sketch).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Gate } from "../src/gates/gate.js";
import { GATES } from "../src/gates/registry.js";
import { alphaPerGate } from "../src/judge/policy.js";
import type { CohortSummary } from "../src/sketch/cohort-summary.js";
import { rocAuc } from "../src/stats/auc.js";
import { aucFromBins } from "../src/stats/auc-binned.js";
import { ks2samp, ksFromCounts } from "../src/stats/ks.js";
import { psi } from "../src/stats/psi.js";
import { quantile } from "../src/stats/quantile.js";
import { mulberry32 } from "../src/stats/random.js";
import { wasserstein1 } from "../src/stats/wasserstein.js";
import { drawEvent, newState } from "./sim/analysis-run.js";
import { baselineArm } from "./sim/world.js";

export const PYTHON = "/usr/bin/python3";

export interface CompareRow {
  eventsPerCohort: number;
  /** null when python3-scipy/sklearn is unavailable */
  python: { timesMs: Record<string, number>; values: Record<string, number> } | null;
  pythonMissing: string | null;
  modelgateExactMs: number;
  modelgateJudgementMs: number;
  accuracy: {
    ks: number;
    auc: number;
    p95Relative: number;
    aucBound: number;
    source: "scipy" | "modelgate exact";
  };
}

interface Raw {
  scores: Float64Array;
  labels: Float64Array;
  latency: Float64Array;
}

function best<T>(fn: () => T, repeats: number): { value: T; ms: number } {
  let value = fn();
  let ms = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    value = fn();
    ms = Math.min(ms, performance.now() - start);
  }
  return { value, ms };
}

function cohort(n: number, version: string, seed: number): { raw: Raw; summary: CohortSummary } {
  // The candidate has a mild shift and slower latency, so no statistic is trivially zero.
  const arm =
    version === "baseline"
      ? baselineArm()
      : { ...baselineArm(), shift: 0.15, latencyFactor: 1.1, labelNoise: 0.05 };
  const random = mulberry32(seed);
  const state = newState();
  const raw: Raw = { scores: new Float64Array(n), labels: new Float64Array(n), latency: new Float64Array(n) };
  const t0 = 28_333_334 * 60_000;
  for (let i = 0; i < n; i++) {
    const e = drawEvent(arm, random, version, t0 + (i % 600_000), 1);
    state.applyEvent(e, t0);
    raw.scores[i] = e.score ?? 0;
    raw.labels[i] = e.label ?? 0;
    raw.latency[i] = e.latencyMs ?? 0;
  }
  return { raw, summary: state.window("bench", version, undefined, t0 + 600_000) as CohortSummary };
}

function runPython(
  dir: string,
  repeats: number,
): { ok: true; out: CompareRow["python"] } | { ok: false; reason: string } {
  if (!existsSync(PYTHON))
    return { ok: false, reason: "python3 not installed (apt-get install -y python3-scipy python3-sklearn)" };
  try {
    const text = execFileSync(
      PYTHON,
      [join(import.meta.dirname, "reference_stats.py"), dir, String(repeats)],
      {
        encoding: "utf8",
        maxBuffer: 1 << 20,
      },
    );
    const j = JSON.parse(text) as {
      available: boolean;
      reason?: string;
      timesMs: Record<string, number>;
      values: Record<string, number>;
    };
    if (!j.available) return { ok: false, reason: j.reason ?? "python3-scipy not installed" };
    return { ok: true, out: { timesMs: j.timesMs, values: j.values } };
  } catch (e) {
    return { ok: false, reason: `python3 failed: ${(e as Error).message.split("\n")[0]}` };
  }
}

export function runComparePython(opts: {
  sizes: number[];
  repeats: number;
  log?: (line: string) => void;
}): CompareRow[] {
  const log = opts.log ?? (() => {});
  const rows: CompareRow[] = [];
  const registry = GATES as Readonly<Record<string, Gate<unknown>>>;
  const names = Object.keys(registry);
  const configs = names.map((g) => [g, registry[g].parseConfig({})] as const);
  const alpha = alphaPerGate(0.05, names.length);
  for (const n of opts.sizes) {
    log(`python comparison: ${n.toLocaleString("en-US")} events per cohort`);
    const b = cohort(n, "baseline", 11);
    const c = cohort(n, "candidate", 12);
    const dir = mkdtempSync(join(tmpdir(), "modelgate-bench-py-"));
    try {
      for (const [arm, data] of [
        ["baseline", b.raw],
        ["candidate", c.raw],
      ] as const) {
        for (const key of ["scores", "labels", "latency"] as const) {
          writeFileSync(join(dir, `${arm}_${key}.f64`), Buffer.from(data[key].buffer));
        }
      }
      const py = runPython(dir, opts.repeats);
      const arr = (x: Float64Array) => Array.from(x);
      const sb = arr(b.raw.scores);
      const sc = arr(c.raw.scores);
      const exact = best(
        () => ({
          ks: ks2samp(sb, sc, "asymp").statistic,
          psi: psi(sb, sc).psi,
          wasserstein: wasserstein1(sb, sc),
          aucB: rocAuc(sb, b.raw.labels),
          aucC: rocAuc(sc, c.raw.labels),
          p95B: quantile(arr(b.raw.latency), 0.95),
          p95C: quantile(arr(c.raw.latency), 0.95),
          tails: [0.5, 0.99].flatMap((q) => [
            quantile(arr(b.raw.latency), q),
            quantile(arr(c.raw.latency), q),
          ]),
        }),
        Math.max(1, Math.min(opts.repeats, n >= 1_000_000 ? 1 : opts.repeats)),
      );
      const judgement = best(
        () => {
          for (const [g, config] of configs)
            registry[g].evaluate({ baseline: b.summary, candidate: c.summary, config, alpha });
        },
        Math.max(5, opts.repeats * 5),
      );
      const reference =
        py.ok && py.out
          ? {
              ks: py.out.values.ks,
              aucB: py.out.values.auc_baseline,
              aucC: py.out.values.auc_candidate,
              p95C: py.out.values.p95_candidate,
            }
          : { ks: exact.value.ks, aucB: exact.value.aucB, aucC: exact.value.aucC, p95C: exact.value.p95C };
      const binnedKs = ksFromCounts(b.summary.scores.counts, c.summary.scores.counts).statistic;
      const binB = aucFromBins(b.summary.scoresPositive.counts, b.summary.scoresNegative.counts);
      const binC = aucFromBins(c.summary.scoresPositive.counts, c.summary.scoresNegative.counts);
      const p95 = c.summary.latency.quantile(0.95);
      rows.push({
        eventsPerCohort: n,
        python: py.ok ? py.out : null,
        pythonMissing: py.ok ? null : py.reason,
        modelgateExactMs: exact.ms,
        modelgateJudgementMs: judgement.ms,
        accuracy: {
          ks: Math.abs(binnedKs - reference.ks),
          auc: Math.max(Math.abs(binB.auc - reference.aucB), Math.abs(binC.auc - reference.aucC)),
          aucBound: Math.max(binB.maxError, binC.maxError),
          p95Relative: Math.abs(p95 - reference.p95C) / reference.p95C,
          source: py.ok ? "scipy" : "modelgate exact",
        },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}
