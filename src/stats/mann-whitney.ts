/**
 * Mann–Whitney U test (Wilcoxon rank-sum), normal approximation with tie correction, like
 * scipy.stats.mannwhitneyu(x, y, method="asymptotic", use_continuity, alternative).
 *
 * Pool x (size n₁) and y (size n₂), rank with ties given their average rank, R₁ = Σ ranks of x.
 * U₁ = R₁ − n₁(n₁+1)/2 (x's U), U₂ = n₁n₂ − U₁. With N = n₁ + n₂ and t the sizes of tie groups,
 *   σ = √( n₁n₂/12 · ((N + 1) − Σ(t³ − t)/(N(N − 1))) ),   z = (U − n₁n₂/2 − ½·[continuity]) / σ,
 * where U = U₁ for "greater" (x tends to be larger), U₂ for "less", max(U₁, U₂) for "two-sided";
 * p = sf(z), doubled for two-sided, clipped to [0, 1]. The returned z is that one.
 * Convention where scipy would return NaN: when every value is tied σ = 0; we return z = 0, p = 1
 * (no evidence of a shift), so no NaN escapes.
 *
 * Reference: scipy.stats.mannwhitneyu (scipy 1.10, `_mannwhitneyu.py`); Mann & Whitney (1947).
 * Complexity: O(N log N).
 */
import { normalSf } from "./normal.js";
import { requireBoolean, requireOneOf } from "./options.js";

export interface MannWhitneyResult {
  u1: number;
  u2: number;
  z: number;
  pValue: number;
}

function checked(values: number[], name: string): void {
  if (values.length === 0) throw new RangeError(`mannWhitneyU: ${name} must not be empty`);
  for (const v of values)
    if (Number.isNaN(v)) throw new RangeError(`mannWhitneyU: ${name} must not contain NaN`);
}

/** Mann–Whitney U of x against y; U1 is x's U. */
export function mannWhitneyU(
  x: number[],
  y: number[],
  alternative: "two-sided" | "less" | "greater" = "two-sided",
  useContinuity = true,
): MannWhitneyResult {
  requireOneOf("mannWhitneyU", "alternative", alternative, ["two-sided", "less", "greater"]);
  requireBoolean("mannWhitneyU", "useContinuity", useContinuity);
  checked(x, "x");
  checked(y, "y");
  const n1 = x.length;
  const n2 = y.length;
  const n = n1 + n2;
  const pooled = [...x.map((v) => [v, 1] as const), ...y.map((v) => [v, 0] as const)].sort(
    (p, q) => p[0] - q[0],
  );
  let r1 = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && pooled[j + 1][0] === pooled[i][0]) j++;
    const t = j - i + 1;
    const rank = (i + j + 2) / 2; // average of ranks i+1 … j+1
    for (let k = i; k <= j; k++) if (pooled[k][1] === 1) r1 += rank;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const u = alternative === "greater" ? u1 : alternative === "less" ? u2 : Math.max(u1, u2);
  const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (!(s > 0)) return { u1, u2, z: 0, pValue: 1 };
  const z = (u - (n1 * n2) / 2 - (useContinuity ? 0.5 : 0)) / s;
  const p = normalSf(z) * (alternative === "two-sided" ? 2 : 1);
  return { u1, u2, z, pValue: Math.min(1, Math.max(0, p)) };
}
