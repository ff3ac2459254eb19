import { connect, type Socket } from "node:net";
import express from "express";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.js";
import { createLimits } from "../../src/api/limits.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import { startTestServer } from "../auth/harness.js";
import { listen } from "../helpers/http.js";

/** Open a raw connection and write `head`; resolves with what the server sent once it closes. */
function rawConnection(url: string, head: string): { socket: Socket; closed: Promise<string> } {
  const u = new URL(url);
  const socket = connect({ host: u.hostname, port: Number(u.port) });
  let got = "";
  socket.on("data", (d) => {
    got += d.toString("latin1");
  });
  const closed = new Promise<string>((resolve) => {
    socket.on("close", () => resolve(got));
    socket.on("error", () => undefined);
  });
  socket.write(head);
  return { socket, closed };
}

describe("slow clients, concurrency and timeouts", () => {
  it("cuts connections whose headers or body dribble in, while others are served", async () => {
    await using t = await startTestServer({
      MODELGATE_HEADERS_TIMEOUT_MS: "300",
      MODELGATE_REQUEST_TIMEOUT_MS: "800",
    });
    // 30 slowloris connections: half a request line each, never finished
    const slowHeaders = Array.from({ length: 30 }, () =>
      rawConnection(t.url, "GET /v1/models HTTP/1.1\r\nHost: x\r\n"),
    );
    // a body promised at 1000 bytes, sent 10 bytes at a time
    const slowBody = rawConnection(
      t.url,
      "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
    );
    const drip = setInterval(() => slowBody.socket.write("[         "), 100);
    try {
      // meanwhile a normal client is answered
      expect((await fetch(`${t.url}/v1/models`)).status).toBe(200);
      const answers = await Promise.all(slowHeaders.map((c) => c.closed));
      for (const a of answers) expect(a).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
      // whichever fires first: the app's request timeout (503) or Node's requestTimeout (408)
      expect(await slowBody.closed).toMatch(/^HTTP\/1\.1 (503 Service Unavailable|408 Request Timeout)/);
    } finally {
      clearInterval(drip);
    }
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it("sheds load beyond the concurrency limit with 503 overloaded + Retry-After; probes stay exempt", async () => {
    await using t = await startTestServer({ MODELGATE_MAX_CONCURRENT_REQUESTS: "2" });
    const line = JSON.stringify({ model: "m", version: "v", ts: Date.now(), score: 0.5 });
    const head = (n: number) =>
      `POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: ${n}\r\nConnection: close\r\n\r\n`;
    const body = `${line}\n`;
    // two uploads held open: the body is not complete yet
    const held = [
      rawConnection(t.url, head(body.length * 2) + body),
      rawConnection(t.url, head(body.length * 2) + body),
    ];
    // once both uploads are being handled, the next request is shed
    let shed = await fetch(`${t.url}/v1/models`);
    for (let i = 0; i < 500 && shed.status !== 503; i++) {
      await new Promise((r) => setTimeout(r, 10));
      shed = await fetch(`${t.url}/v1/models`);
    }
    expect(shed.status).toBe(503);
    expect(shed.headers.get("retry-after")).toBe("1");
    expect(((await shed.json()) as { error: { code: string } }).error.code).toBe("overloaded");
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    for (const h of held) h.socket.write(body);
    for (const h of held) expect(await h.closed).toMatch(/^HTTP\/1\.1 202 Accepted/);
    expect((await fetch(`${t.url}/v1/models`)).status).toBe(200);
  });

  it("answers 503 request_timeout when a handler takes longer than the request timeout", async () => {
    const limits = createLimits({ maxConcurrent: 10, requestTimeoutMs: 200, logger: silentLogger });
    const slow = express.Router();
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    slow.get("/v1/slow", async (_req, res) => {
      await released;
      if (!res.headersSent) res.json({ late: true });
    });
    const app = createApp({ config: loadConfig({}), guards: [limits.middleware], routers: [slow] });
    await using srv = await listen(app);
    const r = await fetch(`${srv.url}/v1/slow`);
    expect(r.status).toBe(503);
    expect(r.headers.get("connection")).toBe("close");
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("request_timeout");
    release();
    await limits.idle();
    expect(limits.inFlight()).toBe(0);
  });
});
