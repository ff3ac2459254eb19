import { evalCondition } from "./expr.js";
import { findResults, NotEmulated, parseJsonPath } from "./jsonpath.js";

/**
 * Argo Rollouts' `web` metric provider (metricproviders/webmetric/webmetric.go) and condition
 * evaluation (utils/evaluate/evaluate.go), for one measurement of an already arg-resolved metric.
 *
 * Request: method (default GET); `body` or `jsonBody` (not both, and not with GET); headers set in
 * order with Go's Header.Set (canonical key, last one wins); `Content-Type: application/json`
 * forced when jsonBody is given; timeoutSeconds (default 10) for the whole exchange.
 * Response: a transport error or a status outside 2xx is an Error measurement and the body is
 * never read. A 2xx body that is not JSON is **Successful without evaluating any condition**
 * (value = the raw body). Otherwise the jsonPath (default `{$}`) is run with client-go semantics,
 * the first value of the first non-empty result list becomes `result` (JSON numbers are float64,
 * which JavaScript numbers already are), and EvaluateResult decides the phase.
 */

export type Phase = "Successful" | "Failed" | "Inconclusive" | "Error";

export interface WebMetric {
  url: string;
  method?: string;
  headers?: { key: string; value: string }[];
  body?: string;
  jsonBody?: unknown;
  jsonPath?: string;
  timeoutSeconds?: number;
  insecure?: boolean;
}

export interface Metric {
  name: string;
  successCondition?: string;
  failureCondition?: string;
  provider: { web?: WebMetric } & Record<string, unknown>;
  [k: string]: unknown;
}

export interface Measurement {
  phase: Phase;
  value?: string;
  message?: string;
  /** what the provider sent (for assertions about the request) */
  request?: { method: string; url: string; headers: Record<string, string>; body?: string };
  /** the HTTP status, when a response arrived */
  status?: number;
}

/** EvaluateResult: success/failure conditions → phase (errors in a condition are Error). */
export function evaluateResult(
  result: unknown,
  metric: Pick<Metric, "successCondition" | "failureCondition">,
): {
  phase: Phase;
  error?: string;
} {
  let success = false;
  let failure = false;
  try {
    if (metric.successCondition) success = evalCondition(result, metric.successCondition);
    if (metric.failureCondition) failure = evalCondition(result, metric.failureCondition);
  } catch (e) {
    if (e instanceof NotEmulated) throw e;
    return { phase: "Error", error: (e as Error).message };
  }
  if (!metric.successCondition && !metric.failureCondition) return { phase: "Successful" };
  if (metric.successCondition && !metric.failureCondition) failure = !success;
  if (!metric.successCondition && metric.failureCondition) success = !failure;
  if (failure) return { phase: "Failed" };
  if (!success) return { phase: "Inconclusive" };
  return { phase: "Successful" };
}

/** Go's http.CanonicalHeaderKey for the ASCII header names templates use. */
const canonical = (key: string) =>
  key
    .split("-")
    .map((p) => (p === "" ? p : p[0]!.toUpperCase() + p.slice(1).toLowerCase()))
    .join("-");

/** Go's json.Marshal of a decoded JSON value: map keys sorted, no spaces. */
export function goMarshal(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return `[${v.map(goMarshal).join(",")}]`;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${goMarshal(o[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/** Provider.Run for one measurement. `fetchImpl` defaults to the global fetch. */
export async function runWebMetric(metric: Metric, fetchImpl: typeof fetch = fetch): Promise<Measurement> {
  const web = metric.provider.web;
  if (!web) throw new NotEmulated("a provider other than web");
  if (web.insecure) throw new NotEmulated("web.insecure");
  // NewWebMetricJsonParser runs when the provider is created; a parse error is an Error measurement.
  let nodes: ReturnType<typeof parseJsonPath>;
  try {
    nodes = parseJsonPath(web.jsonPath || "{$}");
  } catch (e) {
    if (e instanceof NotEmulated) throw e;
    return { phase: "Error", message: (e as Error).message };
  }
  const method = web.method || "GET";
  const hasJsonBody = web.jsonBody !== undefined && web.jsonBody !== null;
  if (web.body && hasJsonBody) {
    return {
      phase: "Error",
      message: "use either Body or JSONBody; both cannot exists for WebMetric payload",
    };
  }
  if ((web.body || hasJsonBody) && method === "GET") {
    return {
      phase: "Error",
      message: "Body/JSONBody can only be used with POST or PUT WebMetric Method types",
    };
  }
  const body = web.body ? web.body : hasJsonBody ? JSON.stringify(web.jsonBody) : undefined;
  const headers: Record<string, string> = {};
  for (const h of web.headers ?? []) headers[canonical(h.key)] = h.value;
  if (hasJsonBody) headers["Content-Type"] = "application/json";
  const request = { method, url: web.url, headers, body };
  let url: URL;
  try {
    url = new URL(web.url);
  } catch (e) {
    return { phase: "Error", message: (e as Error).message, request };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { phase: "Error", message: `unsupported protocol scheme "${url.protocol.slice(0, -1)}"`, request };
  }
  const timeout = (web.timeoutSeconds && web.timeoutSeconds > 0 ? web.timeoutSeconds : 10) * 1000;
  let status: number;
  let text: string;
  try {
    const res = await fetchImpl(web.url, { method, headers, body, signal: AbortSignal.timeout(timeout) });
    status = res.status;
    if (status < 200 || status >= 300) {
      await res.body?.cancel();
      return { phase: "Error", message: `received non 2xx response code: ${status}`, request, status };
    }
    text = await res.text();
  } catch (e) {
    return { phase: "Error", message: (e as Error).message, request };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // webmetric.go: "non JSON body return as string" — Successful, conditions not evaluated.
    return { phase: "Successful", value: text, request, status };
  }
  let results: unknown[][];
  try {
    results = findResults(nodes, data);
  } catch (e) {
    if (e instanceof NotEmulated) throw e;
    return {
      phase: "Error",
      message: `Could not find JSONPath in body: ${(e as Error).message}`,
      request,
      status,
    };
  }
  const first = results.find((r) => r.length > 0);
  if (!first) return { phase: "Error", message: "result of web metric produced no value", request, status };
  const result = first[0];
  const value = goMarshal(result);
  const { phase, error } = evaluateResult(result, metric);
  return { phase, value, message: error, request, status };
}
