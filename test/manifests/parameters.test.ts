import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { loadConfig } from "../../src/config.js";
import { build, type K8sObject, MANIFESTS, one, ROOT } from "./kustomize.js";

const DEFAULTS = {
  modelgateNamespace: "modelgate",
  rolloutsNamespace: "ml",
  argoRolloutsNamespace: "argo-rollouts",
  prometheusNamespace: "monitoring",
  prometheusRelease: "kube-prometheus-stack",
};
const CHANGED = {
  modelgateNamespace: "judge",
  rolloutsNamespace: "models",
  argoRolloutsNamespace: "argo",
  prometheusNamespace: "observability",
  prometheusRelease: "prom",
};

const work = mkdtempSync(join(tmpdir(), "modelgate-parameters-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * An overlay as a user writes it, outside the repository: the shipped kustomizations it names,
 * both components, and manifests/examples/install's parameters.yaml with `values`.
 */
function overlay(name: string, values: Record<string, string>, resources: string[]): K8sObject[] {
  const dir = join(work, name);
  const rel = (p: string) => relative(dir, join(MANIFESTS, p));
  const parameters = parse(readFileSync(join(MANIFESTS, "examples", "install", "parameters.yaml"), "utf8"));
  parameters.data = { ...parameters.data, ...values };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "parameters.yaml"), stringify(parameters));
  writeFileSync(
    join(dir, "kustomization.yaml"),
    stringify({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: ["parameters.yaml", ...resources.map(rel)],
      components: [rel("components/namespaces"), rel("components/prometheus-release")],
    }),
  );
  return build(relative(MANIFESTS, dir));
}

/**
 * Every manifest a parameter can reach: modelgate, its RBAC and monitoring, the example model
 * server (a Rollout, its traffic Deployment, the namespaced templates), the cluster templates.
 */
const EVERYTHING = [
  "base",
  "examples/cross-namespace-rbac",
  "monitoring",
  "../examples/model-server/deploy",
  "cluster-templates",
];

const id = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** [path, value] of every string in an object, e.g. ["spec.ingress.0.from.0…", "argo"]. */
function strings(value: unknown, path = ""): Array<[string, string]> {
  if (typeof value === "string") return [[path, value]];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([k, v]) => strings(v, path ? `${path}.${k}` : k));
}

/** Where each kind of default can appear: in a namespace field, a namespace selector, a modelgate URL. */
function namespaceUses(objects: K8sObject[]): Array<{ where: string; value: string }> {
  const uses: Array<{ where: string; value: string }> = [];
  for (const o of objects) {
    for (const [path, value] of strings(o)) {
      const where = o.kind === "Namespace" ? "the Namespace" : `${o.kind}/${o.metadata.name} ${path}`;
      if (/(^|\.)namespace$/.test(path) || (o.kind === "Namespace" && path === "metadata.name"))
        uses.push({ where, value });
      else if (
        path.endsWith("kubernetes.io/metadata.name") ||
        /namespaceSelector\.matchNames\.\d+$/.test(path)
      )
        uses.push({ where, value });
      else
        for (const m of value.matchAll(/\/\/modelgate\.([a-z0-9-]+)\.svc\b/g))
          uses.push({ where, value: m[1]! });
    }
  }
  return uses;
}

describe("manifests/examples/install: namespaces and the Prometheus release as parameters", () => {
  it("builds, at its default parameters, exactly the shipped kustomizations plus the release label", () => {
    const installed = build("examples/install");
    expect(installed.map(id).sort()).toEqual(
      ["base", "examples/cross-namespace-rbac", "monitoring"]
        .flatMap((d) => build(d))
        .map(id)
        .sort(),
    );
    // the parameters are read, never applied
    expect(installed.some((o) => o.metadata.name === "modelgate-parameters")).toBe(false);
    for (const o of installed) {
      const shipped = ["base", "examples/cross-namespace-rbac", "monitoring"]
        .flatMap((d) => build(d))
        .find((s) => id(s) === id(o))!;
      if (o.kind === "ServiceMonitor" || o.kind === "PrometheusRule") {
        expect(o.metadata.labels?.release).toBe(DEFAULTS.prometheusRelease);
        const { release: _, ...rest } = o.metadata.labels!;
        expect({ ...o, metadata: { ...o.metadata, labels: rest } }).toEqual(shipped);
      } else expect(o).toEqual(shipped);
    }
  });

  it("moves every namespace a parameter names, leaving no default behind", () => {
    const defaults = overlay("defaults", DEFAULTS, EVERYTHING);
    const changed = overlay("changed", CHANGED, EVERYTHING);
    const defaultValues = new Set<string>([
      DEFAULTS.modelgateNamespace,
      DEFAULTS.rolloutsNamespace,
      DEFAULTS.argoRolloutsNamespace,
      DEFAULTS.prometheusNamespace,
    ]);
    // at the defaults, every namespace used is one of the parameters' values…
    const before = namespaceUses(defaults);
    expect(before.length).toBeGreaterThan(20);
    expect(before.filter((u) => !defaultValues.has(u.value))).toEqual([]);
    // …and with other values, every one of those places has moved
    const after = namespaceUses(changed);
    expect(after.map((u) => u.where).sort()).toEqual(before.map((u) => u.where).sort());
    expect(after.filter((u) => defaultValues.has(u.value))).toEqual([]);
    const moved = new Map(Object.entries(DEFAULTS).map(([k, v]) => [v, CHANGED[k as keyof typeof CHANGED]]));
    for (const u of before)
      expect(after.find((a) => a.where === u.where)!.value, u.where).toBe(moved.get(u.value));
  });

  it("wires the moved namespaces together: RBAC subjects, NetworkPolicy peers, ServiceMonitor, URLs", () => {
    const changed = overlay("changed", CHANGED, EVERYTHING);
    const ns = one(changed, "Namespace");
    expect(ns.metadata.name).toBe("judge");
    const sa = one(changed, "ServiceAccount", "modelgate");
    expect(sa.metadata.namespace).toBe("judge");
    for (const binding of changed.filter((o) => o.kind === "RoleBinding"))
      expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "modelgate", namespace: "judge" }]);
    expect(one(changed, "RoleBinding", "modelgate-rollouts").metadata.namespace).toBe("models");
    expect(one(changed, "Rollout").metadata.namespace).toBe("models");
    const peers = one(changed, "NetworkPolicy").spec.ingress[0].from;
    expect(peers).toContainEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "argo" } },
    });
    expect(peers).toContainEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } },
    });
    const monitor = one(changed, "ServiceMonitor");
    expect(monitor.spec.namespaceSelector.matchNames).toEqual(["judge"]);
    expect(monitor.metadata.labels?.release).toBe("prom");
    expect(one(changed, "PrometheusRule").metadata.labels?.release).toBe("prom");
    const service = one(changed, "Service", "modelgate");
    const url = `http://${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local:${service.spec.ports[0].port}`;
    for (const t of changed.filter(
      (o) => o.kind === "AnalysisTemplate" || o.kind === "ClusterAnalysisTemplate",
    ))
      expect(
        t.spec.args.find((a: { name: string }) => a.name === "modelgate-url").value,
        t.metadata.name,
      ).toBe(url);
  });
});

describe("manifests/examples/kube-prometheus-stack", () => {
  it("labels the ServiceMonitor and PrometheusRule with the release kube-prometheus-stack selects on", () => {
    const objects = build("examples/kube-prometheus-stack");
    expect(objects.map(id).sort()).toEqual(build("monitoring").map(id).sort());
    for (const kind of ["ServiceMonitor", "PrometheusRule"])
      expect(one(objects, kind).metadata.labels?.release, kind).toBe("kube-prometheus-stack");
    expect(one(objects, "ConfigMap").metadata.labels?.release).toBeUndefined();
  });
});

describe("manifests/base ConfigMap", () => {
  it("shows MODELGATE_PROMETHEUS_URL, commented, with a value loadConfig accepts", () => {
    const text = readFileSync(join(ROOT, "manifests", "base", "configmap.yaml"), "utf8");
    const line = /^ {2}# (MODELGATE_PROMETHEUS_URL): (\S+)$/m.exec(text);
    expect(line, "a commented MODELGATE_PROMETHEUS_URL line").not.toBeNull();
    expect(loadConfig({ [line![1]!]: line![2]! }).prometheusUrl).toBe(line![2]);
    expect(one(build("base"), "ConfigMap", "modelgate").data.MODELGATE_PROMETHEUS_URL).toBeUndefined();
  });
});
