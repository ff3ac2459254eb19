/**
 * The sample-efficiency section of `npm run bench`: every row of scenarios.ts (each gate failing a
 * regression beyond its tolerance, and passing an equal model), measured as n80 against the oracle in
 * both modes — anytime-valid on a fine look grid (1.1× steps: where decisions fall does not depend on
 * the grid), and with a declared schedule of 10 looks as `modelgate plan` suggests it (src/plan: the
 * gate's own claims, sized for 90% of runs deciding by the last declared look), asked 20 times.
 */
import { measureN80, type N80Result } from "./n80.js";
import { plannedDeclared } from "./plan-agreement.js";
import { type EfficiencyRow, efficiencyRows } from "./scenarios.js";

export interface EfficiencyResult {
  alpha: number;
  runs: number;
  declaredLooks: number;
  rows: Array<{
    row: Pick<EfficiencyRow, "gate" | "label" | "expect">;
    oracle: number;
    anytime: Pick<N80Result, "n80" | "ratio" | "wrong">;
    declared: (Pick<N80Result, "n80" | "ratio" | "wrong"> & { byLast: number; lastDeclared: number }) | null;
  }>;
  seconds: number;
}

export function runEfficiency(opts: {
  runs: number;
  alpha?: number;
  declaredLooks?: number;
  only?: (row: EfficiencyRow) => boolean;
  log?: (line: string) => void;
}): EfficiencyResult {
  const start = performance.now();
  const alpha = opts.alpha ?? 0.01;
  const k = opts.declaredLooks ?? 10;
  const all = efficiencyRows();
  const rows = all.filter(opts.only ?? (() => true));
  const out: EfficiencyResult["rows"] = [];
  rows.forEach((row) => {
    opts.log?.(`efficiency: ${row.gate} ${row.expect} (${row.label})`);
    // seeded by the row's place in the full list, so a row measured alone gives the same figures
    const seed = 20_261_207 + all.indexOf(row) * 104_729;
    const anytime = measureN80(row, { runs: opts.runs, alpha, seed });
    // the drift gate's pass rests on CDF bands, which have no group-sequential form
    const declared =
      row.gate === "drift" && row.expect === "pass"
        ? null
        : (() => {
            // what `modelgate plan` suggests for this row, sized for 90% of runs by the last declared look
            const { schedule } = plannedDeclared(row, alpha, k, "obrien-fleming", 0.9);
            const r = measureN80(row, { runs: opts.runs, alpha, seed, schedule });
            return {
              n80: r.n80,
              ratio: r.ratio,
              wrong: r.wrong,
              byLast: r.rightBy[k - 1],
              lastDeclared: schedule.looks[k - 1],
            };
          })();
    out.push({
      row: { gate: row.gate, label: row.label, expect: row.expect },
      oracle: anytime.oracleN80,
      anytime: { n80: anytime.n80, ratio: anytime.ratio, wrong: anytime.wrong },
      declared,
    });
  });
  return { alpha, runs: opts.runs, declaredLooks: k, rows: out, seconds: (performance.now() - start) / 1000 };
}
