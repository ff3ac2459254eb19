import type express from "express";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.js";
import { createJudgeRouter } from "../../src/api/routes/judge.js";
import { loadConfig } from "../../src/config.js";
import { JudgementHistory } from "../../src/judge/history.js";
import { createKubeClient } from "../../src/k8s/kube-client.js";
import { silentLogger } from "../../src/log.js";
import { countCohort } from "../gates/cohorts.js";
import { listen } from "../helpers/http.js";
import { memorySource } from "../judge/memory-source.js";
import { sendJson, startFakeApiServer } from "../k8s/fake-apiserver.js";

const ROLLOUT_PATH = "/apis/argoproj.io/v1alpha1/namespaces/ml/rollouts/fraud";

function appWith(kube: ReturnType<typeof createKubeClient> | undefined, source = memorySource({})) {
  const router: express.Router = createJudgeRouter({
    sources: { embedded: source },
    defaultSource: "embedded",
    history: new JudgementHistory(),
    clock: () => 1_700_000_600_000,
    kube,
  });
  return createApp({ config: loadConfig({}), routers: [router] });
}

describe("judge with rollout=namespace/name", () => {
  it("resolves stable and canary hashes from the Rollout and puts an Event on it", async () => {
    await using api = await startFakeApiServer((req, res) => {
      if (req.method === "GET" && req.path.startsWith(ROLLOUT_PATH)) {
        sendJson(res, 200, {
          metadata: { name: "fraud", namespace: "ml", uid: "uid-1" },
          status: { stableRS: "6b7f9", currentPodHash: "84c2d" },
        });
      } else if (req.method === "POST") sendJson(res, 201, req.body);
      else sendJson(res, 404, { kind: "Status", code: 404 });
    });
    const kube = createKubeClient({ kubeConfig: api.kubeConfig, logger: silentLogger, timeoutMs: 2000 });
    // the candidate has too little traffic: inconclusive, which must show on the Rollout
    const source = memorySource({ "fraud/6b7f9": countCohort(5000, 10), "fraud/84c2d": countCohort(20) });
    await using srv = await listen(appWith(kube, source));
    const r = await fetch(`${srv.url}/v1/judge/errors?model=fraud&rollout=ml/fraud`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { summary: { verdict: string }; judgement: Record<string, unknown> };
    expect(body.judgement.baseline).toBe("6b7f9");
    expect(body.judgement.candidate).toBe("84c2d");
    expect(body.summary.verdict).toBe("inconclusive");
    // the Event is sent without delaying the answer: wait for it, bounded
    for (let i = 0; i < 50 && !api.requests.some((q) => q.method === "POST"); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const post = api.requests.find((q) => q.method === "POST");
    expect(post?.path).toMatch(/\/namespaces\/ml\/events/);
    const event = post?.body as { reason: string; involvedObject: { uid: string; kind: string } };
    expect(event.reason).toBe("ModelGateInconclusive");
    expect(event.involvedObject.uid).toBe("uid-1");
    expect(event.involvedObject.kind).toBe("Rollout");
  });

  it("answers 503 when the Rollout cannot be read, and 400 without credentials or for a malformed ref", async () => {
    await using api = await startFakeApiServer((_req, res) =>
      sendJson(res, 403, { kind: "Status", code: 403 }),
    );
    const kube = createKubeClient({ kubeConfig: api.kubeConfig, logger: silentLogger, timeoutMs: 2000 });
    await using srv = await listen(appWith(kube));
    const denied = await fetch(`${srv.url}/v1/judge?model=fraud&rollout=ml/fraud`);
    expect(denied.status).toBe(503);
    expect(((await denied.json()) as { error: { field: string } }).error.field).toBe("rollout");

    await using bare = await listen(appWith(undefined));
    const noCreds = await fetch(`${bare.url}/v1/judge?model=fraud&rollout=ml/fraud`);
    expect(noCreds.status).toBe(400);
    const bad = await fetch(`${bare.url}/v1/judge?model=fraud&rollout=ML_/x/y`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/rollout/);
    // hashes given explicitly win and need no Kubernetes access; "/" means no rollout
    const explicit = await fetch(`${bare.url}/v1/judge?model=fraud&baseline=a&candidate=b&rollout=/`);
    expect(explicit.status).toBe(200);
  });
});

describe("judge while the store replays", () => {
  it("answers 503 not_ready instead of judging part of the data", async () => {
    let ready = false;
    const router = createJudgeRouter({
      sources: { embedded: memorySource({}) },
      defaultSource: "embedded",
      history: new JudgementHistory(),
      ready: () => ready,
    });
    await using srv = await listen(createApp({ config: loadConfig({}), routers: [router] }));
    const url = `${srv.url}/v1/judge?model=fraud&baseline=a&candidate=b`;
    const early = await fetch(url);
    expect(early.status).toBe(503);
    expect(((await early.json()) as { error: { code: string } }).error.code).toBe("not_ready");
    ready = true;
    expect((await fetch(url)).status).toBe(200);
  });
});

describe("HEAD /v1/judge", () => {
  it("is refused with 405 and records no judgement (a look must not come from a safe method)", async () => {
    const history = new JudgementHistory();
    const router = createJudgeRouter({
      sources: { embedded: memorySource({}) },
      defaultSource: "embedded",
      history,
    });
    await using srv = await listen(createApp({ config: loadConfig({}), routers: [router] }));
    const r = await fetch(`${srv.url}/v1/judge?model=fraud&baseline=a&candidate=b`, { method: "HEAD" });
    expect(r.status).toBe(405);
    expect(r.headers.get("allow")).toBe("GET, POST");
    expect(history.list({ limit: 10 })).toEqual([]);
    expect((await fetch(`${srv.url}/v1/judge?model=fraud&baseline=a&candidate=b`)).status).toBe(200);
    expect(history.list({ limit: 10 })).toHaveLength(1);
  });
});
