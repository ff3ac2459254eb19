import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PrometheusSource } from "../../src/sources/prometheus.js";
import { SourceUnavailable } from "../../src/sources/source.js";
import { freePort } from "../helpers/prometheus.js";

/** A fake Prometheus API on 127.0.0.1 answering every query with `handler`. */
async function fakePrometheus(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => handler(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};
const vector = (result: unknown[]) => ({ status: "success", data: { resultType: "vector", result } });
const query = { model: "fraud", version: "a1", from: 1_700_000_000_000, to: 1_700_000_600_000 };

async function rejection(p: Promise<unknown>): Promise<SourceUnavailable> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SourceUnavailable);
  return err as SourceUnavailable;
}

describe("PrometheusSource when Prometheus cannot answer", () => {
  it("down (connection refused): SourceUnavailable naming the refused connection", async () => {
    const port = await freePort();
    const source = new PrometheusSource({ url: `http://127.0.0.1:${port}`, timeoutMs: 2_000 });
    const err = await rejection(source.cohort(query));
    expect(err.source).toBe("prometheus");
    expect(err.message).toBe(`prometheus: cannot connect to http://127.0.0.1:${port}: connection refused`);
    await rejection(source.firstSeen("fraud", "a1"));
  });

  it("slow (no answer within the timeout): SourceUnavailable naming the timeout", async () => {
    const { url } = await fakePrometheus((_req, res) => {
      setTimeout(() => json(res, 200, vector([])), 5_000).unref();
    });
    const source = new PrometheusSource({ url, timeoutMs: 300 });
    const err = await rejection(source.cohort(query));
    expect(err.message).toBe(`prometheus: no answer from ${url} within 300 ms (timeout)`);
  });

  it("a PromQL error: SourceUnavailable carrying Prometheus' error type and message", async () => {
    const { url } = await fakePrometheus((_req, res) =>
      json(res, 400, { status: "error", errorType: "bad_data", error: 'parse error: unexpected "}"' }),
    );
    const err = await rejection(new PrometheusSource({ url, timeoutMs: 2_000 }).cohort(query));
    expect(err.message).toBe('prometheus: query failed (HTTP 400): bad_data: parse error: unexpected "}"');
  });

  it("an HTTP error without a JSON body: SourceUnavailable with the status and the body's start", async () => {
    const { url } = await fakePrometheus((_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>bad gateway</html>");
    });
    const err = await rejection(new PrometheusSource({ url, timeoutMs: 2_000 }).cohort(query));
    expect(err.message).toBe("prometheus: query failed (HTTP 502): <html>bad gateway</html>");
  });

  it("a NaN (or infinite) value: SourceUnavailable, never a NaN inside a summary", async () => {
    for (const bad of ["NaN", "+Inf"]) {
      const { url } = await fakePrometheus((_req, res) =>
        json(res, 200, vector([{ metric: {}, value: [1_700_000_600, bad] }])),
      );
      const err = await rejection(new PrometheusSource({ url, timeoutMs: 2_000 }).cohort(query));
      expect(err.message).toContain(`query returned a non-finite value (${bad})`);
    }
  });

  it("empty results: undefined (→ inconclusive), not an error", async () => {
    const { url } = await fakePrometheus((_req, res) => json(res, 200, vector([])));
    const source = new PrometheusSource({ url, timeoutMs: 2_000 });
    expect(await source.cohort(query)).toBeUndefined();
    expect(await source.firstSeen("fraud", "a1")).toBeUndefined();
  });
});

describe("PrometheusSource requests", () => {
  it("sends instant queries at time=to with the timeout, and the configured credentials", async () => {
    const seen: Array<{ auth?: string; params: URLSearchParams }> = [];
    const { url } = await fakePrometheus((req, res, body) => {
      seen.push({ auth: req.headers.authorization, params: new URLSearchParams(body) });
      json(res, 200, vector([]));
    });
    const dir = await mkdtemp(join(tmpdir(), "modelgate-auth-"));
    try {
      const tokenFile = join(dir, "token");
      await writeFile(tokenFile, "first-token\n");
      const bearer = new PrometheusSource({ url, timeoutMs: 1_500, auth: { kind: "bearer", tokenFile } });
      await bearer.cohort(query);
      expect(seen.length).toBe(13);
      expect(new Set(seen.map((s) => s.auth))).toEqual(new Set(["Bearer first-token"]));
      // rotated token files are re-read
      await writeFile(tokenFile, "second-token\n");
      seen.length = 0;
      await bearer.firstSeen("fraud", "a1");
      expect(seen[0].auth).toBe("Bearer second-token");

      seen.length = 0;
      const basic = new PrometheusSource({
        url,
        timeoutMs: 1_500,
        auth: { kind: "basic", username: "judge", password: "s3cret:x" },
      });
      await basic.cohort(query);
      expect(seen[0].auth).toBe(`Basic ${Buffer.from("judge:s3cret:x").toString("base64")}`);
      for (const s of seen) {
        expect(s.params.get("time")).toBe("1700000599.999");
        expect(s.params.get("timeout")).toBe("1500ms");
      }
      const predictions = seen.find((s) =>
        s.params.get("query")!.startsWith("sum((((last_over_time(modelgate_predictions_total"),
      );
      expect(predictions?.params.get("query")).toBe(
        'sum((((last_over_time(modelgate_predictions_total{model="fraud",version="a1"}[599999ms]) - ' +
          '(last_over_time(modelgate_predictions_total{model="fraud",version="a1"}[3600000ms] @ 1699999999.999) or ' +
          'last_over_time(modelgate_predictions_total{model="fraud",version="a1"}[599999ms]) * 0)) >= 0) unless ' +
          '(resets(modelgate_predictions_total{model="fraud",version="a1"}[599999ms]) > 0)) or ' +
          '(increase(modelgate_predictions_total{model="fraud",version="a1"}[599999ms]) and ' +
          '(resets(modelgate_predictions_total{model="fraud",version="a1"}[599999ms]) > 0)) or ' +
          'last_over_time(modelgate_predictions_total{model="fraud",version="a1"}[599999ms]))',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("an unreadable token file is SourceUnavailable naming the credentials", async () => {
    const { url } = await fakePrometheus((_req, res) => json(res, 200, vector([])));
    const source = new PrometheusSource({
      url,
      timeoutMs: 1_000,
      auth: { kind: "bearer", tokenFile: "/nonexistent/modelgate-token" },
    });
    const err = await rejection(source.cohort(query));
    expect(err.message).toMatch(/^prometheus: cannot read credentials: ENOENT/);
  });
});
