import express from "express";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.js";
import { createServiceMetrics } from "../../src/api/metrics.js";
import { loadConfig } from "../../src/config.js";
import type { Logger } from "../../src/log.js";
import { listen } from "../helpers/http.js";

describe("errors thrown after the answer (response hooks)", () => {
  it("are logged and counted, and the next request is served", async () => {
    const metrics = createServiceMetrics({ defaultMetrics: false });
    const broken = metrics.httpRequests.inc.bind(metrics.httpRequests);
    let calls = 0;
    // the first call throws, as prom-client does for a label it does not know
    metrics.httpRequests.inc = ((...args: Parameters<typeof broken>) => {
      if (calls++ === 0) throw new Error('Added label "x" is not included in initial labelset');
      return broken(...args);
    }) as typeof metrics.httpRequests.inc;
    const logged: Array<{ msg: string; fields?: Record<string, unknown> }> = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (msg, fields) => logged.push({ msg, fields }),
    };
    const router = express.Router();
    router.get("/ok", (_req, res) => {
      res.json({ ok: true });
    });
    await using srv = await listen(createApp({ config: loadConfig({}), logger, metrics, routers: [router] }));
    expect((await fetch(`${srv.url}/ok`)).status).toBe(200);
    expect((await fetch(`${srv.url}/ok`)).status).toBe(200);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/modelgate_uncaught_errors_total\{where="response_hook"} 1/);
    expect(text).toMatch(/modelgate_http_requests_total\{route="\/ok",method="GET",status="200"} 1/);
    expect(logged).toEqual([
      expect.objectContaining({
        msg: "uncaught error survived",
        fields: expect.objectContaining({ where: "response_hook" }),
      }),
    ]);
  });

  it("labels requests by route pattern or API prefix, never by the path a client sent", async () => {
    const metrics = createServiceMetrics({ defaultMetrics: false });
    const guard: express.RequestHandler = (req, res, next) => {
      if (req.path.startsWith("/v1/judge")) res.status(401).json({ error: { code: "unauthorized" } });
      else next();
    };
    await using srv = await listen(createApp({ config: loadConfig({}), metrics, guards: [guard] }));
    for (const p of ["/v1/judge", "/v1/judge/a1", "/v1/judge/b2", "/nowhere/x1", "/nowhere/x2"])
      await fetch(`${srv.url}${p}`);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/modelgate_http_requests_total\{route="\/v1\/judge",method="GET",status="401"} 1/);
    expect(text).toMatch(
      /modelgate_http_requests_total\{route="\/v1\/judge\/\*",method="GET",status="401"} 2/,
    );
    expect(text).toMatch(/modelgate_http_requests_total\{route="unmatched",method="GET",status="404"} 2/);
    expect(text).not.toMatch(/a1|b2|x1|x2/);
  });
});
