/**
 * Predictable-plug-in empirical-Bernstein (PrPl-EB) confidence sequence for the mean of [0, 1]-bounded
 * observations: Waudby-Smith & Ramdas (2023), "Estimating means of bounded random variables by betting",
 * JRSS-B, Thm 2; `confseq` `predmix_empbern_cs` with `lambda_predmix_eb`. Nonasymptotic, nonparametric and
 * valid at every look; use it for per-example loss/correctness deltas (rescale d ∈ [−1, 1] as (d+1)/2).
 *
 *   μ̂_t = (½ + Σ_{i≤t} x_i)/(t+1),  σ̂²_t = (¼ + Σ_{i≤t}(x_i − μ̂_i)²)/(t+1)
 *   λ_t = min(c, sqrt(2 ln(2/α) / (σ̂²_{t−1}·t·ln(1+t))))       (predictable: uses data before t)
 *   v_t = (x_t − μ̂_{t−1})²,  ψ(λ) = −ln(1−λ) − λ
 *   lower_t = Σλ_i x_i/Σλ_i − (ln(2/α) + Σ v_i ψ(λ_i))/Σλ_i
 *
 * Two-sided at α: each side at α/2; the upper side is the same construction on 1 − x, which (μ̂, σ̂² and v
 * being symmetric) only flips the sign of the margin. Running intersections are kept (still valid). Before
 * any observation the interval is [0, 1]. O(1) per push, O(1) memory.
 */
export class PrplEbConfidenceSequence {
  private readonly logInverseAlpha: number;
  private readonly c: number;
  private count = 0;
  private sum = 0;
  private sumSquaredResiduals = 0;
  private sumLambda = 0;
  private sumLambdaX = 0;
  private sumVariancePsi = 0;
  private runningLower = 0;
  private runningUpper = 1;

  /** alpha: two-sided error level; c: truncation of the bets λ (½ as in confseq, or up to 1). */
  constructor(alpha: number, c = 0.5) {
    if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
    if (!(c > 0 && c < 1)) throw new RangeError(`truncation c must be in (0, 1), got ${c}`);
    this.logInverseAlpha = Math.log(2 / alpha);
    this.c = c;
  }

  push(x: number): void {
    if (!(x >= 0 && x <= 1)) throw new RangeError(`observation must be in [0, 1], got ${x}`);
    const t = this.count + 1;
    const meanBefore = (0.5 + this.sum) / t;
    const varianceBefore = (0.25 + this.sumSquaredResiduals) / t;
    const lambda = Math.min(
      this.c,
      Math.sqrt((2 * this.logInverseAlpha) / (varianceBefore * t * Math.log1p(t))),
    );
    const psi = -Math.log1p(-lambda) - lambda;
    this.sumLambda += lambda;
    this.sumLambdaX += lambda * x;
    this.sumVariancePsi += (x - meanBefore) ** 2 * psi;
    this.count = t;
    this.sum += x;
    const meanNow = (0.5 + this.sum) / (t + 1);
    this.sumSquaredResiduals += (x - meanNow) ** 2;
    const centre = this.sumLambdaX / this.sumLambda;
    const margin = (this.logInverseAlpha + this.sumVariancePsi) / this.sumLambda;
    this.runningLower = Math.max(this.runningLower, centre - margin);
    this.runningUpper = Math.min(this.runningUpper, centre + margin);
  }

  /** Lower end of the running-intersection interval, in [0, 1]. */
  get lower(): number {
    return this.runningLower;
  }

  /** Upper end of the running-intersection interval, in [0, 1]. */
  get upper(): number {
    return this.runningUpper;
  }

  get n(): number {
    return this.count;
  }

  /** Plain sample mean of the observations (0.5 before any). */
  get mean(): number {
    return this.count === 0 ? 0.5 : this.sum / this.count;
  }
}
