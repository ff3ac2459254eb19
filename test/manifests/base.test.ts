import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, SETTINGS } from "../../src/config.js";
import { startInProcess } from "../helpers/in-process-server.js";
import { build, one } from "./kustomize.js";

const base = () => build("base");
const deployment = () => one(base(), "Deployment", "modelgate");
const pod = () => deployment().spec.template;
const container = () => pod().spec.containers[0];
const configMap = () => one(base(), "ConfigMap", "modelgate");

function cpu(q: string): number {
  return q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q);
}
function bytes(q: string): number {
  const units: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  if (!m) throw new Error(`unexpected quantity ${q}`);
  return Number(m[1]) * (m[2] ? units[m[2]]! : 1);
}

describe("manifests/base Deployment", () => {
  it("runs as a non-root user with a read-only root filesystem and no privileges", () => {
    const podSec = pod().spec.securityContext;
    expect(podSec.runAsNonRoot).toBe(true);
    expect(podSec.runAsUser).toBeGreaterThan(0);
    expect(podSec.seccompProfile).toEqual({ type: "RuntimeDefault" });
    const sec = container().securityContext;
    expect(sec.readOnlyRootFilesystem).toBe(true);
    expect(sec.allowPrivilegeEscalation).toBe(false);
    expect(sec.capabilities.drop).toEqual(["ALL"]);
  });

  it("probes liveness on /healthz and readiness on /readyz, on the port the service listens on", () => {
    const c = container();
    expect(c.livenessProbe.httpGet.path).toBe("/healthz");
    expect(c.readinessProbe.httpGet.path).toBe("/readyz");
    const port = c.ports.find((p: { name: string }) => p.name === c.readinessProbe.httpGet.port);
    expect(port.containerPort).toBe(Number(configMap().data.MODELGATE_PORT));
    expect(c.livenessProbe.httpGet.port).toBe(port.name);
  });

  it("requests and limits CPU and memory, requests within limits", () => {
    const { requests, limits } = container().resources;
    expect(cpu(requests.cpu)).toBeLessThanOrEqual(cpu(limits.cpu));
    expect(bytes(requests.memory)).toBeLessThanOrEqual(bytes(limits.memory));
    expect(cpu(requests.cpu)).toBeGreaterThan(0);
  });

  it("keeps the data directory on the PersistentVolumeClaim, one writer at a time", () => {
    const dataDir = configMap().data.MODELGATE_DATA_DIR;
    const mount = container().volumeMounts.find((m: { mountPath: string }) => m.mountPath === dataDir);
    expect(mount).toBeDefined();
    const volume = pod().spec.volumes.find((v: { name: string }) => v.name === mount.name);
    const pvc = one(base(), "PersistentVolumeClaim", volume.persistentVolumeClaim.claimName);
    expect(pvc.spec.accessModes).toEqual(["ReadWriteOnce"]);
    expect(deployment().spec.replicas).toBe(1);
    expect(deployment().spec.strategy.type).toBe("Recreate");
    // With a read-only root, /tmp must be a volume too.
    const tmp = container().volumeMounts.find((m: { mountPath: string }) => m.mountPath === "/tmp");
    expect(pod().spec.volumes.find((v: { name: string }) => v.name === tmp.name).emptyDir).toBeDefined();
  });

  it("takes its settings from the ConfigMap, and the tokens Secret is optional", () => {
    expect(container().envFrom).toEqual([{ configMapRef: { name: configMap().metadata.name } }]);
    const tokens = pod().spec.volumes.find((v: { secret?: unknown }) => v.secret);
    expect(tokens.secret).toEqual({ secretName: "modelgate-tokens", optional: true });
    expect(container().args).toBeUndefined(); // the image's CMD starts `serve`
  });

  it("runs under the ServiceAccount the RoleBinding grants", () => {
    const sa = one(base(), "ServiceAccount", pod().spec.serviceAccountName);
    const binding = one(base(), "RoleBinding", "modelgate");
    expect(binding.subjects).toEqual([
      { kind: "ServiceAccount", name: sa.metadata.name, namespace: sa.metadata.namespace },
    ]);
    expect(pod().spec.automountServiceAccountToken).toBe(true);
  });
});

describe("manifests/base ConfigMap", () => {
  it("sets only settings modelgate knows, with values loadConfig accepts", () => {
    const data = configMap().data as Record<string, string>;
    const known = new Set(SETTINGS.map((s) => s.env));
    for (const key of Object.keys(data)) expect(known.has(key), key).toBe(true);
    const config = loadConfig(data);
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe("/var/lib/modelgate");
    expect(config.source).toBe("embedded");
  });

  it("keeps secrets out of the ConfigMap (tokens and passwords belong in Secrets)", () => {
    const keys = Object.keys(configMap().data);
    expect(keys.filter((k) => /TOKEN(?!.*_MS)|PASSWORD/.test(k))).toEqual([]);
    // Sanity of the pattern itself: these are secret settings src/config.ts may define.
    expect(
      ["MODELGATE_PROMETHEUS_BEARER_TOKEN", "MODELGATE_PROMETHEUS_PASSWORD"].every((k) =>
        /TOKEN|PASSWORD/.test(k),
      ),
    ).toBe(true);
  });
});

describe("manifests/base and KServe's payload logger, which sends no token", () => {
  it("opens POST /v1/cloudevents only, and the NetworkPolicy admits named or labelled namespaces only", () => {
    const config = loadConfig(configMap().data);
    expect(config.cloudEventsAuth).toBe("open");
    expect(config.cloudEventTtlSeconds).toBe(60);
    const np = one(base(), "NetworkPolicy", "modelgate");
    expect(np.spec.policyTypes).toContain("Ingress");
    // every source is a namespace selected by name or by the client label: no rule admits all
    for (const rule of np.spec.ingress) {
      expect(rule.from.length).toBeGreaterThan(0);
      for (const peer of rule.from) {
        expect(Object.keys(peer)).toEqual(["namespaceSelector"]);
        expect(Object.keys(peer.namespaceSelector.matchLabels ?? {}).length).toBeGreaterThan(0);
      }
    }
    expect(np.spec.ingress.flatMap((r: { from: unknown[] }) => r.from)).toContainEqual({
      namespaceSelector: { matchLabels: { "modelgate.io/client": "true" } },
    });
  });

  it("with tokens on, the shipped settings take KServe's CloudEvents without a token and nothing else", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "modelgate-base-"));
    const config = loadConfig(configMap().data);
    const server = await startInProcess(dataDir, {
      ...config,
      dataDir,
      host: "127.0.0.1",
      port: 0,
      tokens: "loader ingest mgt_0123456789abcdef0123456789abcdef",
    });
    try {
      const headers = {
        "content-type": "application/json",
        "ce-specversion": "1.0",
        "ce-id": "kserve-1",
        "ce-type": "org.kubeflow.serving.inference.request",
        "ce-inferenceservicename": "fraud",
        "ce-metadata": '{"X-Model-Version":["v1"]}',
      };
      const body = '{"instances": [[1, 2]]}';
      const ce = await fetch(`${server.url}/v1/cloudevents`, { method: "POST", headers, body });
      expect(ce.status).toBe(202);
      // the same event to /v1/events, and plain events, still need an ingest token
      expect((await fetch(`${server.url}/v1/events`, { method: "POST", headers, body })).status).toBe(401);
      expect((await fetch(`${server.url}/v1/models`)).status).toBe(401);
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("manifests/base RBAC, Service, PDB, NetworkPolicy", () => {
  it("may read Rollouts and create Events, nothing more", () => {
    expect(one(base(), "Role", "modelgate").rules).toEqual([
      { apiGroups: ["argoproj.io"], resources: ["rollouts"], verbs: ["get", "list", "watch"] },
      { apiGroups: [""], resources: ["events"], verbs: ["create"] },
    ]);
  });

  it("selects the Deployment's pods from the Service, the PDB and the NetworkPolicy", () => {
    const labels = pod().metadata.labels;
    const svc = one(base(), "Service", "modelgate");
    for (const [k, v] of Object.entries(svc.spec.selector)) expect(labels[k]).toBe(v);
    expect(container().ports.map((p: { name: string }) => p.name)).toContain(svc.spec.ports[0].targetPort);
    for (const sel of [
      one(base(), "PodDisruptionBudget", "modelgate").spec.selector.matchLabels,
      one(base(), "NetworkPolicy", "modelgate").spec.podSelector.matchLabels,
    ]) {
      for (const [k, v] of Object.entries(sel)) expect(labels[k]).toBe(v);
    }
  });

  it("lets the Argo Rollouts controller reach the judge port", () => {
    const np = one(base(), "NetworkPolicy", "modelgate");
    const ingress = np.spec.ingress[0];
    expect(ingress.ports).toEqual([{ protocol: "TCP", port: 8080 }]);
    expect(ingress.from).toContainEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "argo-rollouts" } },
    });
  });

  it("puts everything in the modelgate namespace", () => {
    for (const o of base()) {
      if (o.kind === "Namespace") expect(o.metadata.name).toBe("modelgate");
      else expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe("modelgate");
    }
  });
});
