/**
 * Mergeable quantile sketch with a relative-error guarantee (the DDSketch construction of
 * Masson, Rim & Lee, VLDB 2019): a positive value x falls in bucket i = ceil(log_γ x) with
 * γ = (1 + a)/(1 − a), and bucket i is reported as 2γ^i/(γ + 1), which is within a relative
 * error a of every value in it. Default a = 0.01 (1%).
 *
 * Used for latencies (ms, non-negative) and numeric features (any sign: negatives are kept
 * in a mirrored store, zeros counted apart). Memory is O(log_γ(max/min)) buckets, not O(events).
 * Quantiles use the lower order statistic convention of DDSketch (rank = q·(n − 1)).
 */
export interface LatencySketchJSON {
  alpha: number;
  zero: number;
  pos: Record<string, number>;
  neg: Record<string, number>;
  min: number | null;
  max: number | null;
  sum: number;
}

export class LatencySketch {
  readonly alpha: number;
  private readonly logGamma: number;
  readonly pos = new Map<number, number>();
  readonly neg = new Map<number, number>();
  zero = 0;
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** buckets() in value order, kept until the next add or merge (a judgement reads it many times) */
  private sorted: Array<[number, number]> | undefined;

  /** Values closer to 0 than this are counted as zero (keeps the bucket range bounded). */
  static readonly MIN_INDEXABLE = 1e-9;

  constructor(alpha = 0.01) {
    if (!(alpha > 0 && alpha < 1)) throw new RangeError(`relative accuracy must be in (0, 1), got ${alpha}`);
    this.alpha = alpha;
    this.logGamma = Math.log((1 + alpha) / (1 - alpha));
  }

  get gamma(): number {
    return Math.exp(this.logGamma);
  }

  indexOf(x: number): number {
    return Math.ceil(Math.log(x) / this.logGamma);
  }

  /** Representative value of positive bucket i (relative error ≤ alpha for all its members). */
  valueOf(i: number): number {
    return (2 * Math.exp(this.logGamma * i)) / (1 + this.gamma);
  }

  /** Upper edge of positive bucket i: every value in it is ≤ γ^i. */
  upperEdge(i: number): number {
    return Math.exp(this.logGamma * i);
  }

  add(x: number, weight = 1): void {
    if (!Number.isFinite(x)) throw new RangeError(`value must be finite, got ${x}`);
    this.sorted = undefined;
    if (x > LatencySketch.MIN_INDEXABLE) {
      const i = this.indexOf(x);
      this.pos.set(i, (this.pos.get(i) ?? 0) + weight);
    } else if (x < -LatencySketch.MIN_INDEXABLE) {
      const i = this.indexOf(-x);
      this.neg.set(i, (this.neg.get(i) ?? 0) + weight);
    } else {
      this.zero += weight;
    }
    this.count += weight;
    this.sum += x * weight;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
  }

  merge(other: LatencySketch): this {
    if (other.alpha !== this.alpha) {
      throw new RangeError(`cannot merge sketches of accuracy ${other.alpha} and ${this.alpha}`);
    }
    this.sorted = undefined;
    for (const [i, c] of other.pos) this.pos.set(i, (this.pos.get(i) ?? 0) + c);
    for (const [i, c] of other.neg) this.neg.set(i, (this.neg.get(i) ?? 0) + c);
    this.zero += other.zero;
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    return this;
  }

  clone(): LatencySketch {
    return new LatencySketch(this.alpha).merge(this);
  }

  /**
   * Buckets in increasing value order as [representative value, count]. This is the sorted
   * "sample" every binned statistic (quantiles, CDF bands, KS) works from. The array is kept until the
   * next add or merge and shared between callers: read it, never change it.
   */
  buckets(): Array<[number, number]> {
    if (this.sorted) return this.sorted;
    const out: Array<[number, number]> = [];
    const negKeys = [...this.neg.keys()].sort((a, b) => b - a);
    for (const i of negKeys) out.push([-this.valueOf(i), this.neg.get(i)!]);
    if (this.zero > 0) out.push([0, this.zero]);
    const posKeys = [...this.pos.keys()].sort((a, b) => a - b);
    for (const i of posKeys) out.push([this.valueOf(i), this.pos.get(i)!]);
    this.sorted = out;
    return out;
  }

  /** q-quantile (q in [0,1]) within relative error alpha; throws on an empty sketch. */
  quantile(q: number): number {
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
    if (this.count === 0) throw new RangeError("quantile of an empty sketch");
    const rank = q * (this.count - 1);
    let seen = 0;
    for (const [v, c] of this.buckets()) {
      seen += c;
      if (seen > rank) return Math.min(this.max, Math.max(this.min, v));
    }
    return this.max;
  }

  /** Fraction of values ≤ x, to within the bucket holding x. */
  cdf(x: number): number {
    if (this.count === 0) throw new RangeError("cdf of an empty sketch");
    let below = 0;
    for (const [v, c] of this.buckets()) {
      if (v <= x) below += c;
      else break;
    }
    return below / this.count;
  }

  toJSON(): LatencySketchJSON {
    return {
      alpha: this.alpha,
      zero: this.zero,
      pos: Object.fromEntries(this.pos),
      neg: Object.fromEntries(this.neg),
      min: this.count > 0 ? this.min : null,
      max: this.count > 0 ? this.max : null,
      sum: this.sum,
    };
  }

  static fromJSON(j: LatencySketchJSON): LatencySketch {
    const s = new LatencySketch(j.alpha);
    for (const [k, c] of Object.entries(j.pos)) s.pos.set(Number(k), c);
    for (const [k, c] of Object.entries(j.neg)) s.neg.set(Number(k), c);
    s.zero = j.zero;
    let n = j.zero;
    for (const c of s.pos.values()) n += c;
    for (const c of s.neg.values()) n += c;
    s.count = n;
    s.sum = j.sum;
    s.min = j.min ?? Number.POSITIVE_INFINITY;
    s.max = j.max ?? Number.NEGATIVE_INFINITY;
    return s;
  }
}
