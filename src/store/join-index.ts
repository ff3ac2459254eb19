/**
 * Predictions waiting for their delayed outcome, keyed by (model, id). Bounded twice: entries
 * older than the TTL expire, and beyond `maxEntries` the oldest is evicted. A Map keeps
 * insertion (= arrival) order, so expiry and eviction pop from the front in O(1) amortised.
 * Changes since the last snapshot are tracked in `dirty` so a snapshot writes only those.
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

export type JoinResult =
  | { status: "joined"; entry: JoinEntry }
  | { status: "unknown" }
  | { status: "expired"; entry: JoinEntry };

export const joinKey = (model: string, id: string) => `${model}\u0000${id}`;

export class JoinIndex {
  readonly entries = new Map<string, JoinEntry>();
  /** key → entry written, or null deleted, since the last snapshot */
  dirty = new Map<string, JoinEntry | null>();
  evicted = 0;

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  add(key: string, entry: JoinEntry): void {
    if (this.maxEntries === 0) return;
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.dirty.set(key, entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.dirty.set(oldest, null);
      this.evicted++;
    }
  }

  /** Take the entry for an outcome: one outcome per prediction, so a joined entry is removed. */
  take(key: string, now: number): JoinResult {
    const entry = this.entries.get(key);
    if (!entry) return { status: "unknown" };
    this.entries.delete(key);
    this.dirty.set(key, null);
    return entry.expires <= now ? { status: "expired", entry } : { status: "joined", entry };
  }

  /**
   * Drop entries expired for more than one more TTL, from the front (arrival order). Keeping
   * them that long lets a late outcome be reported as "expired" rather than "unknown".
   */
  sweep(now: number): number {
    let n = 0;
    for (const [key, e] of this.entries) {
      if (e.expires + this.ttlMs > now) break;
      this.entries.delete(key);
      this.dirty.set(key, null);
      n++;
    }
    return n;
  }
}
