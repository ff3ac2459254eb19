import type { ServerOptions } from "node:http";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Logger } from "../log.js";
import { type FaultReporter, faultReporter, guarded } from "./faults.js";

/**
 * Limits that keep one misbehaving client (or a flood) from taking the service down:
 *
 * - concurrency: at most `maxConcurrent` requests are handled at once; beyond that the answer is
 *   503 `overloaded` with `Retry-After: 1` at once (shedding load instead of queueing it without
 *   bound). Probes and /metrics are exempt, so an overloaded pod is not also killed by its
 *   liveness probe.
 * - request timeout: a request not answered within `requestTimeoutMs` gets 503 `request_timeout`
 *   (or its connection is closed if the answer had started), so no client waits forever.
 * - slow clients (slowloris): the HTTP server itself drops a connection whose headers take more
 *   than `headersTimeoutMs` or whose whole request takes more than `requestTimeoutMs` (408),
 *   see `serverTimeouts`.
 * - draining: during a graceful shutdown every answer carries `Connection: close`, so keep-alive
 *   clients reconnect (to another replica) instead of reusing a closing socket.
 *
 * Body size and NDJSON line size are limited by the ingestion routes (MODELGATE_MAX_BODY_BYTES,
 * MODELGATE_MAX_LINE_BYTES).
 */
export interface LimitOptions {
  maxConcurrent: number;
  requestTimeoutMs: number;
  logger: Logger;
  /** where an exception in the timeout timer goes (default: logged) */
  reportFault?: FaultReporter;
}

export interface Limits {
  middleware: RequestHandler;
  /** requests being handled now */
  inFlight(): number;
  /** mark the service as shutting down: answers close their connection */
  drain(): void;
  /** resolves when no request is in flight */
  idle(): Promise<void>;
}

const EXEMPT = /^\/(healthz|readyz|metrics)\/?$/i;

export function createLimits(opts: LimitOptions): Limits {
  const report = opts.reportFault ?? faultReporter(opts.logger);
  let inFlight = 0;
  let draining = false;
  let waiters: Array<() => void> = [];
  const done = () => {
    inFlight--;
    if (inFlight === 0) {
      for (const w of waiters) w();
      waiters = [];
    }
  };

  const middleware = (req: Request, res: Response, next: NextFunction) => {
    if (draining) res.setHeader("Connection", "close");
    if (!EXEMPT.test(req.path) && inFlight >= opts.maxConcurrent) {
      res.setHeader("Retry-After", "1");
      res.status(503).json({
        error: {
          code: "overloaded",
          message: `more than ${opts.maxConcurrent} requests in flight (MODELGATE_MAX_CONCURRENT_REQUESTS); retry`,
        },
      });
      return;
    }
    inFlight++;
    let finished = false;
    const timer = setTimeout(
      guarded(report, "request_timeout_timer", () => {
        if (finished) return;
        opts.logger.warn("request timed out", {
          method: req.method,
          path: req.path,
          timeoutMs: opts.requestTimeoutMs,
        });
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.setHeader("Connection", "close");
        res.status(503).json({
          error: {
            code: "request_timeout",
            message: `no answer within ${opts.requestTimeoutMs} ms (MODELGATE_REQUEST_TIMEOUT_MS)`,
          },
        });
      }),
      opts.requestTimeoutMs,
    );
    timer.unref();
    // 'close' fires once whether the answer was sent or the client went away
    res.once("close", () => {
      finished = true;
      clearTimeout(timer);
      done();
    });
    next();
  };

  return {
    middleware,
    inFlight: () => inFlight,
    drain: () => {
      draining = true;
    },
    idle: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
  };
}

/**
 * Server options against slow clients: headers must arrive within `headersTimeoutMs`, the
 * whole request within `requestTimeoutMs` (Node answers 408 and closes). Node checks these
 * every `connectionsCheckingInterval` (30 s by default: too coarse for short timeouts).
 */
export function serverTimeouts(o: { headersTimeoutMs: number; requestTimeoutMs: number }): ServerOptions {
  return {
    headersTimeout: o.headersTimeoutMs,
    requestTimeout: o.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(o.headersTimeoutMs / 4))),
    keepAliveTimeout: 5_000,
  };
}
