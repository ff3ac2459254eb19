import type { RequestHalf, ResponseHalf } from "../ingest/cloudevent-events.js";

/**
 * Halves of logged inferences waiting for their other half. KServe and Seldon log a request and
 * its response as two events sharing an id, sent by a pool of workers (KServe: 5), so either may
 * arrive first:
 * - a request waits for its response up to the request TTL; still unanswered then, it is counted
 *   as an error of its version (the loggers send no response for a failed request), provided
 *   its model has answered at least once — a logger in mode `request` never sends responses,
 *   and its requests must not all become errors;
 * - a response that came first waits for its request up to the response wait, then counts
 *   without the request's features.
 * Both maps are in arrival order and bounded by `maxEntries`; the store journals every change,
 * so replay rebuilds them exactly.
 */
export interface PendingRequest extends RequestHalf {
  expires: number;
}

export interface PendingResponse extends ResponseHalf {
  /** a response always has a version when it waits (else it is refused) */
  version: string;
  expires: number;
}

export const pendingKey = (half: { model: string; id: string }) => `${half.model}\u0000${half.id}`;

export class PendingCloudEvents {
  readonly requests = new Map<string, PendingRequest>();
  readonly responses = new Map<string, PendingResponse>();
  /** models that have sent at least one response */
  readonly answeringModels = new Set<string>();
  /** requests counted as errors because no response came within the TTL */
  unanswered = 0;
  /** requests dropped without an error: evicted at capacity, without a version, or of a model that never answered */
  unpaired = 0;

  constructor(
    readonly requestTtlMs: number,
    readonly responseWaitMs: number,
    readonly maxEntries: number,
  ) {}

  addRequest(key: string, r: PendingRequest): void {
    this.requests.delete(key);
    this.requests.set(key, r);
    if (this.requests.size <= this.maxEntries) return;
    // Drop the oldest tenth in one pass: iterating a Map from its front walks the slots its
    // deletions left, so one eviction per add would be quadratic.
    let drop = this.requests.size - this.maxEntries + Math.floor(this.maxEntries / 10);
    for (const k of this.requests.keys()) {
      if (drop-- <= 0) break;
      this.requests.delete(k);
      this.unpaired++;
    }
  }

  addResponse(key: string, r: PendingResponse): void {
    this.responses.delete(key);
    this.responses.set(key, r);
  }

  /**
   * What has waited too long, oldest first, without removing it: requests past their TTL,
   * responses past their wait, and the oldest responses beyond `maxEntries − room` (they are
   * counted, not dropped, so a flood of lone responses cannot lose predictions).
   */
  overdue(
    now: number,
    room = 0,
  ): { requests: Array<[string, PendingRequest]>; responses: Array<[string, PendingResponse]> } {
    const requests: Array<[string, PendingRequest]> = [];
    for (const entry of this.requests) {
      if (entry[1].expires > now) break;
      requests.push(entry);
    }
    const responses: Array<[string, PendingResponse]> = [];
    let excess = this.responses.size - (this.maxEntries - room);
    for (const entry of this.responses) {
      if (entry[1].expires > now && excess <= 0) break;
      responses.push(entry);
      excess--;
    }
    return { requests, responses };
  }
}
