import type { Logger } from "../log.js";
import { type BackoffPolicy, parseRetryAfter, retryDelayMs } from "./backoff.js";
import { CLOUDEVENTS_JSON, type JudgementCloudEvent } from "./cloudevent.js";

/** Timers, passed in so that tests and the service choose how time passes. */
export interface Scheduler {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers, unref'd: a pending retry never keeps the process alive on its own. */
export function systemScheduler(): Scheduler {
  return {
    setTimeout: (run, ms) => setTimeout(run, ms).unref(),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  };
}

/** One POST of a structured-mode CloudEvent; resolves with the status, rejects on a transport error. */
export type PostEvent = (
  url: string,
  body: string,
  signal: AbortSignal,
) => Promise<{ status: number; retryAfter?: string | null }>;

/** POST with Node's fetch; redirects are not followed (a 3xx is an answer, and a permanent failure). */
export function httpPost(): PostEvent {
  return async (url, body, signal) => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": CLOUDEVENTS_JSON, "user-agent": "modelgate" },
      body,
      signal,
      redirect: "manual",
    });
    // read the answer to the end so the connection can be reused; its content does not matter
    await res.arrayBuffer();
    return { status: res.status, retryAfter: res.headers.get("retry-after") };
  };
}

export type DeliveryOutcome = "delivered" | "retried" | "failed" | "dropped";

export interface SinkOptions {
  url: string;
  /** the sink as logs and metrics name it (no query string, no credentials) */
  label: string;
  post: PostEvent;
  scheduler: Scheduler;
  clock: () => number;
  random: () => number;
  /** most events waiting besides the one being delivered */
  queueSize: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  timeoutMs: number;
  count: (outcome: DeliveryOutcome) => void;
  logger: Logger;
}

interface Pending {
  event: JudgementCloudEvent;
  body: string;
  attempts: number;
}

type AttemptResult =
  | { kind: "delivered" }
  | { kind: "retry" | "permanent"; why: string; retryAfterMs?: number };

/**
 * Delivery to one sink: a bounded queue sent one event at a time, in order. 2xx is delivered;
 * 408, 429, 5xx, a transport error or no answer within `timeoutMs` is retried after an
 * exponential, jittered delay, up to `maxAttempts`; any other status (3xx, 4xx) is a permanent
 * failure. Failures are counted and logged, never thrown: the judge that enqueued the event
 * answered long before. Memory: `queueSize` + 1 events.
 */
export class SinkDelivery {
  private readonly waiting: Pending[] = [];
  private current: Pending | undefined;
  private retryTimer: unknown;
  private inFlight: AbortController | undefined;
  private accepting = true;
  private idle: Array<() => void> = [];

  constructor(private readonly o: SinkOptions) {}

  /** Events not yet delivered or given up: the one being delivered and those waiting. */
  get pending(): number {
    return this.waiting.length + (this.current ? 1 : 0);
  }

  enqueue(event: JudgementCloudEvent): void {
    if (!this.accepting) {
      this.o.count("dropped");
      return;
    }
    if (this.waiting.length >= this.o.queueSize) {
      const dropped = this.waiting.shift()!;
      this.o.count("dropped");
      this.o.logger.warn("event queue full: oldest event dropped", {
        sink: this.o.label,
        event: dropped.event.id,
        queueSize: this.o.queueSize,
      });
    }
    this.waiting.push({ event, body: JSON.stringify(event), attempts: 0 });
    this.next();
  }

  /**
   * Stop taking events and keep delivering what is queued, for at most `timeoutMs`; what is left
   * then is dropped (counted and logged). Resolves when the queue is empty or at the deadline.
   */
  async close(timeoutMs: number): Promise<void> {
    this.accepting = false;
    if (this.pending === 0) return;
    await new Promise<void>((resolve) => {
      const deadline = this.o.scheduler.setTimeout(() => {
        this.abandon();
        resolve();
      }, timeoutMs);
      this.idle.push(() => {
        this.o.scheduler.clearTimeout(deadline);
        resolve();
      });
    });
  }

  private next(): void {
    if (this.current) return;
    const item = this.waiting.shift();
    if (!item) {
      for (const done of this.idle.splice(0)) done();
      return;
    }
    this.current = item;
    void this.attempt(item);
  }

  private async attempt(item: Pending): Promise<void> {
    item.attempts++;
    const result = await this.send(item);
    if (this.current !== item) return; // abandoned at shutdown while in flight
    if (result.kind === "delivered") {
      this.o.count("delivered");
      this.finish();
      return;
    }
    if (result.kind === "permanent" || item.attempts >= this.o.maxAttempts) {
      this.o.count("failed");
      this.o.logger.error("event not delivered", {
        sink: this.o.label,
        event: item.event.id,
        attempts: item.attempts,
        reason: result.why,
        permanent: result.kind === "permanent",
      });
      this.finish();
      return;
    }
    this.o.count("retried");
    const delay = retryDelayMs(item.attempts, this.o.backoff, this.o.random, result.retryAfterMs);
    this.o.logger.debug("event delivery will be retried", {
      sink: this.o.label,
      event: item.event.id,
      attempt: item.attempts,
      reason: result.why,
      delayMs: delay,
    });
    this.retryTimer = this.o.scheduler.setTimeout(() => {
      this.retryTimer = undefined;
      void this.attempt(item);
    }, delay);
  }

  private finish(): void {
    this.current = undefined;
    this.next();
  }

  private async send(item: Pending): Promise<AttemptResult> {
    const abort = new AbortController();
    this.inFlight = abort;
    const timer = this.o.scheduler.setTimeout(() => abort.abort(), this.o.timeoutMs);
    try {
      const { status, retryAfter } = await this.o.post(this.o.url, item.body, abort.signal);
      if (status >= 200 && status < 300) return { kind: "delivered" };
      const why = `HTTP ${status}`;
      if (status === 408 || status === 429 || status >= 500) {
        return { kind: "retry", why, retryAfterMs: parseRetryAfter(retryAfter, this.o.clock()) };
      }
      return { kind: "permanent", why };
    } catch (err) {
      const why = abort.signal.aborted ? `no answer within ${this.o.timeoutMs} ms` : transportError(err);
      return { kind: "retry", why };
    } finally {
      this.o.scheduler.clearTimeout(timer);
      if (this.inFlight === abort) this.inFlight = undefined;
    }
  }

  private abandon(): void {
    const left = this.pending;
    if (this.retryTimer !== undefined) this.o.scheduler.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.inFlight?.abort();
    this.current = undefined;
    this.waiting.length = 0;
    this.idle.length = 0;
    for (let i = 0; i < left; i++) this.o.count("dropped");
    if (left > 0) {
      this.o.logger.warn("undelivered events dropped at shutdown", { sink: this.o.label, events: left });
    }
  }
}

/** Node's fetch says "fetch failed" and keeps the reason (ECONNREFUSED …) in `cause`. */
function transportError(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message ?? "error"}: ${cause}` : String(e?.message ?? err);
}
