import { readFile as fsReadFile } from "node:fs/promises";
import axios, { type AxiosInstance, isAxiosError } from "axios";
import { SourceUnavailable } from "../source.js";

export type PrometheusAuth =
  | { kind: "none" }
  | { kind: "bearer"; token?: string; tokenFile?: string }
  | { kind: "basic"; username: string; password?: string; passwordFile?: string };

export interface PrometheusClientOptions {
  /** base URL, e.g. http://prometheus:9090 (no trailing slash needed) */
  url: string;
  /** deadline of one query, ms: connect, evaluate and read the whole answer */
  timeoutMs: number;
  auth?: PrometheusAuth;
  /** reads token/password files; re-read at every query so rotated credentials are picked up */
  readFile?: (path: string) => Promise<string>;
}

/** One element of an instant vector: its labels (without `__name__`) and its value. */
export interface VectorSample {
  labels: Record<string, string>;
  value: number;
}

interface ApiResponse {
  status?: string;
  errorType?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

const SOURCE = "prometheus";

/**
 * Instant queries against Prometheus' HTTP API (POST /api/v1/query, form-encoded, so long
 * queries fit). Everything that prevents an answer — refused connection, timeout, HTTP
 * error, PromQL error, a NaN or infinite value — throws SourceUnavailable with the reason;
 * an empty vector is an answer (no data), returned as [].
 */
export class PrometheusClient {
  private readonly http: AxiosInstance;
  private readonly readFile: (path: string) => Promise<string>;

  constructor(private readonly opts: PrometheusClientOptions) {
    this.http = axios.create({ baseURL: opts.url.replace(/\/+$/, "") });
    this.readFile = opts.readFile ?? ((p) => fsReadFile(p, "utf8"));
  }

  async query(promql: string, timeMs: number): Promise<VectorSample[]> {
    const timeoutMs = this.opts.timeoutMs;
    const body = new URLSearchParams({
      query: promql,
      time: (timeMs / 1000).toFixed(3),
      timeout: `${timeoutMs}ms`,
    });
    const auth = await this.authHeader();
    let status: number;
    let data: unknown;
    try {
      const res = await this.http.post("/api/v1/query", body, {
        headers: { ...auth, "content-type": "application/x-www-form-urlencoded" },
        // axios' timeout is an idle timeout in Node; the signal bounds the whole exchange
        timeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
        validateStatus: () => true,
        responseType: "text",
        transformResponse: (x) => x,
      });
      status = res.status;
      data = res.data;
    } catch (err) {
      throw new SourceUnavailable(SOURCE, describeTransportError(err, this.opts.url, timeoutMs));
    }
    let parsed: ApiResponse | undefined;
    try {
      parsed = JSON.parse(String(data)) as ApiResponse;
    } catch {
      parsed = undefined;
    }
    if (status < 200 || status >= 300 || parsed?.status !== "success") {
      const why = parsed?.error
        ? `${parsed.errorType ?? "error"}: ${parsed.error}`
        : String(data ?? "").slice(0, 200) || "no body";
      throw new SourceUnavailable(SOURCE, `query failed (HTTP ${status}): ${why}`);
    }
    return toVector(parsed.data, promql);
  }

  private async authHeader(): Promise<Record<string, string>> {
    const auth = this.opts.auth ?? { kind: "none" };
    try {
      if (auth.kind === "bearer") {
        const token = auth.tokenFile ? (await this.readFile(auth.tokenFile)).trim() : auth.token;
        return token ? { authorization: `Bearer ${token}` } : {};
      }
      if (auth.kind === "basic") {
        const password = auth.passwordFile
          ? (await this.readFile(auth.passwordFile)).replace(/\r?\n$/, "")
          : (auth.password ?? "");
        return { authorization: `Basic ${Buffer.from(`${auth.username}:${password}`).toString("base64")}` };
      }
    } catch (err) {
      throw new SourceUnavailable(SOURCE, `cannot read credentials: ${(err as Error).message}`);
    }
    return {};
  }
}

function describeTransportError(err: unknown, url: string, timeoutMs: number): string {
  if (isAxiosError(err)) {
    const code = err.code ?? "";
    if (code === "ECONNREFUSED") return `cannot connect to ${url}: connection refused`;
    if (code === "ECONNABORTED" || code === "ETIMEDOUT" || code === "ERR_CANCELED") {
      return `no answer from ${url} within ${timeoutMs} ms (timeout)`;
    }
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `cannot resolve ${url}`;
    return `cannot query ${url}: ${code ? `${code} ` : ""}${err.message}`;
  }
  const e = err as Error;
  if (e?.name === "TimeoutError" || e?.name === "AbortError") {
    return `no answer from ${url} within ${timeoutMs} ms (timeout)`;
  }
  return `cannot query ${url}: ${String(e?.message ?? err)}`;
}

function parseValue(raw: unknown, promql: string): number {
  const v = Array.isArray(raw) ? Number(raw[1]) : Number.NaN;
  if (!Number.isFinite(v)) {
    throw new SourceUnavailable(
      SOURCE,
      `query returned a non-finite value (${String((raw as unknown[])?.[1])}): ${promql}`,
    );
  }
  return v;
}

function toVector(data: ApiResponse["data"], promql: string): VectorSample[] {
  if (data?.resultType === "scalar") return [{ labels: {}, value: parseValue(data.result, promql) }];
  if (data?.resultType !== "vector" || !Array.isArray(data.result)) {
    throw new SourceUnavailable(SOURCE, `unexpected result type ${String(data?.resultType)}: ${promql}`);
  }
  return (data.result as Array<{ metric?: Record<string, string>; value?: unknown }>).map((r) => {
    const { __name__: _, ...labels } = r.metric ?? {};
    return { labels, value: parseValue(r.value, promql) };
  });
}
