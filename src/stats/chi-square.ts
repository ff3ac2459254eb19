/**
 * Pearson chi-square test of independence on an r×c contingency table, like
 * scipy.stats.chi2_contingency(table, correction=False) (no Yates correction, also for 2×2).
 *
 * Rows and columns whose total is 0 are dropped first (a category seen in neither cohort carries no
 * information, and scipy would refuse the table for its zero expected counts). Then
 *   E_ij = R_i·C_j / N,   X² = Σ (O_ij − E_ij)² / E_ij,   dof = (r − 1)(c − 1),   p = P(χ²_dof ≥ X²).
 * When dof = 0 (one row or one column left) the statistic is 0 and p = 1, as scipy returns.
 *
 * Reference: scipy 1.10 `scipy/stats/contingency.py::chi2_contingency`. Complexity: O(r·c).
 */
import { chiSquareSf } from "./gamma.js";

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  dof: number;
}

export function chiSquareContingency(table: number[][]): ChiSquareResult {
  if (table.length === 0 || table[0].length === 0)
    throw new RangeError("chiSquareContingency: table must not be empty");
  const cols = table[0].length;
  for (const row of table) {
    if (row.length !== cols)
      throw new RangeError("chiSquareContingency: table rows must all have the same length");
    for (const v of row)
      if (!Number.isFinite(v) || v < 0)
        throw new RangeError("chiSquareContingency: table entries must be finite and >= 0 (no NaN)");
  }
  const rowSums = table.map((row) => row.reduce((s, v) => s + v, 0));
  const colSums = Array.from({ length: cols }, (_, j) => table.reduce((s, row) => s + row[j], 0));
  const rows = rowSums.flatMap((s, i) => (s > 0 ? [i] : []));
  const keep = colSums.flatMap((s, j) => (s > 0 ? [j] : []));
  if (rows.length === 0) throw new RangeError("chiSquareContingency: table must have a positive total");
  const total = rows.reduce((s, i) => s + rowSums[i], 0);
  const dof = (rows.length - 1) * (keep.length - 1);
  if (dof === 0) return { statistic: 0, pValue: 1, dof: 0 };
  let statistic = 0;
  for (const i of rows)
    for (const j of keep) {
      const expected = (rowSums[i] * colSums[j]) / total;
      statistic += (table[i][j] - expected) ** 2 / expected;
    }
  return { statistic, pValue: chiSquareSf(statistic, dof), dof };
}
