/**
 * A Map bounded by a time to live and a maximum size, evicting in arrival order. Arrival order is
 * kept in arrays beside the Map (as JoinIndex does): V8 scans a Map's deleted front slots on every
 * `keys().next()`, which makes "drop the oldest" quadratic under churn. A stale slot (key deleted or
 * re-set since) is recognised by its stamp and skipped. O(1) amortised per operation.
 */
export class BoundedQueueMap<V> {
  private readonly entries = new Map<string, { value: V; expires: number; stamp: number }>();
  private keys: string[] = [];
  private stamps: number[] = [];
  private head = 0;
  private nextStamp = 0;

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** Live value (not past its expiry at `now`). */
  live(key: string, now: number): V | undefined {
    const e = this.entries.get(key);
    return e && e.expires > now ? e.value : undefined;
  }

  /** Set (or replace, moving to the back); returns the entries evicted to stay within maxEntries. */
  set(key: string, value: V, now: number): Array<[string, V]> {
    const stamp = this.nextStamp++;
    this.entries.set(key, { value, expires: now + this.ttlMs, stamp });
    this.keys.push(key);
    this.stamps.push(stamp);
    const evicted: Array<[string, V]> = [];
    while (this.entries.size > this.maxEntries) {
      const oldest = this.popOldest();
      if (oldest === undefined) break;
      evicted.push(oldest);
    }
    return evicted;
  }

  delete(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    return e.value;
  }

  /** Remove and return every entry expired at `now`, oldest first. */
  sweep(now: number): Array<[string, V]> {
    const out: Array<[string, V]> = [];
    for (;;) {
      const first = this.peek();
      if (!first || first.expires > now) break;
      const popped = this.popOldest();
      if (popped) out.push(popped);
    }
    return out;
  }

  /** Live entries in arrival order with their expiry (for persistence). */
  *ordered(): Generator<[string, V, number]> {
    for (let i = this.head; i < this.keys.length; i++) {
      const e = this.entries.get(this.keys[i]);
      if (e && e.stamp === this.stamps[i]) yield [this.keys[i], e.value, e.expires];
    }
  }

  /** Restore an entry with its original expiry (entries must be restored oldest first). */
  restore(key: string, value: V, expires: number): void {
    const stamp = this.nextStamp++;
    this.entries.set(key, { value, expires, stamp });
    this.keys.push(key);
    this.stamps.push(stamp);
  }

  private peek(): { value: V; expires: number; stamp: number } | undefined {
    while (this.head < this.keys.length) {
      const e = this.entries.get(this.keys[this.head]);
      if (e && e.stamp === this.stamps[this.head]) return e;
      this.head++;
    }
    return undefined;
  }

  private popOldest(): [string, V] | undefined {
    const e = this.peek();
    if (!e) return undefined;
    const key = this.keys[this.head];
    this.head++;
    this.entries.delete(key);
    if (this.head > 65_536 && this.head * 2 > this.keys.length) {
      this.keys = this.keys.slice(this.head);
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
    return [key, e.value];
  }
}
