import { describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.js";
import { createServiceMetrics } from "../../src/api/metrics.js";
import { loadConfig } from "../../src/config.js";
import { listen } from "../helpers/http.js";

describe("health endpoints", () => {
  it("answers /healthz, /readyz and /metrics over real HTTP", async () => {
    const metrics = createServiceMetrics({ defaultMetrics: false });
    let ready = false;
    const app = createApp({ config: loadConfig({}), metrics, ready: () => ready });
    await using srv = await listen(app);
    expect((await fetch(`${srv.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${srv.url}/readyz`)).status).toBe(503);
    ready = true;
    const r = await fetch(`${srv.url}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: "ready" });
    const m = await (await fetch(`${srv.url}/metrics`)).text();
    expect(m).toMatch(/modelgate_http_requests_total\{route="\/readyz",method="GET",status="503"\} 1/);
  });

  it("answers unknown routes with a JSON 404", async () => {
    await using srv = await listen(createApp({ config: loadConfig({}) }));
    const r = await fetch(`${srv.url}/nope`);
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: { code: "not_found", message: "no route for GET /nope" } });
  });
});

describe("loadConfig", () => {
  it("names the bad setting", () => {
    expect(() => loadConfig({ MODELGATE_PORT: "eighty" })).toThrow(/MODELGATE_PORT: must be an integer/);
    expect(() => loadConfig({}, { port: "-1" })).toThrow(/--port/);
    expect(() => loadConfig({ MODELGATE_SOURCE: "prometheus" })).toThrow(/MODELGATE_PROMETHEUS_URL/);
  });
  it("lets a flag win over the environment", () => {
    expect(loadConfig({ MODELGATE_PORT: "9000" }, { port: "9001" }).port).toBe(9001);
    expect(loadConfig({ MODELGATE_PORT: "9000" }).port).toBe(9000);
  });
});
