import { describe, expect, it } from "vitest";
import { analysisRefs, defaults, requiredArgs, type TemplateArg } from "./argo.js";
import { build, type K8sObject, ofKind, one } from "./kustomize.js";

const EXAMPLES = [
  "examples/canary",
  "examples/shadow-istio",
  "examples/blue-green",
  "examples/experiment",
] as const;

type Container = { name: string; env?: { name: string; value?: string; valueFrom?: unknown }[] };
const containers = (podTemplate: { spec: { containers: Container[] } }) => podTemplate.spec.containers;
const env = (c: Container, name: string) => c.env?.find((e) => e.name === name);

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

describe.each(EXAMPLES)("%s", (dir) => {
  const objects = () => build(dir);

  it("references only templates it ships, passing every required arg and no unknown one", () => {
    const refs = [...ofKind(objects(), "Rollout"), ...ofKind(objects(), "Experiment")].flatMap(analysisRefs);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const used: K8sObject[] = ref.templates.map((t) => {
        expect(t.clusterScope ?? false, ref.where).toBe(false);
        return one(objects(), "AnalysisTemplate", t.templateName);
      });
      const declared = new Set(used.flatMap((t) => (t.spec.args as TemplateArg[]).map((a) => a.name)));
      const passed = new Set(ref.args.map((a) => a.name));
      for (const name of passed)
        expect(declared.has(name), `${ref.where} passes unknown arg ${name}`).toBe(true);
      for (const t of used) {
        for (const name of requiredArgs(t)) {
          expect(passed.has(name), `${ref.where} misses ${name} of ${t.metadata.name}`).toBe(true);
        }
      }
      // A count without the matching limit would end runs Successful on inconclusive looks.
      const count = ref.args.find((a) => a.name === "count")?.value;
      const limit = ref.args.find((a) => a.name === "inconclusive-limit")?.value;
      if (count !== undefined) expect(Number(limit), ref.where).toBe(Number(count) - 1);
      else expect(limit, ref.where).toBeUndefined();
    }
  });

  it("compares stable with latest, and names the Rollout for Events", () => {
    for (const rollout of ofKind(objects(), "Rollout")) {
      for (const ref of analysisRefs(rollout)) {
        const arg = (n: string) => ref.args.find((a) => a.name === n);
        expect(arg("stable-hash")?.valueFrom, ref.where).toEqual({ podTemplateHashValue: "Stable" });
        expect(arg("canary-hash")?.valueFrom, ref.where).toEqual({ podTemplateHashValue: "Latest" });
        expect(arg("rollout-namespace")?.valueFrom, ref.where).toEqual({
          fieldRef: { fieldPath: "metadata.namespace" },
        });
        expect(arg("rollout-name")?.valueFrom, ref.where).toEqual({
          fieldRef: { fieldPath: "metadata.name" },
        });
      }
    }
  });

  it("lets every model pod report its version to modelgate's Service", () => {
    const base = build("base");
    const svc = one(base, "Service", "modelgate");
    const eventsUrl = `http://${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local:${svc.spec.ports[0].port}/v1/events`;
    const pods = [
      ...ofKind(objects(), "Rollout").map((r) => r.spec.template),
      ...ofKind(objects(), "Experiment").flatMap((e) =>
        e.spec.templates.map((t: { template: unknown }) => t.template),
      ),
    ];
    expect(pods.length).toBeGreaterThan(0);
    for (const pod of pods) {
      for (const c of containers(pod)) {
        expect(env(c, "MODELGATE_EVENTS_URL")?.value).toBe(eventsUrl);
        expect(env(c, "MODEL_NAME")?.value).toBe("fraud");
        expect(env(c, "MODEL_VERSION")).toBeDefined();
      }
    }
    for (const r of ofKind(objects(), "Rollout")) {
      // The version the logger reports must be what podTemplateHashValue gives the templates.
      expect(env(containers(r.spec.template)[0]!, "MODEL_VERSION")?.valueFrom).toEqual({
        fieldRef: { fieldPath: "metadata.labels['rollouts-pod-template-hash']" },
      });
      expect(matches(r.spec.selector.matchLabels, r.spec.template.metadata.labels)).toBe(true);
    }
  });

  it("routes to Services that exist and select the Rollout's pods", () => {
    for (const r of ofKind(objects(), "Rollout")) {
      const s = r.spec.strategy.canary ?? r.spec.strategy.blueGreen;
      const names = ["canaryService", "stableService", "activeService", "previewService"]
        .map((k) => s[k] as string | undefined)
        .filter((n): n is string => n !== undefined);
      expect(names.length).toBeGreaterThanOrEqual(2);
      for (const n of names) {
        expect(matches(one(objects(), "Service", n).spec.selector, r.spec.template.metadata.labels)).toBe(
          true,
        );
      }
    }
  });
});

describe("examples/canary", () => {
  it("runs background analysis from the first step and an inline analysis step before 50%", () => {
    const r = one(build("examples/canary"), "Rollout");
    const c = r.spec.strategy.canary;
    expect(c.analysis.templates.map((t: { templateName: string }) => t.templateName)).toEqual([
      "modelgate-errors",
      "modelgate-latency",
    ]);
    expect(c.analysis.startingStep).toBe(1);
    const kinds = c.steps.map((s: Record<string, unknown>) => Object.keys(s)[0]);
    expect(kinds).toEqual(["setWeight", "pause", "analysis", "setWeight", "pause", "setWeight"]);
    expect(c.steps[2].analysis.templates).toEqual([{ templateName: "modelgate-all" }]);
  });
});

describe("examples/shadow-istio", () => {
  const objects = () => build("examples/shadow-istio");

  it("mirrors to the candidate, judges the shadow, removes the mirror, then shifts traffic", () => {
    const r = one(objects(), "Rollout");
    const c = r.spec.strategy.canary;
    const kinds = c.steps.map((s: Record<string, unknown>) => Object.keys(s)[0]);
    const mirrorOn = kinds.indexOf("setMirrorRoute");
    const analysis = kinds.indexOf("analysis");
    const mirrorOff = kinds.lastIndexOf("setMirrorRoute");
    const firstWeight = kinds.indexOf("setWeight");
    expect(mirrorOn).toBeGreaterThanOrEqual(0);
    expect(mirrorOn).toBeLessThan(analysis);
    expect(analysis).toBeLessThan(mirrorOff);
    expect(mirrorOff).toBeLessThan(firstWeight);
    expect(c.steps[mirrorOn].setMirrorRoute.match.length).toBeGreaterThan(0);
    expect(c.steps[mirrorOff].setMirrorRoute.match).toBeUndefined();
    // The mirror route must be one Argo manages, or it refuses the step.
    expect(c.trafficRouting.managedRoutes.map((m: { name: string }) => m.name)).toContain(
      c.steps[mirrorOn].setMirrorRoute.name,
    );
  });

  it("names a VirtualService and route that exist, routing to the stable and canary Services", () => {
    const r = one(objects(), "Rollout");
    const istio = r.spec.strategy.canary.trafficRouting.istio;
    const vs = one(objects(), "VirtualService", istio.virtualService.name);
    expect(vs.apiVersion).toBe("networking.istio.io/v1beta1");
    const routes = vs.spec.http.filter((h: { name: string }) => istio.virtualService.routes.includes(h.name));
    expect(routes).toHaveLength(istio.virtualService.routes.length);
    const hosts = routes[0].route.map((d: { destination: { host: string } }) => d.destination.host).sort();
    expect(hosts).toEqual(
      [r.spec.strategy.canary.canaryService, r.spec.strategy.canary.stableService].sort(),
    );
    const weights = routes[0].route.map((d: { weight: number }) => d.weight);
    expect(weights.reduce((a: number, b: number) => a + b, 0)).toBe(100);
  });
});

describe("examples/blue-green", () => {
  it("analyses before and after the switch", () => {
    const bg = one(build("examples/blue-green"), "Rollout").spec.strategy.blueGreen;
    expect(bg.prePromotionAnalysis.templates).toEqual([{ templateName: "modelgate-all" }]);
    expect(bg.postPromotionAnalysis.templates.length).toBeGreaterThan(0);
    expect(bg.scaleDownDelaySeconds).toBeGreaterThan(0);
  });
});

describe("examples/experiment", () => {
  it("runs baseline and candidate side by side and judges them by the versions their pods report", () => {
    const e = one(build("examples/experiment"), "Experiment");
    const byName = Object.fromEntries(e.spec.templates.map((t: { name: string }) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(["baseline", "candidate"]);
    for (const t of e.spec.templates) {
      expect(matches(t.selector.matchLabels, t.template.metadata.labels)).toBe(true);
    }
    const ref = analysisRefs(e)[0]!;
    const arg = (n: string) => ref.args.find((a) => a.name === n)?.value;
    const version = (t: string) => env(containers(byName[t].template)[0]!, "MODEL_VERSION")?.value;
    expect(arg("stable-hash")).toBe(version("baseline"));
    expect(arg("canary-hash")).toBe(version("candidate"));
    expect(version("baseline")).not.toBe(version("candidate"));
    expect(e.spec.analyses[0].requiredForCompletion).toBe(true);
  });
});

describe("examples/cross-namespace-rbac", () => {
  it("grants the base ServiceAccount what the base Role grants, in the application namespace", () => {
    const base = build("base");
    const objects = build("examples/cross-namespace-rbac");
    const role = one(base, "Role", "modelgate");
    const sa = one(base, "ServiceAccount", "modelgate");
    const binding = one(objects, "RoleBinding");
    const clusterRole = one(objects, "ClusterRole", binding.roleRef.name);
    expect(clusterRole.rules).toEqual(role.rules);
    expect(binding.subjects).toEqual([
      { kind: "ServiceAccount", name: sa.metadata.name, namespace: sa.metadata.namespace },
    ]);
    expect(binding.metadata.namespace).toBe(one(build("examples/canary"), "Rollout").metadata.namespace);
  });
});

describe("template defaults the examples rely on", () => {
  it("keeps count and interval defaults the examples' comments describe", () => {
    const d = defaults(one(build("templates"), "AnalysisTemplate", "modelgate-all"));
    expect([d.interval, d.count, d["inconclusive-limit"]]).toEqual(["1m", "10", "9"]);
  });
});
