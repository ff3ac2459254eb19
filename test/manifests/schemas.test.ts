import { describe, expect, it } from "vitest";
import { build, type K8sObject, KUSTOMIZATIONS } from "./kustomize.js";
import { promtoolCheckRules, validateObject } from "./validate.js";

/**
 * Kinds without an offline schema. Each is checked another way, named here so that no object is
 * left unchecked by accident: PrometheusRule by promtool (monitoring.test.ts), ServiceMonitor and
 * the Istio VirtualService structurally (monitoring.test.ts, examples.test.ts).
 */
const CHECKED_ELSEWHERE = new Set([
  "monitoring.coreos.com/v1 PrometheusRule",
  "monitoring.coreos.com/v1 ServiceMonitor",
  "networking.istio.io/v1beta1 VirtualService",
]);

describe.each(KUSTOMIZATIONS)("kubectl kustomize manifests/%s", (dir) => {
  it("builds, and every object validates against its schema", async () => {
    const objects = build(dir);
    expect(objects.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const obj of objects) {
      const id = `${obj.apiVersion} ${obj.kind}`;
      if (CHECKED_ELSEWHERE.has(id)) continue;
      const { errors } = await validateObject(obj);
      for (const e of errors) failures.push(`${id} ${obj.metadata.name}: ${e}`);
    }
    expect(failures).toEqual([]);
  });

  it("names every object and has no duplicates", () => {
    const ids = build(dir).map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    expect(ids.every((id) => !id.endsWith("/"))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("the validators reject what the cluster would", () => {
  const rollout = (): K8sObject =>
    structuredClone(build("examples/canary").find((o) => o.kind === "Rollout")!);
  const template = (): K8sObject =>
    structuredClone(build("templates").find((o) => o.metadata.name === "modelgate-latency")!);
  const deployment = (): K8sObject => structuredClone(build("base").find((o) => o.kind === "Deployment")!);

  it("accepts the shipped objects (the baseline for the mutations below)", async () => {
    for (const o of [rollout(), template(), deployment()])
      expect((await validateObject(o)).errors).toEqual([]);
  });

  it("rejects a misspelt field in an AnalysisTemplate (unknown fields are pruned by the API server)", async () => {
    const t = template();
    t.spec.metrics[0].provider.web.jsonpath = t.spec.metrics[0].provider.web.jsonPath;
    delete t.spec.metrics[0].provider.web.jsonPath;
    const { via, errors } = await validateObject(t);
    expect(via).toBe("argo-crd");
    expect(errors.join("\n")).toMatch(/additionalProperty.*jsonpath/);
  });

  it("rejects a web provider without url and a wrong type in a Rollout", async () => {
    const t = template();
    delete t.spec.metrics[0].provider.web.url;
    expect((await validateObject(t)).errors.join("\n")).toMatch(/must have required property 'url'/);
    const r = rollout();
    r.spec.replicas = "five";
    expect((await validateObject(r)).errors.join("\n")).toMatch(/\/spec\/replicas must be integer/);
  });

  it("rejects a wrong type in a Deployment (kubernetes-models)", async () => {
    const d = deployment();
    d.spec.template.spec.containers[0].ports[0].containerPort = "http";
    const { via, errors } = await validateObject(d);
    expect(via).toBe("kubernetes-models");
    expect(errors.join("\n")).toMatch(/containerPort must be integer/);
  });

  it("promtool rejects a broken PromQL expression", () => {
    const bad = promtoolCheckRules([{ name: "g", rules: [{ record: "x:y", expr: "sum by (model (z)" }] }]);
    expect(bad.ok).toBe(false);
    const good = promtoolCheckRules([{ name: "g", rules: [{ record: "x:y", expr: "sum by (model) (z)" }] }]);
    expect(good.ok).toBe(true);
  });
});
