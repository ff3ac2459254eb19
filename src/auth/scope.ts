/**
 * What a bearer token may do. Each endpoint needs one scope (see route-scopes.ts); `admin`
 * holds every other scope, so one operator token can do anything.
 *
 * - `ingest`: POST /v1/events, /v1/outcomes, /v1/cloudevents (model servers, payload loggers)
 * - `judge`:  /v1/judge (Argo Rollouts' web provider, CI gates)
 * - `read`:   GET /v1/models…, /v1/judgements…, /ui (people and dashboards)
 * - `admin`:  erasure (DELETE /v1/models/{model}), reference profile uploads, everything else
 */
export const SCOPES = ["ingest", "judge", "read", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}

/** Whether a token holding `granted` may use an endpoint needing `required`. */
export function grants(granted: ReadonlySet<Scope>, required: Scope): boolean {
  return granted.has(required) || granted.has("admin");
}
