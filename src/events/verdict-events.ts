import { Counter, Gauge, type Registry } from "prom-client";
import type { Config } from "../config.js";
import type { JudgeResponse } from "../judge/judgement.js";
import type { Logger } from "../log.js";
import type { BackoffPolicy } from "./backoff.js";
import { judgementCloudEvent } from "./cloudevent.js";
import { type DeliveryOutcome, httpPost, type PostEvent, type Scheduler, SinkDelivery } from "./delivery.js";
import { EventLedger } from "./triggers.js";

/**
 * The judge's hook for verdict events: told of every judgement after its answer is computed, it
 * decides what to send (triggers.ts) and hands the CloudEvent to every sink's queue
 * (delivery.ts). `judged` never throws and never waits: delivery happens after the answer.
 */
export interface VerdictEvents {
  judged(response: JudgeResponse): void;
  /** a judgement replayed from the audit log at start: what it fired counts as already sent */
  seen(response: JudgeResponse): void;
  /** stop taking events and try to deliver what is queued, for at most the flush timeout */
  close(): Promise<void>;
}

export interface VerdictEventsOptions {
  sinks: string[];
  /** CloudEvents `source` */
  source: string;
  queueSize: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  timeoutMs: number;
  flushTimeoutMs: number;
  logger: Logger;
  clock: () => number;
  scheduler: Scheduler;
  random: () => number;
  post?: PostEvent;
  /** delivery counters and queue depth are registered here (the app's registry) */
  registry?: Registry;
  ledger?: EventLedger;
}

const OUTCOMES: DeliveryOutcome[] = ["delivered", "retried", "failed", "dropped"];

/** A sink's name in logs and metrics: scheme, host and path (a query string may hold a token). */
export function sinkLabels(urls: string[]): string[] {
  const seen = new Map<string, number>();
  return urls.map((raw) => {
    const u = new URL(raw);
    const base = `${u.origin}${u.pathname}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  });
}

export function createVerdictEvents(o: VerdictEventsOptions): VerdictEvents {
  const ledger = o.ledger ?? new EventLedger();
  const post = o.post ?? httpPost();
  const labels = sinkLabels(o.sinks);
  const deliveries = o.registry
    ? new Counter({
        name: "modelgate_event_deliveries_total",
        help: "Verdict CloudEvents by sink and outcome: delivered, retried (per retry), failed (given up), dropped (queue full or shutdown)",
        labelNames: ["sink", "outcome"],
        registers: [o.registry],
      })
    : undefined;
  const sinks = o.sinks.map(
    (url, i) =>
      new SinkDelivery({
        url,
        label: labels[i],
        post,
        scheduler: o.scheduler,
        clock: o.clock,
        random: o.random,
        queueSize: o.queueSize,
        maxAttempts: o.maxAttempts,
        backoff: o.backoff,
        timeoutMs: o.timeoutMs,
        count: (outcome) => deliveries?.inc({ sink: labels[i], outcome }),
        logger: o.logger,
      }),
  );
  if (deliveries) {
    // every series from the start, so that rate() and alerts see the first increment
    for (const sink of labels) for (const outcome of OUTCOMES) deliveries.inc({ sink, outcome }, 0);
    new Gauge({
      name: "modelgate_event_queue_depth",
      help: "Verdict CloudEvents not yet delivered or given up, by sink",
      labelNames: ["sink"],
      registers: [o.registry!],
      collect() {
        for (const [i, s] of sinks.entries()) this.set({ sink: labels[i] }, s.pending);
      },
    });
  }
  o.logger.info("verdict events on", { sinks: labels, source: o.source });
  let closing: Promise<void> | undefined;
  return {
    judged(response) {
      try {
        for (const trigger of ledger.fire(response)) {
          const event = judgementCloudEvent(response, trigger, o.source);
          for (const sink of sinks) sink.enqueue(event);
        }
      } catch (err) {
        o.logger.error("verdict event not queued", { error: String(err), judgement: response.judgement?.id });
      }
    },
    seen(response) {
      ledger.seen(response);
    },
    close() {
      closing ??= Promise.all(sinks.map((s) => s.close(o.flushTimeoutMs))).then(() => undefined);
      return closing;
    },
  };
}

/** The service's verdict events from its settings; undefined when no sink is configured. */
export function verdictEventsFromConfig(
  config: Config,
  deps: Pick<VerdictEventsOptions, "logger" | "clock" | "scheduler" | "random" | "registry" | "post">,
): VerdictEvents | undefined {
  if (!config.eventSinks || config.eventSinks.length === 0) return undefined;
  return createVerdictEvents({
    ...deps,
    sinks: config.eventSinks,
    source: config.eventSource,
    queueSize: config.eventQueueSize,
    maxAttempts: config.eventMaxAttempts,
    backoff: { initialMs: config.eventRetryInitialMs, maxMs: config.eventRetryMaxMs },
    timeoutMs: config.eventTimeoutMs,
    flushTimeoutMs: config.eventFlushTimeoutMs,
  });
}
