/**
 * How well `modelgate plan` predicts the simulator: for each efficiency row, the candidate count by
 * which 80% of runs decided right, predicted by the plan's claims (src/plan/) on the same look grid
 * and with the same laws as the simulated world, beside measureN80's count on the simulator. Both
 * modes: anytime-valid on n80.ts's geometric grid, and a declared schedule of K looks at the plan's
 * own horizon for the row (Argo asking as many looks again after them).
 *
 * `npx tsx bench/efficiency/plan-agreement.ts [runs] [gate]` prints a Markdown table.
 */
import { GATES } from "../../src/gates/registry.js";
import { anytimeOutcome } from "../../src/plan/anytime.js";
import type { GateDecision } from "../../src/plan/claims.js";
import { declaredHorizon, declaredOutcome, evenLooks } from "../../src/plan/declared.js";
import { DEFAULT_REGRESSIONS } from "../../src/plan/inputs.js";
import { type GateConfigs, gateDecisions } from "../../src/plan/plan.js";
import type { SpendingFunction } from "../../src/stats/alpha-spending.js";
import { normalCdf } from "../../src/stats/normal.js";
import { BASELINE_AUC, LATENCY_SIGMA, PREVALENCE, psiOfShift } from "../sim/world.js";
import { lookGrid, measureN80, oracleN80, type Schedule } from "./n80.js";
import { BASE_ERROR_RATE, BASELINE_RATIO, type EfficiencyRow, efficiencyRows } from "./scenarios.js";

const POWER = 0.8;

/** The plan's decision for a row: the world's laws as assumptions, the row's change as the regression. */
export function planDecision(row: EfficiencyRow, alpha: number): GateDecision {
  const base = row.baseline;
  const change = row.candidate;
  const selectionRate =
    (1 - PREVALENCE) * normalCdf(base.shift) + PREVALENCE * normalCdf(base.shift + base.separation);
  const configs = Object.fromEntries(
    Object.entries(GATES).map(([name, gate]) => [name, gate.parseConfig({})]),
  ) as unknown as GateConfigs;
  const decisions = gateDecisions(row.gate, configs, {
    alpha,
    k: BASELINE_RATIO,
    assumptions: {
      latencyLogSd: LATENCY_SIGMA,
      baselineAuc: BASELINE_AUC,
      prevalence: PREVALENCE,
      selectionRate,
      groups: 2,
      errorRate: base.errorRate,
    },
    regressions: {
      ...DEFAULT_REGRESSIONS,
      ...(row.expect === "fail"
        ? {
            latency: change.latencyFactor / base.latencyFactor,
            // the row's label-noise candidate is built to lose exactly this much AUC
            auc: Number(row.label.match(/→ ([\d.]+)/)?.[1] ?? Number.NaN) - BASELINE_AUC,
            fairness: change.groupBKeep,
            errors: change.errorRate - base.errorRate,
            drift: psiOfShift(change.shift),
          }
        : {}),
    },
  });
  return decisions.find((d) => d.decision === row.expect)!;
}

/**
 * Events to the decision's unit: every scored event of the simulator is labelled, so labelled
 * outcomes are the events without an error.
 */
function curveOf(d: GateDecision) {
  const labelled = d.unit === "labelled" ? 1 - BASE_ERROR_RATE : 1;
  return { countAt: (t: number) => t * labelled, timeToReach: (n: number) => n / labelled };
}

/** Candidate count, among `counts`, by which the plan says 80% of runs decided; null if not within them. */
function countAtLook(counts: readonly number[], look: number | null): number | null {
  return look === null ? null : counts[look - 1];
}

/** The grid of looks n80.ts measures a row on (anytime-valid). */
export function anytimeGrid(row: EfficiencyRow, alpha: number, maxFactor = 6): number[] {
  const oracle = oracleN80(row, alpha);
  return lookGrid(Math.min(100, oracle), Math.ceil(oracle * maxFactor));
}

/** Predicted anytime-valid n80 of a row on a look grid. */
export function predictedAnytimeN80(
  row: EfficiencyRow,
  alpha: number,
  counts: readonly number[],
): number | null {
  const d = planDecision(row, alpha);
  const inUnit = counts.map(curveOf(d).countAt);
  const looks = d.claims
    .map((c) => anytimeOutcome(c, inUnit, POWER).look)
    .filter((l): l is number => l !== null);
  return countAtLook(counts, looks.length > 0 ? Math.min(...looks) : null);
}

/** The plan's declared schedule for a row alone (K looks at its horizon, then K more), and its predicted n80. */
export function plannedDeclared(
  row: EfficiencyRow,
  alpha: number,
  k: number,
  spending: SpendingFunction,
  power = POWER,
): { schedule: Schedule; predicted: number | null; look: number | null } {
  const d = planDecision(row, alpha);
  // time is counted in candidate events
  const curve = curveOf(d);
  const horizons = d.claims
    .map((c) => declaredHorizon(c, curve, k, spending, power))
    .filter((h): h is number => h !== null);
  const horizon = Math.min(...horizons);
  const events = { countAt: (t: number) => t, timeToReach: (n: number) => n };
  const declared = evenLooks(events, horizon, k).map(Math.ceil);
  const looks = [...declared, ...declared.map((n) => n + declared[k - 1])];
  const inUnit = declared.map(curve.countAt);
  const look = Math.min(
    ...d.claims.map((c) => declaredOutcome(c, inUnit, spending, power).look ?? Number.POSITIVE_INFINITY),
  );
  return {
    schedule: { looks, declared: k, spending },
    predicted: Number.isFinite(look) ? declared[look - 1] : null,
    look: Number.isFinite(look) ? look : null,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = Number(process.argv[2] ?? 200);
  const only = process.argv[3];
  const alpha = 0.01;
  const ratio = (p: number | null, m: number | null) => (p === null || m === null ? "–" : (p / m).toFixed(2));
  console.log(`alpha ${alpha} per gate, ${runs} runs per row, baseline ${BASELINE_RATIO}× the candidate\n`);
  console.log(
    "| row | anytime: plan n80 | simulated n80 | plan/sim | declared, K = 10 (O'Brien–Fleming): plan n80 (look) | simulated: decided by that look | simulated n80 |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const row of efficiencyRows()) {
    if (only && row.gate !== only) continue;
    const grid = anytimeGrid(row, alpha);
    const predicted = predictedAnytimeN80(row, alpha, grid);
    const measured = measureN80(row, { runs, alpha, seed: 1 }).n80;
    const declared = plannedDeclared(row, alpha, 10, "obrien-fleming");
    const simulated = measureN80(row, { runs, alpha, seed: 1, schedule: declared.schedule });
    const byLook =
      declared.look === null ? "–" : `${Math.round(100 * simulated.rightBy[declared.look - 1])}%`;
    console.log(
      `| ${row.gate} ${row.expect}: ${row.label} | ${predicted} | ${measured} | ${ratio(predicted, measured)} | ${declared.predicted} (${declared.look}) | ${byLook} | ${simulated.n80 ?? "–"} |`,
    );
  }
}
