/**
 * Predictions waiting for their delayed outcome, keyed by (model, id). Bounded twice: entries
 * older than the TTL expire, and beyond `maxEntries` the oldest is evicted. A Map keeps
 * insertion (= arrival) order, so expiry and eviction pop from the front in O(1) amortised.
 * A snapshot writes only the changes since the previous one (captureChanges).
 */
export interface JoinEntry {
  version: string;
  /** start of the time bucket the prediction was counted in (epoch ms) */
  bucket: number;
  score?: number;
  decision?: 0 | 1;
  groups?: Record<string, string>;
  /** epoch ms after which an outcome no longer joins */
  expires: number;
}

/** What a snapshot writes of the join index (see JoinIndex.captureChanges). */
export interface JoinChanges {
  /** keys of the entries added since the last snapshot, in arrival order, with their expiry */
  keys: string[];
  expires: number[];
  taken: string[];
  deleteBefore: number;
}

export type JoinResult =
  | { status: "joined"; entry: JoinEntry }
  | { status: "unknown" }
  | { status: "expired"; entry: JoinEntry };

/** Key of one version's prediction of request `id` (the model prefix lets erasure find a model's keys). */
export const joinKey = (model: string, id: string, version: string) => `${model}\u0000${id}\u0000${version}`;

export class JoinIndex {
  readonly entries = new Map<string, JoinEntry>();
  evicted = 0;
  /** keys taken by outcomes since the last snapshot (evictions are deleted by expiry instead) */
  taken = new Set<string>();
  // Arrival order kept apart from the Map: V8 scans a Map's deleted slots when iterating from
  // its front, which made "evict the oldest" quadratic. A stale slot (key re-added or taken) is
  // recognised by its expiry time and skipped.
  private orderKeys: string[] = [];
  private orderExpires: number[] = [];
  private head = 0;
  /** position in the order arrays of the first entry added since the last snapshot */
  private mark = 0;
  /** entries removed or replaced while a snapshot capture is open (see captureChanges) */
  private retired: Map<string, JoinEntry> | undefined;

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  add(key: string, entry: JoinEntry): void {
    if (this.maxEntries === 0) return;
    if (this.retired !== undefined) {
      const replaced = this.entries.get(key);
      if (replaced !== undefined) this.retire(key, replaced);
    }
    this.entries.set(key, entry);
    this.orderKeys.push(key);
    this.orderExpires.push(entry.expires);
    // Slots of taken entries stay in the order arrays until they reach the front; if outcomes
    // keep taking entries while an older one waits, rebuild so memory stays O(maxEntries).
    if (this.orderKeys.length - this.head > 2 * this.maxEntries + 1024) this.rebuildOrder();
    while (this.entries.size > this.maxEntries) {
      const oldest = this.popOldest();
      if (oldest === undefined) break;
      if (this.retired !== undefined) this.retire(oldest, this.entries.get(oldest) as JoinEntry);
      this.entries.delete(oldest);
      this.evicted++;
    }
  }

  /** Key of the oldest live entry, removed from the order (not from the Map). */
  private popOldest(): string | undefined {
    while (this.head < this.orderKeys.length) {
      const key = this.orderKeys[this.head];
      const expires = this.orderExpires[this.head];
      this.head++;
      if (this.head > 65_536 && this.head * 2 > this.orderKeys.length) this.compact();
      if (this.entries.get(key)?.expires === expires) return key;
    }
    return undefined;
  }

  private peekOldest(): JoinEntry | undefined {
    while (this.head < this.orderKeys.length) {
      const e = this.entries.get(this.orderKeys[this.head]);
      if (e?.expires === this.orderExpires[this.head]) return e;
      this.head++;
      if (this.head > 65_536 && this.head * 2 > this.orderKeys.length) this.compact();
    }
    return undefined;
  }

  private rebuildOrder(): void {
    this.orderKeys = [...this.entries.keys()];
    this.orderExpires = [...this.entries.values()].map((e) => e.expires);
    this.head = 0;
    // which entries are new since the last snapshot is lost: the next one rewrites them all
    this.mark = 0;
  }

  private compact(): void {
    this.orderKeys = this.orderKeys.slice(this.head);
    this.orderExpires = this.orderExpires.slice(this.head);
    this.mark = Math.max(0, this.mark - this.head);
    this.head = 0;
  }

  /**
   * What a snapshot must write, captured in O(1) per entry (two array copies, no lookups): the
   * keys (with their expiry) of entries added since the last snapshot, the keys taken since, and
   * the expiry below which every stored entry is gone (evicted or expired: arrival order is expiry
   * order, so they are exactly the older ones). Resets the tracking and opens the capture: until
   * `endCapture`, an entry removed or replaced is kept aside so that `capturedEntry` still returns
   * what was live at the capture, while the snapshot is serialised slice by slice.
   */
  captureChanges(): JoinChanges {
    const from = Math.max(this.mark, this.head);
    const changes: JoinChanges = {
      keys: this.orderKeys.slice(from),
      expires: this.orderExpires.slice(from),
      taken: [...this.taken],
      deleteBefore: this.peekOldest()?.expires ?? Number.MAX_SAFE_INTEGER,
    };
    this.resetChanges();
    this.retired = new Map();
    return changes;
  }

  /** The entry a captured (key, expiry) named, if it was live at the capture; else undefined. */
  capturedEntry(key: string, expires: number): JoinEntry | undefined {
    const e = this.entries.get(key);
    if (e !== undefined && e.expires === expires) return e;
    const r = this.retired?.get(key);
    return r !== undefined && r.expires === expires ? r : undefined;
  }

  /** The snapshot was written (or failed): stop keeping removed entries aside. */
  endCapture(): void {
    this.retired = undefined;
  }

  /** Forget what changed: the state as it is now is what the last snapshot holds. */
  resetChanges(): void {
    this.taken.clear();
    this.mark = this.orderKeys.length;
  }

  /** Keep a removed or replaced entry for an open capture (the first removal is the captured one). */
  private retire(key: string, entry: JoinEntry): void {
    if (this.retired !== undefined && !this.retired.has(key)) this.retired.set(key, entry);
  }

  /** The next captureChanges lists every live entry as added (the snapshot rewrites them all). */
  rewriteAll(): void {
    this.mark = 0;
    this.taken.clear();
  }

  /** Take the entry for an outcome: one outcome per prediction, so a joined entry is removed. */
  take(key: string, now: number): JoinResult {
    const entry = this.entries.get(key);
    if (!entry) return { status: "unknown" };
    this.retire(key, entry);
    this.entries.delete(key);
    this.taken.add(key);
    return entry.expires <= now ? { status: "expired", entry } : { status: "joined", entry };
  }

  /**
   * Drop entries expired for more than one more TTL, oldest first. Keeping them that long lets
   * a late outcome be reported as "expired" rather than "unknown".
   */
  sweep(now: number): number {
    let n = 0;
    for (let e = this.peekOldest(); e && e.expires + this.ttlMs <= now; e = this.peekOldest()) {
      const key = this.popOldest()!;
      this.retire(key, e);
      this.entries.delete(key);
      n++;
    }
    return n;
  }
}
