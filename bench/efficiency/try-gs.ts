import { measureN80, plannedSchedule } from "./n80.js";
import { efficiencyRows } from "./scenarios.js";

const only = process.argv[2];
const spending = (process.argv[4] ?? "obrien-fleming") as "obrien-fleming" | "pocock";
for (const row of efficiencyRows()) {
  if (only && !row.gate.startsWith(only)) continue;
  const t = Date.now();
  const schedule = plannedSchedule(row, 0.01, 10, spending);
  const r = measureN80(row, { runs: Number(process.argv[3] ?? 100), alpha: 0.01, seed: 1, schedule });
  console.log(
    `${row.gate.padEnd(9)} ${row.expect} ${row.label.padEnd(40)} oracle ${r.oracleN80} n80 ${r.n80} ratio ${r.ratio?.toFixed(2)} wrong ${r.wrong} byK ${r.rightBy[schedule.declared - 1].toFixed(2)} declared last ${schedule.looks[schedule.declared - 1]} (${((Date.now() - t) / 1000).toFixed(1)}s)`,
  );
}
