/**
 * `npm run docs:gates`: the "What it can see" tables of docs/gates/<gate>.md, regenerated from runs
 * so the pages quote real output. For each gate, one seeded canary per size (baseline 9× the
 * candidate, the gate alone at alpha 0.01) for an equal model and for the regression of the
 * efficiency benchmark, with the answer's interval and verdict; then the gate's rows of the
 * efficiency benchmark (n80 against the oracle, both modes), from a saved `npm run bench -- --json`
 * file when given (--efficiency FILE), else measured here with --runs runs per row.
 *
 *   npx tsx bench/gate-tables.ts [--efficiency results.json] [--runs 100] [--check]
 *
 * The tables sit between `<!-- generated: gate-table -->` and `<!-- /generated -->` in each page.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { GateResult } from "../src/gates/gate.js";
import { GATES, type GateName } from "../src/gates/registry.js";
import { mulberry32 } from "../src/stats/random.js";
import { type EfficiencyResult, runEfficiency } from "./efficiency/run.js";
import { BASELINE_RATIO, efficiencyRows } from "./efficiency/scenarios.js";
import type { BenchResults } from "./report.js";
import { drawEvent, newState } from "./sim/analysis-run.js";

const SIZES: Record<GateName, number[]> = {
  drift: [200, 500, 1000, 3000],
  latency: [200, 500, 1000, 3000, 10_000],
  auc: [1000, 3000, 10_000, 30_000],
  fairness: [300, 1000, 3000, 10_000],
  errors: [1000, 3000, 10_000, 30_000],
};
const UNIT: Record<GateName, string> = {
  drift: "scores",
  latency: "latency samples",
  auc: "labelled outcomes",
  fairness: "decisions",
  errors: "events",
};
const ALPHA = 0.01;
const int = (x: number) => Math.round(x).toLocaleString("en-US");

function answer(gate: GateName, expect: "fail" | "pass", n: number, seed: number): GateResult {
  const row = efficiencyRows().find((r) => r.gate === gate && r.expect === expect)!;
  const state = newState(3_600_000);

  const random = mulberry32(seed);
  for (let i = 0; i < n; i++) {
    state.applyEvent(drawEvent(row.candidate, random, "candidate", 1, 1), 1);
    for (let j = 0; j < BASELINE_RATIO; j++)
      state.applyEvent(drawEvent(row.baseline, random, "baseline", 1, 1), 1);
  }
  const config = GATES[gate].parseConfig({});
  return (GATES[gate].evaluate as (i: unknown) => GateResult)({
    baseline: state.window("bench", "baseline", undefined, 2),
    candidate: state.window("bench", "candidate", undefined, 2),
    config,
    alpha: ALPHA,
  });
}

const fmt = (x: number) =>
  Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(3);
const cell = (r: GateResult) => {
  const iv = r.interval ? `[${fmt(r.interval[0])}, ${fmt(r.interval[1])}]` : "—";
  const v = r.verdict === "inconclusive" ? "inconclusive" : `**${r.verdict}**`;
  return `${iv} ${v}`;
};

function table(gate: GateName, eff: EfficiencyResult): string {
  const rows = efficiencyRows().filter((r) => r.gate === gate);
  const fail = rows.find((r) => r.expect === "fail")!;
  const metric = answer(gate, "pass", SIZES[gate][0], 1).metric;
  const lines = [
    `Simulated canaries of the benchmark's model (bench/efficiency/scenarios.ts: 10% canary, baseline = 9 × candidate, every event labelled, baseline error rate 0.5%); the gate alone at alpha ${ALPHA} (its share of 0.05 over five gates), one seed per row; the interval is the answer's \`interval\` on \`${metric}\`.`,
    "",
    `| candidate ${UNIT[gate]} | equal model | ${fail.label} |`,
    "|---|---|---|",
  ];
  for (const n of SIZES[gate]) {
    lines.push(`| ${int(n)} | ${cell(answer(gate, "pass", n, 11))} | ${cell(answer(gate, "fail", n, 12))} |`);
  }
  lines.push(
    "",
    `How much data a decision takes, against the information limit (§0 of docs/BENCHMARKS.md, ${int(eff.runs)} runs per row): n80 = candidate ${UNIT[gate]} by which 80% of runs decided right; the oracle is a fixed-sample one-sided z-test at the same alpha that knows the true variance.`,
    "",
    "| decision | oracle n80 | anytime-valid n80 | declared 10 looks n80 |",
    "|---|---|---|---|",
  );
  const ratio = (n: number | null, r: number | null) =>
    n === null ? "not reached" : `${int(n)} (${r?.toFixed(2)}×)`;
  for (const r of eff.rows.filter((x) => x.row.gate === gate)) {
    lines.push(
      `| ${r.row.expect}: ${r.row.label} | ${int(r.oracle)} | ${ratio(r.anytime.n80, r.anytime.ratio)} | ${r.declared ? ratio(r.declared.n80, r.declared.ratio) : "— (anytime only)"} |`,
    );
  }
  return lines.join("\n");
}

function main(): number {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      efficiency: { type: "string" },
      runs: { type: "string", default: "100" },
      check: { type: "boolean", default: false },
    },
    strict: true,
  });
  const eff = values.efficiency
    ? (JSON.parse(readFileSync(values.efficiency, "utf8")) as BenchResults).efficiency
    : runEfficiency({ runs: Number(values.runs), log: (l) => process.stderr.write(`${l}\n`) });
  if (!eff) {
    process.stderr.write(`gate-tables: ${values.efficiency} has no efficiency section\n`);
    return 2;
  }
  const root = join(import.meta.dirname, "..");
  let stale = 0;
  for (const gate of Object.keys(GATES) as GateName[]) {
    const file = join(root, "docs", "gates", `${gate}.md`);
    const text = readFileSync(file, "utf8");
    const open = "<!-- generated: gate-table (npm run docs:gates) -->";
    const close = "<!-- /generated -->";
    const a = text.indexOf(open);
    const b = text.indexOf(close);
    if (a < 0 || b < a) {
      process.stderr.write(`gate-tables: ${file} has no ${open} … ${close} block\n`);
      return 2;
    }
    const next = `${text.slice(0, a + open.length)}\n${table(gate, eff)}\n${text.slice(b)}`;
    if (next !== text) {
      stale++;
      if (!values.check) writeFileSync(file, next);
    }
    process.stderr.write(
      `gate-tables: ${gate} ${next === text ? "unchanged" : values.check ? "stale" : "written"}\n`,
    );
  }
  return values.check && stale > 0 ? 1 : 0;
}

process.exitCode = main();
