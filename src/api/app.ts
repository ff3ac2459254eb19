import express, { type NextFunction, type Request, type Response } from "express";
import type { Config } from "../config.js";
import { type Logger, silentLogger } from "../log.js";
import { faultReporter, guarded } from "./faults.js";
import { HttpError } from "./http-error.js";
import { createServiceMetrics, type ServiceMetrics } from "./metrics.js";

/** Everything the app talks to is passed in; createApp never listens and holds no globals. */
export interface AppDeps {
  config: Config;
  logger?: Logger;
  metrics?: ServiceMetrics;
  clock?: () => number;
  /** false while the store is still replaying its log; /readyz answers 503 until true */
  ready?: () => boolean;
  /** extra routers mounted after the built-in ones (ingest, judge, ui …) */
  routers?: express.Router[];
  /**
   * middleware run before every route, in order: limits (concurrency, timeout) and
   * authentication (src/auth/middleware.ts, which holds the one table of scopes per route)
   */
  guards?: express.RequestHandler[];
}

export function createApp(deps: AppDeps): express.Express {
  const logger = deps.logger ?? silentLogger;
  const metrics = deps.metrics ?? createServiceMetrics({ defaultMetrics: false });
  const ready = deps.ready ?? (() => true);
  const app = express();
  app.disable("x-powered-by");
  app.set("query parser", "simple");

  const report = faultReporter(logger, metrics);
  app.use((req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    // runs after the answer is sent, outside express's error handling: a throw here is reported
    res.on(
      "finish",
      guarded(report, "response_hook", () => {
        const labels = { route: routeLabel(req), method: req.method };
        end(labels);
        metrics.httpRequests.inc({ ...labels, status: String(res.statusCode) });
      }),
    );
    next();
  });
  for (const g of deps.guards ?? []) app.use(g);

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", (_req, res) => {
    if (ready()) res.json({ status: "ready" });
    else res.status(503).json({ status: "starting" });
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  for (const r of deps.routers ?? []) app.use(r);

  app.use((req, _res, next) => {
    next(new HttpError(404, "not_found", `no route for ${req.method} ${req.path}`));
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status, body } = renderError(err);
    if (status >= 500)
      logger.error("request failed", { method: req.method, path: req.path, error: String(err) });
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json(body);
  });
  return app;
}

/** The API's path prefixes, for requests refused before any route matched them. */
const PREFIXES = [
  "/v1/judgements",
  "/v1/judge",
  "/v1/events",
  "/v1/outcomes",
  "/v1/cloudevents",
  "/v1/models",
  "/ui",
  "/metrics",
  "/healthz",
  "/readyz",
];

/**
 * The `route` label of a request: the matched route's pattern; for a request refused before
 * routing (401, 403, 503 overloaded) the API prefix it was for (`/v1/judge`, or `/v1/judge/*`
 * below it); anything else `unmatched`. Never the path as sent: a label per path would let any
 * client grow the metrics without bound.
 */
function routeLabel(req: Request): string {
  const route = req.route?.path as string | undefined;
  if (route !== undefined) return `${req.baseUrl}${route}`;
  const path = req.path;
  for (const p of PREFIXES) {
    if (path === p) return p;
    if (path.startsWith(`${p}/`)) return `${p}/*`;
  }
  return "unmatched";
}

/** Map any thrown value to a JSON error body; body-parser's errors become named 4xx answers. */
export function renderError(err: unknown): { status: number; body: { error: Record<string, unknown> } } {
  if (err instanceof HttpError) {
    return {
      status: err.status,
      body: { error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) } },
    };
  }
  const e = err as { type?: string; status?: number; message?: string; limit?: number };
  if (e?.type === "entity.parse.failed") {
    return {
      status: 400,
      body: { error: { code: "malformed_json", message: `malformed JSON body: ${e.message}` } },
    };
  }
  if (e?.type === "entity.too.large") {
    return {
      status: 413,
      body: {
        error: { code: "body_too_large", message: `request body exceeds the limit of ${e.limit} bytes` },
      },
    };
  }
  if (typeof e?.status === "number" && e.status >= 400 && e.status < 500) {
    return {
      status: e.status,
      body: { error: { code: e.type ?? "bad_request", message: String(e.message) } },
    };
  }
  return { status: 500, body: { error: { code: "internal", message: "internal error" } } };
}
