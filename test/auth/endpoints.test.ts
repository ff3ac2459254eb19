import { describe, expect, it } from "vitest";
import type { Scope } from "../../src/auth/scope.js";
import { bearer, startTestServer, TOKENS, tokenLines } from "./harness.js";

type TokenName = keyof typeof TOKENS;

interface Route {
  method: string;
  path: string;
  need: Scope | "open";
  body?: string;
  headers?: Record<string, string>;
  /** status with a token holding the scope (the route's own answer) */
  expect: number;
}

const now = Date.now();
const json = { "content-type": "application/json" };
const events = JSON.stringify([
  { model: "fraud", version: "stable", ts: now - 1000, score: 0.2, latencyMs: 12 },
  { model: "fraud", version: "canary", ts: now - 1000, score: 0.3, latencyMs: 13 },
  { model: "erase-me", version: "v1", ts: now - 1000, score: 0.5 },
]);
const judgeQuery = "model=fraud&baseline=stable&candidate=canary";

/** Every endpoint the server mounts, with what it answers once authorised. */
const ROUTES: Route[] = [
  { method: "GET", path: "/healthz", need: "open", expect: 200 },
  { method: "GET", path: "/readyz", need: "open", expect: 200 },
  { method: "GET", path: "/metrics", need: "open", expect: 200 },
  { method: "POST", path: "/v1/events", need: "ingest", body: events, headers: json, expect: 202 },
  {
    method: "POST",
    path: "/v1/outcomes",
    need: "ingest",
    body: JSON.stringify([{ model: "fraud", version: "stable", score: 0.2, label: 0 }]),
    headers: json,
    expect: 202,
  },
  {
    method: "POST",
    path: "/v1/cloudevents",
    need: "ingest",
    body: JSON.stringify({ predictions: [0.7] }),
    headers: {
      ...json,
      "ce-specversion": "1.0",
      "ce-type": "org.kubeflow.serving.inference.response",
      "ce-id": "req-1",
      "ce-source": "test",
      "ce-inferenceservicename": "fraud",
      "ce-metadata": '{"X-Model-Version":["canary"]}',
    },
    expect: 202,
  },
  { method: "GET", path: `/v1/judge?${judgeQuery}`, need: "judge", expect: 200 },
  {
    method: "POST",
    path: "/v1/judge",
    need: "judge",
    body: JSON.stringify({ model: "fraud", baseline: "stable", candidate: "canary" }),
    headers: json,
    expect: 200,
  },
  { method: "GET", path: `/v1/judge/errors?${judgeQuery}`, need: "judge", expect: 200 },
  {
    method: "POST",
    path: `/v1/judge/latency?${judgeQuery}`,
    need: "judge",
    body: "{}",
    headers: json,
    expect: 200,
  },
  { method: "GET", path: "/v1/judgements", need: "read", expect: 200 },
  { method: "GET", path: "/v1/judgements/j-unknown", need: "read", expect: 404 },
  { method: "GET", path: "/v1/models", need: "read", expect: 200 },
  { method: "GET", path: "/v1/models/fraud/versions", need: "read", expect: 200 },
  { method: "GET", path: "/v1/models/fraud/versions/stable/evidence", need: "read", expect: 200 },
  { method: "GET", path: "/ui", need: "read", expect: 200 },
  { method: "GET", path: "/ui/models/fraud", need: "read", expect: 200 },
  { method: "DELETE", path: "/v1/models/erase-me", need: "admin", expect: 200 },
  { method: "DELETE", path: "/v1/models/never-seen", need: "admin", expect: 404 },
  // not (yet) mounted routes still sit behind the table: closed without a token
  { method: "GET", path: "/v1/nothing-here", need: "admin", expect: 404 },
];

/** A token that lacks `need` (admin is only lacked by the others). */
const WRONG: Record<Scope, TokenName> = { ingest: "argo", judge: "viewer", read: "kserve", admin: "ci" };
const GOOD: Record<Scope, TokenName> = { ingest: "kserve", judge: "argo", read: "viewer", admin: "ops" };

async function call(url: string, r: Route, auth: Record<string, string>) {
  const res = await fetch(`${url}${r.path}`, {
    method: r.method,
    headers: { ...r.headers, ...auth },
    body: r.body,
  });
  const text = await res.text();
  return { status: res.status, text, wwwAuthenticate: res.headers.get("www-authenticate") };
}

describe("every endpoint without a token, with a wrong-scope token, with a good token", () => {
  it("401 / 403 / the route's own answer, in route order", async () => {
    await using t = await startTestServer({ MODELGATE_TOKENS: tokenLines() });
    for (const r of ROUTES) {
      const none = await call(t.url, r, {});
      const bogus = await call(t.url, r, { authorization: "Bearer not-a-real-token-0000000000" });
      const malformed = await call(t.url, r, { authorization: `Basic ${TOKENS.ops.token}` });
      if (r.need === "open") {
        expect(none.status, `${r.method} ${r.path} without a token`).toBe(r.expect);
        expect(bogus.status).toBe(r.expect);
      } else {
        for (const x of [none, bogus, malformed]) {
          expect(x.status, `${r.method} ${r.path}`).toBe(401);
          expect(JSON.parse(x.text).error.code).toBe("unauthorized");
          expect(x.wwwAuthenticate).toMatch(/^Bearer realm="modelgate"/);
        }
        expect(bogus.wwwAuthenticate).toContain('error="invalid_token"');
        const wrong = await call(t.url, r, bearer(WRONG[r.need]));
        expect(wrong.status, `${r.method} ${r.path} with ${WRONG[r.need]}`).toBe(403);
        expect(JSON.parse(wrong.text).error.message).toBe(
          `token "${WRONG[r.need]}" lacks scope "${r.need}" needed by ${r.method} ${r.path.split("?")[0]}`,
        );
        expect(wrong.wwwAuthenticate).toContain(`error="insufficient_scope", scope="${r.need}"`);
      }
      const good = await call(t.url, r, r.need === "open" ? {} : bearer(GOOD[r.need]));
      expect(
        good.status,
        `${r.method} ${r.path} with ${r.need === "open" ? "no token" : GOOD[r.need]}: ${good.text.slice(0, 200)}`,
      ).toBe(r.expect);
    }
    // admin holds every scope
    expect((await call(t.url, ROUTES[6], bearer("ops"))).status).toBe(200);
  });

  it("/metrics needs a read token when MODELGATE_METRICS_AUTH=read; cloudevents and /ui open when asked", async () => {
    await using t = await startTestServer({
      MODELGATE_TOKENS: tokenLines(),
      MODELGATE_METRICS_AUTH: "read",
      MODELGATE_CLOUDEVENTS_AUTH: "open",
      MODELGATE_UI_AUTH: "open",
    });
    expect((await fetch(`${t.url}/ui`)).status).toBe(200);
    expect((await fetch(`${t.url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${t.url}/metrics`, { headers: bearer("kserve") })).status).toBe(403);
    const ok = await fetch(`${t.url}/metrics`, { headers: bearer("viewer") });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("modelgate_http_requests_total");
    const ce = ROUTES.find((r) => r.path === "/v1/cloudevents")!;
    expect((await call(t.url, ce, {})).status).toBe(202);
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it("no tokens configured: every endpoint answers without one, and one warning line says so", async () => {
    await using t = await startTestServer({});
    for (const r of ROUTES) {
      const res = await call(t.url, r, {});
      expect(res.status, `${r.method} ${r.path}`).toBe(r.expect);
    }
    const warnings = t.logs.map((l) => JSON.parse(l)).filter((l) => l.level === "warn");
    expect(warnings.map((w) => w.msg)).toEqual([
      "authentication disabled: no tokens configured (set MODELGATE_TOKENS_FILE or MODELGATE_TOKENS); every endpoint is open",
    ]);
  });
});
