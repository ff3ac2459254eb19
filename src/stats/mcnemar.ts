import { normalSf } from "./normal.js";
import { requireBoolean } from "./options.js";

/**
 * McNemar's test for paired binary outcomes (same cases, two models), chi-square version.
 *
 *   b = cases only the baseline got right, c = cases only the candidate got right
 *   χ² = (|b − c| − k)² / (b + c),  k = 1 with continuity correction (Edwards), else 0
 *   p  = P(χ²₁ > χ²) = 2·(1 − Φ(√χ²))
 *
 * Like statsmodels.stats.contingency_tables.mcnemar(table, exact=False, correction=…),
 * including its quirk that b = c with correction gives χ² = 1/(b + c) rather than 0.
 * With no discordant pairs (b + c = 0) statsmodels returns NaN; here χ² = 0 and p = 1.
 * Concordant cells do not enter. Counts may be weighted.
 * Reference: McNemar (1947); Edwards (1948).
 * Complexity: O(1).
 */
export function mcnemar(
  onlyBaselineCorrect: number,
  onlyCandidateCorrect: number,
  continuity = true,
): { statistic: number; pValue: number } {
  requireBoolean("mcnemar", "continuity", continuity);
  if (!(Number.isFinite(onlyBaselineCorrect) && onlyBaselineCorrect >= 0)) {
    throw new RangeError("mcnemar: onlyBaselineCorrect must be a finite count ≥ 0");
  }
  if (!(Number.isFinite(onlyCandidateCorrect) && onlyCandidateCorrect >= 0)) {
    throw new RangeError("mcnemar: onlyCandidateCorrect must be a finite count ≥ 0");
  }
  const discordant = onlyBaselineCorrect + onlyCandidateCorrect;
  if (discordant === 0) return { statistic: 0, pValue: 1 };
  const correction = continuity ? 1 : 0;
  const statistic = (Math.abs(onlyBaselineCorrect - onlyCandidateCorrect) - correction) ** 2 / discordant;
  return { statistic, pValue: Math.min(1, 2 * normalSf(Math.sqrt(statistic))) };
}
