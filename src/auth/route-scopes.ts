import type { Scope } from "./scope.js";

/** What an endpoint needs: a scope, or nothing ("open"). */
export type Requirement = Scope | "open";

export interface RouteScopeOptions {
  /** /metrics: open (default; Prometheus scrapes without a token) or a scope */
  metrics: Requirement;
  /** /v1/cloudevents: ingest (default) or open (KServe's logger cannot send headers) */
  cloudEvents: Requirement;
  /** /ui pages: read (default) or open (a browser sends no bearer token by itself) */
  ui?: Requirement;
}

interface Rule {
  /** undefined: any method */
  methods?: readonly string[];
  path: RegExp;
  need: Requirement | keyof RouteScopeOptions;
}

const READ = ["GET", "HEAD"] as const;
const SEGMENT = "[^/]+";

// Express matches routes case-insensitively and with an optional trailing slash, so do these.
const rule = (path: string, need: Rule["need"], methods?: readonly string[]): Rule => ({
  path: new RegExp(`^${path}/?$`, "i"),
  need,
  methods,
});

/**
 * The one table of who may call what, first match wins. Anything not listed needs `admin`:
 * a route added later is closed until someone decides its scope here.
 */
const RULES: readonly Rule[] = [
  rule("/healthz", "open", READ),
  rule("/readyz", "open", READ),
  rule("/metrics", "metrics", READ),
  rule("/v1/events", "ingest", ["POST"]),
  rule("/v1/outcomes", "ingest", ["POST"]),
  rule("/v1/cloudevents", "cloudEvents", ["POST"]),
  rule(`/v1/judge(/${SEGMENT})?`, "judge", ["GET", "HEAD", "POST"]),
  rule(`/v1/judgements(/${SEGMENT})?`, "read", READ),
  rule(`/v1/models/${SEGMENT}/reference`, "read", READ),
  rule(`/v1/models/${SEGMENT}/reference`, "admin", ["PUT", "DELETE"]),
  rule(`/v1/models/${SEGMENT}`, "admin", ["DELETE"]),
  // evidence is read from the judgement history: the scope that reads /v1/judgements
  rule(`/v1/models/${SEGMENT}/versions/${SEGMENT}/evidence`, "read", READ),
  rule(`/v1/models(/${SEGMENT})*`, "read", READ),
  rule(`/ui(/${SEGMENT})*`, "ui", READ),
];

export function requirementOf(method: string, path: string, opts: RouteScopeOptions): Requirement {
  const m = method.toUpperCase();
  for (const r of RULES) {
    if (r.methods && !r.methods.includes(m)) continue;
    if (!r.path.test(path)) continue;
    if (r.need === "ui") return opts.ui ?? "read";
    return r.need === "metrics" || r.need === "cloudEvents" ? opts[r.need] : r.need;
  }
  return "admin";
}
