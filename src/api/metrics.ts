import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** The service's own metrics, on a registry owned by the app (never prom-client's global one). */
export interface ServiceMetrics {
  registry: Registry;
  httpRequests: Counter<"route" | "method" | "status">;
  httpDuration: Histogram<"route" | "method">;
  /**
   * Exceptions caught outside a request's own error handling (a response hook, a timer, a stream
   * callback, or the process-level last resort), by where they were caught: each is a bug that was
   * logged and survived rather than one that ended the process.
   */
  uncaughtErrors: Counter<"where">;
}

export function createServiceMetrics(opts: { defaultMetrics?: boolean } = {}): ServiceMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics !== false)
    collectDefaultMetrics({ register: registry, prefix: "modelgate_process_" });
  return {
    registry,
    httpRequests: new Counter({
      name: "modelgate_http_requests_total",
      help: "HTTP requests answered, by route, method and status",
      labelNames: ["route", "method", "status"],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: "modelgate_http_request_duration_seconds",
      help: "HTTP request duration by route",
      labelNames: ["route", "method"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    uncaughtErrors: new Counter({
      name: "modelgate_uncaught_errors_total",
      help: "Exceptions caught outside request handling (response hooks, timers, stream callbacks, process last resort), logged and survived",
      labelNames: ["where"],
      registers: [registry],
    }),
  };
}
