/**
 * Request CloudEvents waiting for their response (KServe and Seldon log the two halves of an
 * inference as separate events sharing an id). Bounded by a TTL and a maximum count; the oldest
 * request is dropped first, and dropped or expired requests are counted.
 */
export interface PendingRequest {
  model: string;
  version: string;
  /** epoch ms of the request event */
  ts: number;
  /** one feature row per instance of the request, when its inputs could be read as features */
  features?: Array<Record<string, number | string>>;
  expires: number;
}

export class PendingRequests {
  readonly entries = new Map<string, PendingRequest>();
  /** requests dropped without a response (expired or evicted) */
  unpaired = 0;

  constructor(
    readonly ttlMs: number,
    readonly maxEntries: number,
  ) {}

  add(key: string, r: PendingRequest): void {
    this.entries.delete(key);
    this.entries.set(key, r);
    if (this.entries.size <= this.maxEntries) return;
    // Drop the oldest tenth in one pass: iterating a Map from its front walks the slots its
    // deletions left, so one eviction per add would be quadratic.
    let drop = this.entries.size - this.maxEntries + Math.floor(this.maxEntries / 10);
    for (const k of this.entries.keys()) {
      if (drop-- <= 0) break;
      this.entries.delete(k);
      this.unpaired++;
    }
  }

  take(key: string, now: number): PendingRequest | undefined {
    const r = this.entries.get(key);
    if (!r) return undefined;
    this.entries.delete(key);
    if (r.expires <= now) {
      this.unpaired++;
      return undefined;
    }
    return r;
  }

  sweep(now: number): void {
    for (const [key, r] of this.entries) {
      if (r.expires > now) break;
      this.entries.delete(key);
      this.unpaired++;
    }
  }
}
