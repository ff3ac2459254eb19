import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/server.js";
import { startInProcess } from "../helpers/in-process-server.js";
import { type KServeAgent, startKServeAgent } from "../helpers/kserve-agent.js";

/**
 * End to end as in a cluster: a client calls two model pods through KServe's agent (re-enacted
 * from its source, test/helpers/kserve-agent.ts), whose payload logger posts to the real
 * modelgate server; then modelgate judges the two versions.
 */

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** A v2 model server that knows its pod-template-hash (the Downward API's job in a pod). */
async function startModelServer(opts: { podTemplateHash: string; failEvery?: number }): Promise<string> {
  let calls = 0;
  const server: Server = createServer(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    calls++;
    if (opts.failEvery && calls % opts.failEvery === 0) {
      res.writeHead(500, { "content-type": "application/json" }).end('{"error":"model crashed"}');
      return;
    }
    const { inputs } = JSON.parse(Buffer.concat(parts).toString()) as { inputs: Array<{ data: number[] }> };
    const tenure = inputs[0]!.data;
    const p = tenure.map((t) => 1 / (1 + Math.exp((t - 30) / 10)));
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        model_name: "churn",
        model_version: opts.podTemplateHash,
        outputs: [{ name: "p", shape: [p.length], datatype: "FP32", data: p }],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startModelgate(): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), "modelgate-kserve-"));
  const server = await startInProcess(dir, { cloudEventTtlSeconds: 5, cloudEventResponseWaitSeconds: 5 });
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanup.push(() => server.close());
  return server;
}

async function agent(opts: Parameters<typeof startKServeAgent>[0]): Promise<KServeAgent> {
  const a = await startKServeAgent(opts);
  cleanup.push(() => a.close());
  return a;
}

/** `n` inferences through an agent, 8 at a time; resolves once the agent has logged them all. */
async function traffic(a: KServeAgent, n: number, headers: Record<string, string> = {}) {
  let next = 0;
  const one = async () => {
    for (let i = next++; i < n; i = next++) {
      const body = { inputs: [{ name: "tenure", shape: [1], datatype: "FP32", data: [i % 60] }] };
      const r = await fetch(`${a.url}/v2/models/churn/infer`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
      await r.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: 8 }, one));
  await a.drain();
}

interface Models {
  cloudEvents: {
    pendingRequests: number;
    pendingResponses: number;
    unansweredRequests: number;
    unpairedRequests: number;
  };
}

/** Wait until no half waits for the other any more (the TTL and the wait are 5 s here). */
async function settled(url: string): Promise<Models["cloudEvents"]> {
  for (let i = 0; i < 400; i++) {
    const m = (await (await fetch(`${url}/v1/models`)).json()) as Models;
    if (m.cloudEvents.pendingRequests === 0 && m.cloudEvents.pendingResponses === 0) return m.cloudEvents;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("CloudEvents still pending after 20 s");
}

async function versions(url: string) {
  const r = (await (await fetch(`${url}/v1/models/churn/versions`)).json()) as {
    versions: Array<{ version: string; events: number; scored: number; errors: number }>;
  };
  return r.versions.map((v) => [v.version, v.events, v.scored, v.errors]);
}

const STABLE = "6b7f9c4d8";
const CANARY = "84c2d7f5b";

describe("KServe's payload logger end to end", () => {
  it("the pod-template-hash via model_version: predictions of each ReplicaSet are its own version; failures stay unattributed", {
    timeout: 120_000,
  }, async () => {
    const modelgate = await startModelgate();
    const loggerUrl = `${modelgate.url}/v1/cloudevents`;
    const stable = await agent({
      modelUrl: await startModelServer({ podTemplateHash: STABLE }),
      loggerUrl,
      inferenceService: "churn",
    });
    const canary = await agent({
      modelUrl: await startModelServer({ podTemplateHash: CANARY, failEvery: 5 }),
      loggerUrl,
      inferenceService: "churn",
    });
    await Promise.all([traffic(stable, 150), traffic(canary, 150)]);
    // every event was taken: paired or waiting (a response may have come before its request)
    expect([...stable.statuses, ...canary.statuses].every(([status]) => status === 202)).toBe(true);
    const ce = await settled(modelgate.url);
    expect(await versions(modelgate.url)).toEqual([
      [STABLE, 150, 150, 0],
      [CANARY, 120, 120, 0],
    ]);
    // the 30 failed requests named no version (only the answer does): counted, not attributed
    expect(ce).toEqual({
      pendingRequests: 0,
      pendingResponses: 0,
      unansweredRequests: 0,
      unpairedRequests: 30,
    });
  });

  it("a version on the request (logger.metadataAnnotations): unanswered requests are the canary's errors and fail it", {
    timeout: 120_000,
  }, async () => {
    const modelgate = await startModelgate();
    const loggerUrl = `${modelgate.url}/v1/cloudevents`;
    const pod = async (hash: string, failEvery: number | undefined) =>
      agent({
        modelUrl: await startModelServer({ podTemplateHash: hash, ...(failEvery ? { failEvery } : {}) }),
        loggerUrl,
        inferenceService: "churn",
        // what KServe's webhook read from the pod's annotations at admission
        annotations: { "modelgate.io/version": hash },
      });
    const stable = await pod(STABLE, undefined);
    const canary = await pod(CANARY, 5);
    await Promise.all([traffic(stable, 150), traffic(canary, 150)]);
    const ce = await settled(modelgate.url);
    expect(ce.unansweredRequests).toBe(30);
    expect(await versions(modelgate.url)).toEqual([
      [STABLE, 150, 150, 0],
      [CANARY, 150, 120, 30],
    ]);
    const judged = await fetch(
      `${modelgate.url}/v1/judge/errors?model=churn&baseline=${STABLE}&candidate=${CANARY}&window=1h`,
    );
    const j = (await judged.json()) as {
      summary: { verdict: string };
      gates: { errors: { n: { baseline: number; candidate: number } } };
    };
    expect([judged.status, j.summary.verdict, j.gates.errors.n]).toEqual([
      200,
      "fail",
      { baseline: 150, candidate: 150 },
    ]);
  });

  it("logger.metadataHeaders is compared in Go's canonical case: x-model-version never matches, X-Model-Version does", {
    timeout: 60_000,
  }, async () => {
    const modelgate = await startModelgate();
    const loggerUrl = `${modelgate.url}/v1/cloudevents?output=p`;
    // a v1-style server that names no version in its answer
    const modelUrl = await startModelServer({ podTemplateHash: "" });
    const lower = await agent({
      modelUrl,
      loggerUrl,
      inferenceService: "churn",
      metadataHeaders: ["x-model-version"],
    });
    await traffic(lower, 5, { "x-model-version": "v7" });
    // ce-metadata arrived empty: the answers could not be given a version
    expect([...lower.statuses]).toEqual([
      [202, 5],
      [400, 5],
    ]);
    const canonical = await agent({
      modelUrl,
      loggerUrl,
      inferenceService: "churn",
      metadataHeaders: ["X-Model-Version"],
    });
    await traffic(canonical, 5, { "x-model-version": "v7" });
    expect([...canonical.statuses]).toEqual([[202, 10]]);
    await settled(modelgate.url);
    expect(await versions(modelgate.url)).toEqual([["v7", 5, 5, 0]]);
  });
});
