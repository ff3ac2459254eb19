import type { CoreV1Event, KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { createKubeClient, createKubeClientFromEnv } from "../../src/k8s/kube-client.js";
import type { Logger } from "../../src/log.js";
import { sendJson, startFakeApiServer, status } from "./fake-apiserver.js";

const ROLLOUT_PATH = "/apis/argoproj.io/v1alpha1/namespaces/ml/rollouts/fraud-model";
const EVENTS_PATH = "/api/v1/namespaces/ml/events";

function recordingLogger() {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ level, msg, fields });
  };
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, lines };
}

const rollout = {
  apiVersion: "argoproj.io/v1alpha1",
  kind: "Rollout",
  metadata: { name: "fraud-model", namespace: "ml", uid: "0f6b1c1e-uid" },
  status: { stableRS: "6b7f9c5d8", currentPodHash: "84c2d7f4b", phase: "Paused" },
};

describe("KubeClient against a local API server (real client-node)", () => {
  it("resolves stable and canary hashes from the Rollout's status, with the ServiceAccount token", async () => {
    await using api = await startFakeApiServer((req, res) => {
      if (req.method === "GET" && req.path === ROLLOUT_PATH) sendJson(res, 200, rollout);
      else sendJson(res, 404, status(404, "NotFound", "no route"));
    });
    const { logger, lines } = recordingLogger();
    const kube = createKubeClient({ kubeConfig: api.kubeConfig, logger, timeoutMs: 2000 });
    const versions = await kube.resolveRollout("ml", "fraud-model");
    expect(versions).toEqual({ stable: "6b7f9c5d8", canary: "84c2d7f4b", uid: "0f6b1c1e-uid" });
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]!.authorization).toBe("Bearer sa-token-123");
    expect(lines.filter((l) => l.level === "warn")).toEqual([]);
  });

  it("returns undefined for a Rollout without a stable ReplicaSet (first revision)", async () => {
    await using api = await startFakeApiServer((_req, res) =>
      sendJson(res, 200, { ...rollout, status: { currentPodHash: "84c2d7f4b" } }),
    );
    const { logger, lines } = recordingLogger();
    const kube = createKubeClient({ kubeConfig: api.kubeConfig, logger });
    expect(await kube.resolveRollout("ml", "fraud-model")).toBeUndefined();
    expect(lines.some((l) => l.level === "warn" && l.fields?.currentPodHash === "84c2d7f4b")).toBe(true);
  });

  it.each([
    [403, "Forbidden", "rollouts.argoproj.io is forbidden", /rollouts\.argoproj\.io/],
    [404, "NotFound", 'rollouts.argoproj.io "fraud-model" not found', /namespace\/name/],
  ])("answers undefined on %i and logs why", async (code, reason, message, hint) => {
    await using api = await startFakeApiServer((_req, res) =>
      sendJson(res, code, status(code, reason, message)),
    );
    const { logger, lines } = recordingLogger();
    const kube = createKubeClient({ kubeConfig: api.kubeConfig, logger });
    await expect(kube.resolveRollout("ml", "fraud-model")).resolves.toBeUndefined();
    const warn = lines.find((l) => l.level === "warn");
    expect(warn?.fields?.status).toBe(code);
    expect(warn?.fields?.error).toBe(message);
    expect(String(warn?.fields?.hint)).toMatch(hint);
  });

  it("gives up on an API server that never answers, within the timeout, and closes the socket", async () => {
    const held: { destroyed: () => boolean }[] = [];
    await using api = await startFakeApiServer((_req, res) => {
      held.push({ destroyed: () => res.socket?.destroyed ?? true }); // never answer
    });
    const { logger, lines } = recordingLogger();
    const kube = createKubeClient({ kubeConfig: api.kubeConfig, logger, timeoutMs: 300 });
    await expect(kube.resolveRollout("ml", "fraud-model")).resolves.toBeUndefined();
    await expect(
      kube.emitEvent(
        { namespace: "ml", name: "fraud-model", uid: "u" },
        {
          type: "Warning",
          reason: "ModelGateFailed",
          message: "latency: too slow",
        },
      ),
    ).resolves.toBeUndefined();
    expect(lines.filter((l) => l.level === "warn").map((l) => l.fields?.error)).toEqual([
      "Kubernetes API did not answer within 300 ms",
      "Kubernetes API did not answer within 300 ms",
    ]);
    // The deadline destroys the request's agent: the server sees its sockets close.
    await expect
      .poll(() => held.length === 2 && held.every((h) => h.destroyed()), { timeout: 2000 })
      .toBe(true);
  });

  it("emits a Warning Event on the Rollout that kubectl describe would show", async () => {
    await using api = await startFakeApiServer((req, res) => {
      if (req.method === "POST" && req.path === EVENTS_PATH) sendJson(res, 201, req.body);
      else sendJson(res, 404, status(404, "NotFound", "no route"));
    });
    const { logger, lines } = recordingLogger();
    const t = Date.UTC(2026, 10, 25, 15, 0, 0);
    const kube = createKubeClient({
      kubeConfig: api.kubeConfig,
      logger,
      clock: () => t,
      instance: "modelgate-7d9",
    });
    const reason = "latency: candidate p95 412 ms is 1.38x stable's 298 ms (limit 1.20x)";
    await kube.emitEvent(
      { namespace: "ml", name: "fraud-model", uid: "0f6b1c1e-uid" },
      { type: "Warning", reason: "ModelGateFailed", message: reason },
    );
    expect(api.requests).toHaveLength(1);
    const body = api.requests[0]!.body as CoreV1Event & { firstTimestamp: string; lastTimestamp: string };
    expect(body.involvedObject).toEqual({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Rollout",
      namespace: "ml",
      name: "fraud-model",
      uid: "0f6b1c1e-uid",
    });
    expect(body.type).toBe("Warning");
    expect(body.reason).toBe("ModelGateFailed");
    expect(body.message).toBe(reason);
    expect(body.metadata).toEqual({
      name: `fraud-model.${(BigInt(t) * 1_000_000n).toString(16)}`,
      namespace: "ml",
    });
    expect(body.firstTimestamp).toBe("2026-11-25T15:00:00.000Z");
    expect(body.lastTimestamp).toBe("2026-11-25T15:00:00.000Z");
    expect(body.count).toBe(1);
    expect(body.source).toEqual({ component: "modelgate" });
    expect(body.reportingComponent).toBe("modelgate");
    expect(body.reportingInstance).toBe("modelgate-7d9");
    expect(lines).toEqual([]);
  });

  it("looks the Rollout's uid up when the caller has none, and truncates long messages", async () => {
    await using api = await startFakeApiServer((req, res) => {
      if (req.method === "GET" && req.path === ROLLOUT_PATH) sendJson(res, 200, rollout);
      else if (req.method === "POST" && req.path === EVENTS_PATH) sendJson(res, 201, req.body);
      else sendJson(res, 404, status(404, "NotFound", "no route"));
    });
    const { logger } = recordingLogger();
    const kube = createKubeClient({ kubeConfig: api.kubeConfig, logger });
    await kube.emitEvent(
      { namespace: "ml", name: "fraud-model" },
      { type: "Warning", reason: "ModelGateInconclusive", message: "x".repeat(5000) },
    );
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${ROLLOUT_PATH}`,
      `POST ${EVENTS_PATH}`,
    ]);
    const body = api.requests[1]!.body as Required<Pick<CoreV1Event, "involvedObject" | "message">>;
    expect(body.involvedObject.uid).toBe("0f6b1c1e-uid");
    expect(body.message).toHaveLength(1024);
    expect(body.message.endsWith("…")).toBe(true);
  });

  it("never throws when events cannot be created (403) or the Rollout is gone (404)", async () => {
    await using api = await startFakeApiServer((req, res) => {
      if (req.method === "POST") sendJson(res, 403, status(403, "Forbidden", "events is forbidden"));
      else sendJson(res, 404, status(404, "NotFound", "rollout not found"));
    });
    const { logger, lines } = recordingLogger();
    const kube = createKubeClient({ kubeConfig: api.kubeConfig, logger });
    const e = { type: "Warning", reason: "ModelGateFailed", message: "m" } as const;
    await expect(
      kube.emitEvent({ namespace: "ml", name: "fraud-model", uid: "u" }, e),
    ).resolves.toBeUndefined();
    await expect(kube.emitEvent({ namespace: "ml", name: "fraud-model" }, e)).resolves.toBeUndefined();
    // 403 on POST; 404 on the uid lookup, after which no Event is posted.
    expect(api.requests.map((r) => r.method)).toEqual(["POST", "GET"]);
    expect(lines.map((l) => [l.level, l.fields?.status])).toEqual([
      ["warn", 403],
      ["warn", 404],
    ]);
    expect(String(lines[0]!.fields?.hint)).toMatch(/create on events/);
  });

  it("answers undefined when the API server is not listening at all", async () => {
    let url: string;
    let kubeConfig: KubeConfig;
    {
      await using api = await startFakeApiServer((_req, res) => sendJson(res, 200, rollout));
      url = api.url;
      kubeConfig = api.kubeConfig;
    }
    const { logger, lines } = recordingLogger();
    const kube = createKubeClient({ kubeConfig, logger, timeoutMs: 2000 });
    expect(await kube.resolveRollout("ml", "fraud-model")).toBeUndefined();
    expect(lines[0]?.level).toBe("warn");
    expect(String(lines[0]?.fields?.error)).toMatch(/ECONNREFUSED|connect/);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });
});

describe("createKubeClientFromEnv", () => {
  const settings = (env: NodeJS.ProcessEnv = {}) => loadConfig(env);
  it("returns undefined and says so once without credentials", () => {
    const { logger, lines } = recordingLogger();
    expect(createKubeClientFromEnv(logger, settings(), {}, () => false)).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe("info");
    expect(lines[0]!.msg).toMatch(/no Kubernetes credentials/);
  });

  it("does not use a laptop's KUBECONFIG unless MODELGATE_KUBECONFIG names it", () => {
    const { logger } = recordingLogger();
    expect(
      createKubeClientFromEnv(logger, settings(), { KUBECONFIG: "/home/me/.kube/config" }, () => false),
    ).toBeUndefined();
  });

  it("uses MODELGATE_KUBECONFIG and reaches the server it names", async () => {
    await using api = await startFakeApiServer((_req, res) => sendJson(res, 200, rollout));
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "modelgate-kube-"));
    const path = join(dir, "config");
    writeFileSync(path, api.kubeConfig.exportConfig());
    const { logger, lines } = recordingLogger();
    const kube = createKubeClientFromEnv(logger, settings({ MODELGATE_KUBECONFIG: path }), {}, () => false);
    expect(kube).toBeDefined();
    expect(lines[0]!.fields?.server).toBe(api.url);
    expect((await kube!.resolveRollout("ml", "fraud-model"))?.canary).toBe("84c2d7f4b");
  });

  it("logs and returns undefined for an unreadable kubeconfig", () => {
    const { logger, lines } = recordingLogger();
    expect(
      createKubeClientFromEnv(
        logger,
        settings({ MODELGATE_KUBECONFIG: "/nonexistent/kubeconfig" }),
        {},
        () => false,
      ),
    ).toBe(undefined);
    expect(lines[0]!.level).toBe("warn");
  });

  it("rejects a bad MODELGATE_KUBE_TIMEOUT_MS naming the variable, when the settings load", () => {
    expect(() => settings({ MODELGATE_KUBE_TIMEOUT_MS: "soon" })).toThrow(/MODELGATE_KUBE_TIMEOUT_MS/);
    expect(settings({ MODELGATE_KUBE_TIMEOUT_MS: "750" }).kubeTimeoutMs).toBe(750);
  });
});
