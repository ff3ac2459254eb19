/** What a capture returns of an entry. */
export interface QueuedEntry<V> {
  readonly group: string;
  readonly key: string;
  readonly value: V;
  readonly expires: number;
}

/** One queued entry; `dead` once deleted, replaced or popped (its queue slot is then skipped). */
class Slot<V> {
  dead = false;
  constructor(
    readonly group: string,
    readonly key: string,
    readonly value: V,
    readonly expires: number,
  ) {}
}

/**
 * A two-level Map (group → key → value) bounded by a time to live and a maximum size, evicting in
 * arrival order. Two levels (the pairing index's model → request id) so that no key string is built
 * per operation: a concatenated key is a fresh string, flattened and hashed on every lookup.
 * Arrival order is kept in an array of entries beside the Maps (as JoinIndex does): V8 scans a
 * Map's deleted front slots on every `keys().next()`, which makes "drop the oldest" quadratic under
 * churn. A deleted entry is flagged dead and skipped when the head reaches it, so finding the
 * oldest live entry costs no Map lookup. O(1) amortised per operation; nothing allocated but the
 * entry itself.
 */
export class BoundedQueueMap<V> {
  private readonly groups = new Map<string, Map<string, Slot<V>>>();
  private queue: Slot<V>[] = [];
  private head = 0;
  private count = 0;
  // the previous call's group (consecutive events are mostly of one model)
  private lastName: string | undefined;
  private lastGroup: Map<string, Slot<V>> | undefined;

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.count;
  }

  private group(name: string, create: boolean): Map<string, Slot<V>> | undefined {
    if (name === this.lastName) return this.lastGroup;
    let g = this.groups.get(name);
    if (!g) {
      if (!create) return undefined;
      g = new Map();
      this.groups.set(name, g);
    }
    this.lastName = name;
    this.lastGroup = g;
    return g;
  }

  get(group: string, key: string): V | undefined {
    return this.group(group, false)?.get(key)?.value;
  }

  /** Set (or replace, moving to the back). The caller then evicts with `shiftOver` to stay within maxEntries. */
  set(group: string, key: string, value: V, now: number): void {
    this.restore(group, key, value, now + this.ttlMs);
  }

  /** Set a key known to be absent (one Map operation fewer than `set`); then evict with `shiftOver`. */
  add(group: string, key: string, value: V, now: number): void {
    const s = new Slot(group, key, value, now + this.ttlMs);
    (this.group(group, true) as Map<string, Slot<V>>).set(key, s);
    this.count++;
    this.queue.push(s);
  }

  delete(group: string, key: string): V | undefined {
    const g = this.group(group, false);
    const s = g?.get(key);
    if (!g || !s) return undefined;
    g.delete(key);
    s.dead = true;
    this.count--;
    return s.value;
  }

  /** Remove every entry of a group. O(group size). */
  deleteGroup(group: string): void {
    const g = this.groups.get(group);
    if (!g) return;
    for (const s of g.values()) s.dead = true;
    this.count -= g.size;
    this.groups.delete(group);
    this.lastName = undefined;
    this.lastGroup = undefined;
  }

  /** Remove and return the oldest entry if there are more than maxEntries, else undefined. */
  shiftOver(): V | undefined {
    return this.count > this.maxEntries ? this.shift() : undefined;
  }

  /** Remove and return the oldest entry if it is expired at `now`, else undefined. */
  shiftExpired(now: number): V | undefined {
    const s = this.peek();
    return s !== undefined && s.expires <= now ? this.shift() : undefined;
  }

  /**
   * The live entries now, in arrival order, by reference: an entry never changes once set (a
   * replacement is a new one), so a snapshot may serialise them later, slice by slice.
   */
  capture(): Array<QueuedEntry<V>> {
    const out: Array<QueuedEntry<V>> = [];
    for (let i = this.head; i < this.queue.length; i++) {
      const s = this.queue[i];
      if (!s.dead) out.push(s);
    }
    return out;
  }

  /** Live entries in arrival order: [group, key, value, expires] (for persistence). */
  *ordered(): Generator<[string, string, V, number]> {
    for (let i = this.head; i < this.queue.length; i++) {
      const s = this.queue[i];
      if (!s.dead) yield [s.group, s.key, s.value, s.expires];
    }
  }

  /** Set an entry with the given expiry (restored entries must come oldest first). */
  restore(group: string, key: string, value: V, expires: number): void {
    const g = this.group(group, true) as Map<string, Slot<V>>;
    const s = new Slot(group, key, value, expires);
    const old = g.get(key);
    if (old) old.dead = true;
    else this.count++;
    g.set(key, s);
    this.queue.push(s);
  }

  private peek(): Slot<V> | undefined {
    while (this.head < this.queue.length) {
      const s = this.queue[this.head];
      if (!s.dead) return s;
      this.head++;
    }
    return undefined;
  }

  private shift(): V | undefined {
    const s = this.peek();
    if (!s) return undefined;
    this.head++;
    s.dead = true;
    this.count--;
    this.group(s.group, false)?.delete(s.key);
    if (this.head > 65_536 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return s.value;
  }
}
