import { logGamma } from "./gamma.js";

/**
 * Anytime-valid test for count metrics (errors, timeouts, crashes) across arms that share traffic:
 * Lindon & Malek (2022), "Anytime-valid inference for multinomial count data", NeurIPS; Netflix sequential
 * testing blog part 2; `savvi` `InhomogeneousPoissonProcess`, `seqabpy` `sequential_p_value`.
 *
 * Each arm's events form a time-inhomogeneous Poisson process with intensity ρ_i·e^{δ_i}·λ(t). Given that an
 * event occurred, it came from arm i with probability θ_i ∝ ρ_i e^{δ_i}; the shared nuisance λ(t) cancels.
 * H₀ (equal rates per unit traffic) ⇔ θ = ρ. With a Dirichlet(α₀ = k·ρ) mixture over θ, after counts n
 * (N = Σnᵢ) the Bayes factor against H₀ is
 *
 *   ln BF = ln Γ(Σα₀) − Σ ln Γ(α₀ᵢ) + Σ ln Γ(α₀ᵢ + nᵢ) − ln Γ(Σα₀ + N) − Σ nᵢ ln ρᵢ
 *
 * a nonnegative martingale with mean 1 under H₀, so p = min(1, 1/BF) is an anytime-valid p-value
 * (Ville's inequality); keep its running minimum across looks. Small k reacts to big effects from few
 * events; the default k = 100 (savvi, seqabpy) suits small effects with many events. O(arms).
 */

export const DEFAULT_DIRICHLET_CONCENTRATION = 100;

function normalisedShares(shares: readonly number[], arms: number): number[] {
  if (shares.length !== arms) throw new RangeError(`shares has ${shares.length} entries, counts has ${arms}`);
  let total = 0;
  for (const s of shares) {
    if (!(s > 0 && Number.isFinite(s))) throw new RangeError(`shares must be positive and finite, got ${s}`);
    total += s;
  }
  return shares.map((s) => s / total);
}

function requireCounts(counts: readonly number[]): void {
  if (counts.length < 2) throw new RangeError(`counts needs at least 2 arms, got ${counts.length}`);
  for (const n of counts) {
    if (!(n >= 0 && Number.isFinite(n))) throw new RangeError(`counts must be finite and >= 0, got ${n}`);
  }
}

/** ln of the Dirichlet-mixture Bayes factor of counts against "arm i receives share θᵢ of the events". */
export function countLogBayesFactor(
  counts: readonly number[],
  shares: readonly number[],
  k: number = DEFAULT_DIRICHLET_CONCENTRATION,
  priorShares: readonly number[] = shares,
): number {
  requireCounts(counts);
  if (!(k > 0 && Number.isFinite(k))) throw new RangeError(`k must be positive and finite, got ${k}`);
  const theta = normalisedShares(shares, counts.length);
  const prior = normalisedShares(priorShares, counts.length).map((r) => k * r);
  let total = 0;
  let log = logGamma(k);
  for (let i = 0; i < counts.length; i++) {
    total += counts[i];
    log += logGamma(prior[i] + counts[i]) - logGamma(prior[i]);
    if (counts[i] > 0) log -= counts[i] * Math.log(theta[i]);
  }
  return log - logGamma(k + total);
}

/** Bayes factor against equal per-traffic rates and its anytime-valid p-value min(1, 1/BF). */
export function countSequentialPValue(
  counts: number[],
  shares: number[],
  k: number = DEFAULT_DIRICHLET_CONCENTRATION,
): { logBayesFactor: number; pValue: number } {
  const logBayesFactor = countLogBayesFactor(counts, shares, k);
  return { logBayesFactor, pValue: logBayesFactor <= 0 ? 1 : Math.exp(-logBayesFactor) };
}

/**
 * Anytime-valid interval for the rate ratio (candidate rate / baseline rate, per unit traffic) of two arms:
 * {r : BF(θ(r)) < 1/α} with θ(r) = ρ_c r/(ρ_b + ρ_c r) and the Dirichlet prior fixed at the traffic shares
 * (a fixed prior keeps BF(θ₀) a martingale under every θ₀). −ln BF is concave in θ, so the set is an
 * interval, found by bisection either side of the observed share. Lower 0 when the candidate has no events,
 * upper +∞ when the baseline has none.
 */
export function countRateRatioInterval(
  baselineCount: number,
  candidateCount: number,
  baselineShare: number,
  candidateShare: number,
  alpha: number,
  k: number = DEFAULT_DIRICHLET_CONCENTRATION,
): [number, number] {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  const counts = [baselineCount, candidateCount];
  const prior = [baselineShare, candidateShare];
  const [rb, rc] = normalisedShares(prior, 2);
  const threshold = Math.log(1 / alpha);
  const excess = (theta: number): number =>
    countLogBayesFactor(counts, [1 - theta, theta], k, prior) - threshold;
  const total = baselineCount + candidateCount;
  const centre = total > 0 ? candidateCount / total : rc;
  const ratio = (theta: number): number => (theta / (1 - theta)) * (rb / rc);
  const solve = (inside: number, outside: number): number => {
    for (let i = 0; i < 200; i++) {
      const mid = (inside + outside) / 2;
      if (excess(mid) < 0) inside = mid;
      else outside = mid;
    }
    return outside;
  };
  const eps = 1e-300;
  const inner = Math.min(1 - 1e-12, Math.max(1e-12, centre));
  const lowTheta = excess(eps) < 0 ? 0 : solve(inner, eps);
  const highTheta = excess(1 - 1e-16) < 0 ? 1 : solve(inner, 1 - 1e-16);
  return [
    lowTheta === 0 ? 0 : ratio(lowTheta),
    highTheta === 1 ? Number.POSITIVE_INFINITY : ratio(highTheta),
  ];
}
