import {
  checkClassSizes,
  delongBinPlacements,
  type PairedDelong,
  pairedDelongResult,
} from "../stats/delong.js";

/**
 * Joint histogram of paired scores (baseline bin × candidate bin) split by label, on a coarse square grid
 * over the score range, and the paired DeLong statistics computed from it.
 *
 * Cells are kept sparse (key = baselineBin·grid + candidateBin): two similar models put nearly all pairs
 * near the diagonal, so a bucket usually holds O(grid) cells, never more than grid² per label.
 *
 * Paired DeLong from the grid, treating each bin as one tied value (like delongFromBins): with the
 * marginals P_b, N_b (baseline) and P_c, N_c (candidate), the placement of a positive in baseline bin i is
 * V10_b(i) = (N_b[<i] + N_b[i]/2)/N, of a negative V01_b(i) = (P_b[>i] + P_b[i]/2)/P (candidate alike), and
 *   Cov = Σ_ij pos[i][j]·(V10_b(i) − A_b)(V10_c(j) − A_c)/((P−1)P) + Σ_ij neg[i][j]·(V01_b(i) − A_b)(V01_c(j) − A_c)/((N−1)N)
 * which is exactly delongPaired on the bin indices (ties = bins). Variances are the marginal DeLong
 * variances. Reference: DeLong, DeLong & Clarke-Pearson (1988). Complexity: O(grid + cells) ≤ O(grid²).
 *
 * Beside the grid, each side's per-label marginal on FINE_BINS bins over the same range (one dense array
 * of 4·FINE_BINS counts, 32 KB; its JSON lists the nonzero ones): the AUCs themselves are read there, where treating a bin as one tied value costs
 * at most a tenth of the grid's, while the grid gives the covariance. The fine marginals are known only
 * when every pair came with its scores (`add`); a histogram built from bins (`addBins`) or merged with one
 * that lacks them (a summary saved before they existed) has none, and readers fall back to the grid.
 */
export interface JointHistogramJSON {
  grid: number;
  lo: number;
  hi: number;
  positive: Array<[number, number]>;
  negative: Array<[number, number]>;
  /** fine marginals: key = (side·2 + label)·FINE_BINS + bin */
  fine?: Array<[number, number]>;
}

/** Bins of the fine marginals (as many as the canary auc gate's score histograms). */
export const FINE_BINS = 1000;

export class JointHistogram {
  readonly positive = new Map<number, number>();
  readonly negative = new Map<number, number>();
  /** Fine marginals by key (side·2 + label)·FINE_BINS + bin, or null when some pair came without its scores. */
  fine: Float64Array | null = new Float64Array(4 * FINE_BINS);

  constructor(
    readonly grid = 100,
    readonly lo = 0,
    readonly hi = 1,
  ) {
    if (!Number.isInteger(grid) || grid < 2)
      throw new RangeError(`grid must be an integer >= 2, got ${grid}`);
    if (!(hi > lo)) throw new RangeError(`joint histogram range must satisfy lo < hi, got [${lo}, ${hi}]`);
  }

  /** Bin of a score; bins are [lo + i·w, lo + (i+1)·w), the last one closed, out-of-range clamped. */
  binOf(x: number): number {
    const i = Math.floor(((x - this.lo) / (this.hi - this.lo)) * this.grid);
    return Math.min(this.grid - 1, Math.max(0, i));
  }

  get total(): number {
    let n = 0;
    for (const c of this.positive.values()) n += c;
    for (const c of this.negative.values()) n += c;
    return n;
  }

  /** A pair known only by its grid cell: the fine marginals are no longer complete. */
  addBins(baselineBin: number, candidateBin: number, label: 0 | 1, weight = 1): void {
    this.addCell(baselineBin, candidateBin, label, weight);
    this.fine = null;
  }

  private addCell(baselineBin: number, candidateBin: number, label: 0 | 1, weight: number): void {
    const cells = label === 1 ? this.positive : this.negative;
    const key = baselineBin * this.grid + candidateBin;
    cells.set(key, (cells.get(key) ?? 0) + weight);
  }

  /** Fine bin of a score (like binOf, on FINE_BINS bins). */
  private fineBinOf(x: number): number {
    const i = Math.floor(((x - this.lo) / (this.hi - this.lo)) * FINE_BINS);
    return Math.min(FINE_BINS - 1, Math.max(0, i));
  }

  add(baselineScore: number, candidateScore: number, label: 0 | 1): void {
    this.addCell(this.binOf(baselineScore), this.binOf(candidateScore), label, 1);
    const fine = this.fine;
    if (!fine) return;
    for (const [side, score] of [
      [0, baselineScore],
      [1, candidateScore],
    ] as const) {
      fine[(side * 2 + label) * FINE_BINS + this.fineBinOf(score)] += 1;
    }
  }

  merge(other: JointHistogram): this {
    if (other.grid !== this.grid || other.lo !== this.lo || other.hi !== this.hi)
      throw new RangeError(`cannot merge joint histograms of grid ${other.grid} into ${this.grid}`);
    for (const [k, c] of other.positive) this.positive.set(k, (this.positive.get(k) ?? 0) + c);
    for (const [k, c] of other.negative) this.negative.set(k, (this.negative.get(k) ?? 0) + c);
    if (!other.fine) this.fine = null;
    else if (this.fine) for (let k = 0; k < this.fine.length; k++) this.fine[k] += other.fine[k];
    return this;
  }

  /** The same pairs seen from the other side (candidate as baseline). */
  transposed(): JointHistogram {
    const t = new JointHistogram(this.grid, this.lo, this.hi);
    const flip = (k: number) => (k % this.grid) * this.grid + Math.floor(k / this.grid);
    for (const [k, c] of this.positive) t.positive.set(flip(k), c);
    for (const [k, c] of this.negative) t.negative.set(flip(k), c);
    if (!this.fine) t.fine = null;
    else {
      // side 0 ↔ 1: (side·2 + label)·FINE_BINS + bin moves by ±2·FINE_BINS
      const half = 2 * FINE_BINS;
      t.fine!.set(this.fine.subarray(half), 0);
      t.fine!.set(this.fine.subarray(0, half), half);
    }
    return t;
  }

  /**
   * Per-label marginals of one side on FINE_BINS bins, or undefined when the fine marginals are not
   * complete (then read `marginals`).
   */
  fineMarginals(side: 0 | 1): { positives: Float64Array; negatives: Float64Array } | undefined {
    if (!this.fine) return undefined;
    const at = (label: 0 | 1) => (side * 2 + label) * FINE_BINS;
    return {
      positives: this.fine.slice(at(1), at(1) + FINE_BINS),
      negatives: this.fine.slice(at(0), at(0) + FINE_BINS),
    };
  }

  /** Per-label marginals of one side: counts by bin of the baseline (side 0) or candidate (side 1). */
  marginals(side: 0 | 1): { positives: Float64Array; negatives: Float64Array } {
    const positives = new Float64Array(this.grid);
    const negatives = new Float64Array(this.grid);
    const bin = (k: number) => (side === 0 ? Math.floor(k / this.grid) : k % this.grid);
    for (const [k, c] of this.positive) positives[bin(k)] += c;
    for (const [k, c] of this.negative) negatives[bin(k)] += c;
    return { positives, negatives };
  }

  toJSON(): JointHistogramJSON {
    return {
      grid: this.grid,
      lo: this.lo,
      hi: this.hi,
      positive: [...this.positive],
      negative: [...this.negative],
      ...(this.fine ? { fine: nonzero(this.fine) } : {}),
    };
  }

  static fromJSON(j: JointHistogramJSON): JointHistogram {
    const h = new JointHistogram(j.grid, j.lo, j.hi);
    for (const [k, c] of j.positive) h.positive.set(k, c);
    for (const [k, c] of j.negative) h.negative.set(k, c);
    if (j.fine)
      for (const [k, c] of j.fine) {
        if (!(Number.isInteger(k) && k >= 0 && k < 4 * FINE_BINS))
          throw new RangeError(`joint.fine key must be an integer in [0, ${4 * FINE_BINS}), got ${k}`);
        h.fine![k] += c;
      }
    else h.fine = null;
    return h;
  }
}

/** [index, value] of the nonzero entries. */
function nonzero(a: Float64Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let k = 0; k < a.length; k++) if (a[k] !== 0) out.push([k, a[k]]);
  return out;
}

/** Labelled pairs by label, from either side's marginals (both sides count the same pairs). */
export function labelTotals(m: { positives: Float64Array; negatives: Float64Array }): {
  positives: number;
  negatives: number;
} {
  let positives = 0;
  let negatives = 0;
  for (const x of m.positives) positives += x;
  for (const x of m.negatives) negatives += x;
  return { positives, negatives };
}

/** Paired DeLong (difference = candidate − baseline) from a joint histogram; throws below 2 of each class. */
export function pairedDelongFromJoint(h: JointHistogram): PairedDelong {
  const b = h.marginals(0);
  const c = h.marginals(1);
  const { positives: nPositive, negatives: nNegative } = labelTotals(b);
  checkClassSizes(nPositive, nNegative, "pairedDelongFromJoint");
  const base = delongBinPlacements(b.positives, b.negatives, nPositive, nNegative);
  const cand = delongBinPlacements(c.positives, c.negatives, nPositive, nNegative);
  let cov10 = 0;
  let cov01 = 0;
  for (const [k, n] of h.positive) {
    const i = Math.floor(k / h.grid);
    const j = k % h.grid;
    cov10 += n * (base.v10[i] - base.arm.auc) * (cand.v10[j] - cand.arm.auc);
  }
  for (const [k, n] of h.negative) {
    const i = Math.floor(k / h.grid);
    const j = k % h.grid;
    cov01 += n * (base.v01[i] - base.arm.auc) * (cand.v01[j] - cand.arm.auc);
  }
  const covariance = cov10 / (nPositive - 1) / nPositive + cov01 / (nNegative - 1) / nNegative;
  return pairedDelongResult(base.arm, cand.arm, covariance);
}
