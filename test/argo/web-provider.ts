import { ARGO_BEHAVIOUR, type ArgoVersion, DEFAULT_ARGO_VERSION } from "./argo-versions.js";
import { evalCondition } from "./expr.js";
import { type GoValue, goMarshal } from "./go-values.js";
import { findResults, NotEmulated, parseJsonPath, ZERO_VALUE, ZeroValuePanic } from "./jsonpath.js";

/**
 * Argo Rollouts' `web` metric provider (metricproviders/webmetric/webmetric.go) and condition
 * evaluation (utils/evaluate/evaluate.go), for one measurement of an already arg-resolved metric,
 * as the given Argo version does it (argo-versions.ts).
 *
 * Request: method (default GET); `body` or `jsonBody` (not both, and not with GET); headers set in
 * order with Go's Header.Set (canonical key, last one wins); `Content-Type: application/json`
 * forced when jsonBody is given; timeoutSeconds (default 10) for the whole exchange.
 * Response: a transport error or a status outside 2xx is an Error measurement and the body is
 * never read. A 2xx body encoding/json cannot decode (not JSON, or a number beyond float64) is,
 * up to v1.10.0-rc1, **Successful without evaluating any condition** (value = the raw body); on
 * master the conditions run on it as a string. Otherwise the jsonPath (default `{$}`) is run
 * with client-go semantics, the first value of the first non-empty result list becomes `result`
 * (JSON numbers are float64, which JavaScript numbers already are), and EvaluateResult decides
 * the phase. A JSON `null` body selected whole or indexed makes reflect panic in the provider's
 * goroutine, which has no recover: the controller process dies (ZeroValuePanic is thrown).
 * Transport errors other than an unsupported scheme carry Node's words, not Go's.
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

/** The result was nil or an empty slice (evaluate.go isNilOrEmpty). */
const isNilOrEmpty = (result: unknown) => result === null || (Array.isArray(result) && result.length === 0);

/**
 * EvaluateResult: success/failure conditions → phase; an error in a condition is an Error with
 * expr's message, wrapped by formatEvalError from v1.10.0-rc1 on.
 */
export function evaluateResult(
  result: GoValue,
  metric: Pick<Metric, "successCondition" | "failureCondition">,
  version: ArgoVersion = DEFAULT_ARGO_VERSION,
): {
  phase: Phase;
  error?: string;
} {
  const behaviour = ARGO_BEHAVIOUR[version];
  const evaluate = (kind: "successCondition" | "failureCondition", condition: string) => {
    try {
      return evalCondition(result, condition, behaviour.expr);
    } catch (e) {
      if (e instanceof NotEmulated) throw e;
      const message = (e as Error).message;
      if (!behaviour.wrapsConditionErrors) throw new ConditionError(message);
      throw new ConditionError(
        isNilOrEmpty(result)
          ? `could not evaluate ${kind} "${condition}": metric result is nil or empty: no data returned from the metric provider`
          : `could not evaluate ${kind} "${condition}": ${message}`,
      );
    }
  };
  let success = false;
  let failure = false;
  try {
    if (metric.successCondition) success = evaluate("successCondition", metric.successCondition);
    if (metric.failureCondition) failure = evaluate("failureCondition", metric.failureCondition);
  } catch (e) {
    if (e instanceof ConditionError) return { phase: "Error", error: e.message };
    throw e;
  }
  if (!metric.successCondition && !metric.failureCondition) return { phase: "Successful" };
  if (metric.successCondition && !metric.failureCondition) failure = !success;
  if (!metric.successCondition && metric.failureCondition) success = !failure;
  if (failure) return { phase: "Failed" };
  if (!success) return { phase: "Inconclusive" };
  return { phase: "Successful" };
}

class ConditionError extends Error {}

/** encoding/json's Unmarshal into `any`: undefined where it fails (a number out of float64 range too). */
function decodeJson(text: string): { value: GoValue } | undefined {
  let value: GoValue;
  try {
    value = JSON.parse(text) as GoValue;
  } catch {
    return undefined;
  }
  const finite = (v: unknown): boolean =>
    typeof v === "number"
      ? Number.isFinite(v)
      : v !== null && typeof v === "object"
        ? Object.values(v).every(finite)
        : true;
  return finite(value) ? { value } : undefined;
}

/** Go's http.CanonicalHeaderKey for the ASCII header names templates use. */
const canonical = (key: string) =>
  key
    .split("-")
    .map((p) => (p === "" ? p : p[0]!.toUpperCase() + p.slice(1).toLowerCase()))
    .join("-");

/** Provider.Run for one measurement. `fetchImpl` defaults to the global fetch. */
export async function runWebMetric(
  metric: Metric,
  fetchImpl: typeof fetch = fetch,
  version: ArgoVersion = DEFAULT_ARGO_VERSION,
): Promise<Measurement> {
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
    // net/http's *url.Error: Op (the method, capitalised) "URL": error
    const op = method[0]!.toUpperCase() + method.slice(1).toLowerCase();
    const scheme = url.protocol.slice(0, -1);
    return {
      phase: "Error",
      message: `${op} "${web.url}": unsupported protocol scheme "${scheme}"`,
      request,
    };
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
  const decoded = decodeJson(text);
  if (!decoded) {
    // webmetric.go parseResponse: "non JSON body return as string" (master: evaluated as one)
    if (!ARGO_BEHAVIOUR[version].evaluatesNonJsonBody)
      return { phase: "Successful", value: text, request, status };
    const { phase, error } = evaluateResult(text, metric, version);
    return phase === "Error"
      ? { phase, message: error, request, status }
      : { phase, value: text, request, status };
  }
  let results: unknown[][];
  try {
    results = findResults(nodes, decoded.value);
  } catch (e) {
    if (e instanceof NotEmulated || e instanceof ZeroValuePanic) throw e;
    return {
      phase: "Error",
      message: `Could not find JSONPath in body: ${(e as Error).message}`,
      request,
      status,
    };
  }
  const first = results.find((r) => r.length > 0);
  if (!first) return { phase: "Error", message: "result of web metric produced no value", request, status };
  if (first[0] === ZERO_VALUE)
    throw new ZeroValuePanic("reflect: call of reflect.Value.Interface on zero Value");
  const result = first[0] as GoValue;
  const value = goMarshal(result);
  const { phase, error } = evaluateResult(result, metric, version);
  // Run: an error from parseResponse is MarkMeasurementError, which records no value
  if (phase === "Error") return { phase, message: error, request, status };
  return { phase, value, request, status };
}
