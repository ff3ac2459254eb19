/**
 * `npm run bench` runs every benchmark and writes docs/BENCHMARKS.md; `npm run bench -- --quick`
 * runs everything small (CI: the benchmarks must run, their timings are not checked) and writes the
 * report to a temporary file and stdout, never over the committed one.
 *
 * Options: --quick, --out FILE, --only quality,latency,ingestion,python,soak,shadow, --aa N, --ab N,
 * --json FILE (where to keep the raw results; default $TMPDIR/modelgate-benchmarks-<mode>-<pid>.json),
 * --render FILE (re-render saved results, run nothing), --help. One part alone, e.g. the soak for
 * a short run: `npx tsx bench/soak.ts --seconds 30`.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem, type } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runComparePython } from "./compare-python.js";
import { runEfficiency } from "./efficiency/run.js";
import { runIngestion } from "./ingestion.js";
import { runJudgeLatency } from "./judge-latency.js";
import { fixedThresholdJudge } from "./judges/fixed-thresholds.js";
import { kayentaJudge } from "./judges/kayenta-judge.js";
import { modelgateJudge } from "./judges/modelgate.js";
import { runQuality } from "./quality.js";
import { syncReadmeHeadline } from "./readme-headline.js";
import { type BenchResults, type Machine, renderReport } from "./report.js";
import { FULL, keepShadowSection, QUICK, renderShadowPower, runShadowPower } from "./shadow-power.js";
import { DEFAULT_RUN } from "./sim/analysis-run.js";
import { renderSoak, runSoak } from "./soak.js";

const SECTIONS = [
  "efficiency",
  "quality",
  "spending",
  "latency",
  "ingestion",
  "python",
  "soak",
  "shadow",
] as const;

function machine(root: string): Machine {
  let commit = "unknown";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
  } catch {
    // not a git checkout
  }
  return {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    ramGb: totalmem() / 2 ** 30,
    node: process.version,
    os: `${type()} ${release()}`,
    commit,
    load: [loadavg()[0], loadavg()[0]],
  };
}

/** The result fields of BenchResults that are sections (what --with copies from a later run). */
const RESULT_KEYS = [
  "efficiency",
  "quality",
  "qualityHighRate",
  "spending",
  "latency",
  "ingestion",
  "python",
  "soak",
] as const satisfies readonly (keyof BenchResults)[];

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      quick: { type: "boolean", default: false },
      out: { type: "string" },
      only: { type: "string" },
      aa: { type: "string" },
      ab: { type: "string" },
      json: { type: "string" },
      render: { type: "string" },
      with: { type: "string" },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      [
        "npx tsx bench/run.ts [options]   (npm run bench)",
        "  --quick            everything small; report to $TMPDIR and stdout",
        "  --only SECTIONS    comma-separated: " + SECTIONS.join(","),
        "  --out FILE         report file (default docs/BENCHMARKS.md, or $TMPDIR with --quick)",
        "  --aa N, --ab N     A/A and A/B runs of the quality section",
        "  --json FILE        where to keep the raw results",
        "  --render FILE      re-render saved results, run nothing",
        "  --with A.json,…    (with --render) take the sections a later run saved (e.g. --only latency --json A.json)",
        "                     from it; the report names that run for them",
        "One part alone: npx tsx bench/soak.ts --seconds 30 [--ingesters 4] [--judges 2] [--batch 100] [--snapshot-seconds 5]",
        "",
      ].join("\n"),
    );
    return 0;
  }
  const quick = values.quick === true;
  const only = new Set(values.only ? values.only.split(",") : SECTIONS);
  for (const s of only) {
    if (!(SECTIONS as readonly string[]).includes(s)) {
      process.stderr.write(`bench: unknown section "${s}" (known: ${SECTIONS.join(", ")})\n`);
      return 2;
    }
  }
  const root = join(import.meta.dirname, "..");
  const out =
    values.out ??
    (quick ? join(tmpdir(), "modelgate-benchmarks-quick.md") : join(root, "docs", "BENCHMARKS.md"));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (values.with && !values.render) {
    process.stderr.write("bench: --with needs --render FILE (the results it updates)\n");
    return 2;
  }
  if (values.render) {
    const saved = JSON.parse(readFileSync(values.render, "utf8")) as BenchResults;
    for (const file of values.with ? values.with.split(",") : []) {
      const later = JSON.parse(readFileSync(file, "utf8")) as BenchResults;
      const sections = RESULT_KEYS.filter((k) => later[k] !== undefined);
      if (sections.length === 0) {
        process.stderr.write(`bench: ${file} holds no section results\n`);
        return 2;
      }
      for (const k of sections) (saved as unknown as Record<string, unknown>)[k] = later[k];
      saved.later = [
        ...(saved.later ?? []),
        {
          sections,
          command: later.command,
          date: later.date,
          seconds: later.seconds,
          commit: later.machine.commit,
        },
      ];
    }
    // the soak section: from the saved results, or (results saved before they held it) the report's own
    const soak = saved.soak ? renderSoak(saved.soak.result, saved.soak.settings) : soakSectionOf(out);
    const text = [renderReport(saved).trimEnd(), ...(soak ? [soak.trimEnd()] : [])].join("\n\n");
    writeFileSync(out, keepShadowSection(out, `${text}\n`));
    if (out === join(root, "docs", "BENCHMARKS.md")) syncReadmeHeadline(root);
    log(`bench: rendered ${values.render} to ${out}`);
    return 0;
  }
  const started = performance.now();
  const results: BenchResults = {
    mode: quick ? "quick" : "full",
    command: ["npm run bench", ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(
      " ",
    ),
    date: new Date().toISOString(),
    seconds: 0,
    machine: machine(root),
    notes: [],
  };
  if (quick) results.notes.push("Quick mode: small sizes for CI; the figures are not meant to be read.");

  const declared = (looks: number) => modelgateJudge(0.05, {}, { looks });
  if (only.has("efficiency")) {
    const quickRows = new Set(["latency", "errors"]);
    results.efficiency = runEfficiency({
      runs: quick ? 20 : 200,
      only: quick ? (row) => quickRows.has(row.gate) : undefined,
      log,
    });
    log(`efficiency: ${results.efficiency.seconds.toFixed(0)} s`);
  }
  if (only.has("quality")) {
    results.quality = runQuality({
      judges: () => [modelgateJudge(), declared(DEFAULT_RUN.looks), fixedThresholdJudge(), kayentaJudge()],
      aaRuns: Number(values.aa ?? (quick ? 40 : 2000)),
      abRuns: Number(values.ab ?? (quick ? 4 : 100)),
      log,
    });
    log(`quality: ${results.quality.seconds.toFixed(0)} s`);
    // Power grows with traffic: a smaller set of runs at 10× the rate, on the rows where the
    // sequential gates are slowest at 100 req/s.
    const subset = new Set(["p95 +30%", "AUC −0.03", "AUC −0.05", "parity ratio 0.8"]);
    // every event labelled here: "equal models pass" is measured with all five gates required
    results.qualityHighRate = runQuality({
      judges: () => [modelgateJudge(), declared(DEFAULT_RUN.looks), fixedThresholdJudge(), kayentaJudge()],
      aaRuns: quick ? 2 : 200,
      abRuns: quick ? 1 : 15,
      run: { ...DEFAULT_RUN, rate: 1000, labelledShare: 1 },
      only: (s) => subset.has(s.label),
      log,
    });
  }
  if (only.has("spending")) {
    const inside = new Set(["p95 +10%", "AUC −0.01", "PSI 0.10"]);
    results.spending = {
      // Argo asking twice as often as declared: 20 looks of a run that declared 10
      aa: runQuality({
        judges: () => [modelgateJudge(), declared(DEFAULT_RUN.looks)],
        aaRuns: quick ? 10 : 2000,
        abRuns: 0,
        run: { ...DEFAULT_RUN, looks: 2 * DEFAULT_RUN.looks },
        only: () => false,
        log,
      }),
      inside: runQuality({
        judges: () => [modelgateJudge(), declared(DEFAULT_RUN.looks)],
        aaRuns: 0,
        abRuns: quick ? 5 : 2000,
        only: (s) => inside.has(s.label),
        log,
      }),
    };
  }
  if (only.has("latency")) {
    results.latency = await runJudgeLatency({
      sizes: quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000, 10_000_000],
      judgements: quick ? 30 : 300,
      log,
    });
  }
  if (only.has("ingestion")) {
    try {
      results.ingestion = await runIngestion({
        events: quick ? 50_000 : 2_000_000,
        batchSize: 5_000,
        inFlight: 2,
        rssEvery: quick ? 10_000 : 250_000,
        log,
      });
    } catch (e) {
      results.ingestion = { error: (e as Error).message };
      log(`ingestion failed: ${(e as Error).message}`);
    }
  }
  if (only.has("python")) {
    results.python = runComparePython({
      sizes: quick ? [10_000] : [10_000, 100_000, 1_000_000],
      repeats: quick ? 1 : 3,
      log,
    });
  }
  // Sections rendered by their own benches, appended after the main report.
  const extra: string[] = [];
  if (only.has("soak")) {
    const soak = { ingesters: 4, judges: 2, batch: 100, snapshotSeconds: 5 };
    const r = await runSoak({ durationMs: quick ? 10_000 : 120_000, ...soak });
    log(`soak: ${r.eventsAcked} events, ${r.judgements} judgements, ${r.serverErrors} 5xx`);
    if (r.serverErrors > 0 || r.eventsStored < r.eventsAcked) {
      results.notes.push(
        `Soak: ${r.serverErrors} 5xx, ${r.eventsAcked - r.eventsStored} acknowledged events missing.`,
      );
    }
    results.soak = { result: r, settings: soak };
    extra.push(renderSoak(r, soak));
  }
  let shadow: string | undefined;
  if (only.has("shadow")) shadow = renderShadowPower(runShadowPower(quick ? QUICK : FULL, log));
  results.seconds = (performance.now() - started) / 1000;
  results.machine.load[1] = loadavg()[0];
  // The raw results are always kept beside the quick report / in the temp dir, so the report can be
  // re-rendered (--render) without rerunning.
  const json =
    values.json ?? join(tmpdir(), `modelgate-benchmarks-${quick ? "quick" : "full"}-${process.pid}.json`);
  writeFileSync(json, JSON.stringify(results));
  log(`bench: raw results in ${json} (re-render with --render)`);
  const text = [renderReport(results).trimEnd(), ...extra.map((e) => e.trimEnd())].join("\n\n");
  // the shadow section: rerun here, or (with --only leaving it out) kept from the previous report
  writeFileSync(out, shadow ? `${text}\n\n${shadow}` : keepShadowSection(out, `${text}\n`));
  if (quick) process.stdout.write(text);
  else if (out === join(root, "docs", "BENCHMARKS.md")) syncReadmeHeadline(root);
  log(`bench: wrote ${out} in ${results.seconds.toFixed(0)} s`);
  return results.ingestion && "error" in results.ingestion ? 1 : 0;
}

/** The soak section of an existing report (up to the shadow section or the end), if it has one. */
function soakSectionOf(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const start = text.indexOf("## 5. Soak");
  if (start < 0) return undefined;
  const end = text.indexOf("<!-- shadow-power:start -->", start);
  return text.slice(start, end < 0 ? undefined : end).trimEnd();
}

process.exitCode = await main();
