/**
 * Fixed-bin histogram of prediction scores on [lo, hi] (default [0, 1], 1000 bins).
 *
 * Two histograms merge only when their ranges and bin counts agree (the bin layout is
 * part of the model's configuration, never of the data). Values outside the range are
 * clamped into the first or last bin and counted in `clamped`, so nothing is silently lost.
 * Memory is O(bins) whatever the number of events; add is O(1); merge is O(bins).
 */
export interface ScoreHistogramJSON {
  lo: number;
  hi: number;
  counts: number[];
  clamped: number;
}

export class ScoreHistogram {
  readonly lo: number;
  readonly hi: number;
  /** replaced (never mutated in place by callers) when a merge coarsens the histogram */
  counts: Float64Array;
  clamped = 0;

  constructor(bins = 1000, lo = 0, hi = 1) {
    if (!Number.isInteger(bins) || bins < 2)
      throw new RangeError(`bins must be an integer >= 2, got ${bins}`);
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) {
      throw new RangeError(`histogram range must satisfy lo < hi, got [${lo}, ${hi}]`);
    }
    this.lo = lo;
    this.hi = hi;
    this.counts = new Float64Array(bins);
  }

  get bins(): number {
    return this.counts.length;
  }

  get total(): number {
    let s = 0;
    for (const c of this.counts) s += c;
    return s;
  }

  /** Index of the bin holding x; bins are [lo + i·w, lo + (i+1)·w), the last one closed. */
  binOf(x: number): number {
    let i = Math.floor(((x - this.lo) / (this.hi - this.lo)) * this.counts.length);
    // Rounding can put a value lying exactly on an edge (e.g. 0.145 with 200 bins) one bin low or high;
    // agree with edge() so that bin i is exactly [edge(i), edge(i+1)).
    if (i >= 0 && i < this.counts.length && x < this.edge(i)) i--;
    else if (i + 1 >= 0 && i + 1 < this.counts.length && x >= this.edge(i + 1)) i++;
    return Math.min(this.counts.length - 1, Math.max(0, i));
  }

  /** Lower edge of bin i (i = bins gives hi). */
  edge(i: number): number {
    return this.lo + ((this.hi - this.lo) * i) / this.counts.length;
  }

  /** Midpoint of bin i: the value a binned statistic uses for every member of the bin. */
  mid(i: number): number {
    return this.lo + ((this.hi - this.lo) * (i + 0.5)) / this.counts.length;
  }

  add(x: number, weight = 1): void {
    if (!Number.isFinite(x)) throw new RangeError(`score must be finite, got ${x}`);
    if (x < this.lo || x > this.hi) this.clamped += weight;
    this.counts[this.binOf(x)] += weight;
  }

  compatible(other: ScoreHistogram): boolean {
    return other.lo === this.lo && other.hi === this.hi && other.counts.length === this.counts.length;
  }

  /**
   * Whether the two can be brought to one layout without loss: same range, and one bin count a
   * multiple of the other (the finer one is then summed into the coarser one's bins exactly).
   */
  alignable(other: ScoreHistogram): boolean {
    if (other.lo !== this.lo || other.hi !== this.hi) return false;
    const [a, b] = [this.bins, other.bins];
    return a % b === 0 || b % a === 0;
  }

  /** The same counts summed into `bins` bins (bins must divide this.bins). */
  coarsened(bins: number): ScoreHistogram {
    if (!(Number.isInteger(bins) && bins >= 2 && this.bins % bins === 0)) {
      throw new RangeError(`cannot coarsen ${this.bins} bins to ${bins}`);
    }
    const out = new ScoreHistogram(bins, this.lo, this.hi);
    const per = this.bins / bins;
    for (let i = 0; i < this.bins; i++) out.counts[Math.floor(i / per)] += this.counts[i];
    out.clamped = this.clamped;
    return out;
  }

  /**
   * Add other's counts. Histograms of one range whose bin counts divide one another merge at the
   * coarser layout (a store upgraded to finer bins still merges the buckets written before); any
   * other layout difference is an error.
   */
  merge(other: ScoreHistogram): this {
    if (!this.compatible(other)) {
      if (!this.alignable(other)) {
        throw new RangeError(
          `cannot merge histograms [${other.lo},${other.hi}]x${other.bins} into [${this.lo},${this.hi}]x${this.bins}`,
        );
      }
      if (this.bins > other.bins) this.counts = this.coarsened(other.bins).counts;
      else other = other.coarsened(this.bins);
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
    this.clamped += other.clamped;
    return this;
  }

  clone(): ScoreHistogram {
    return new ScoreHistogram(this.bins, this.lo, this.hi).merge(this);
  }

  toJSON(): ScoreHistogramJSON {
    return { lo: this.lo, hi: this.hi, counts: Array.from(this.counts), clamped: this.clamped };
  }

  static fromJSON(j: ScoreHistogramJSON): ScoreHistogram {
    const h = new ScoreHistogram(j.counts.length, j.lo, j.hi);
    for (let i = 0; i < j.counts.length; i++) h.counts[i] = j.counts[i];
    h.clamped = j.clamped ?? 0;
    return h;
  }
}
