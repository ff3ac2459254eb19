import { describe, expect, it } from "vitest";
import { GATES } from "../../src/gates/registry.js";
import { SHADOW_GATE_NAMES } from "../../src/gates/shadow/registry.js";
import { parseJudgeRequest } from "../../src/judge/request.js";
import { analysisRefs, defaults, requiredArgs, resolveArgs, type TemplateArg } from "../manifests/argo.js";
import { build, type K8sObject, ofKind, one } from "../manifests/kustomize.js";
import { validateObject } from "../manifests/validate.js";

const CALLER_ARGS = {
  model: "fraud",
  "stable-hash": "6b7f9c5d8",
  "canary-hash": "84c2d7f4b",
  "rollout-namespace": "ml",
  "rollout-name": "fraud-model",
  "api-token": "s3cret",
};

describe("manifests: the shadow AnalysisTemplate and the shadow-paired example", () => {
  it("every object of the example builds and validates against the Argo CRD schemas", async () => {
    const failures: string[] = [];
    for (const obj of build("examples/shadow-paired")) {
      if (obj.kind === "VirtualService") continue; // Istio: no offline schema (checked structurally below)
      for (const e of (await validateObject(obj)).errors)
        failures.push(`${obj.kind} ${obj.metadata.name}: ${e}`);
    }
    expect(failures).toEqual([]);
  });

  it("modelgate-shadow POSTs a request the judge accepts as mode=shadow with every shadow gate", () => {
    const t = one(build("templates"), "AnalysisTemplate", "modelgate-shadow");
    expect(requiredArgs(t)).toEqual(["model", "stable-hash", "canary-hash"]);
    const m = t.spec.metrics[0];
    expect(m.failureLimit).toBe(0);
    expect(m.successCondition).toBe('result.verdict == "pass"');
    expect(m.provider.web.jsonPath).toBe("{$.summary}");
    expect(Number(defaults(t)["inconclusive-limit"])).toBe(Number(defaults(t).count) - 1);
    const web = resolveArgs(m.provider.web, { ...defaults(t), ...CALLER_ARGS });
    expect(new URL(web.url).pathname).toBe("/v1/judge");
    const req = parseJudgeRequest(web.jsonBody, { registry: GATES, now: Date.now() });
    expect(req).toMatchObject({
      mode: "shadow",
      model: "fraud",
      baseline: "6b7f9c5d8",
      candidate: "84c2d7f4b",
    });
    expect(req.gates).toEqual(SHADOW_GATE_NAMES);
    // the declared look schedule, as every template of the library: looks = the count arg
    expect(web.jsonBody).toMatchObject({ looks: "10", spending: "obrien-fleming" });
    expect(req).toMatchObject({ looks: 10, spending: "obrien-fleming" });
  });

  it("shares every arg definition with the rest of the library (Argo merges args across templates)", () => {
    const templates = ofKind(build("templates"), "AnalysisTemplate");
    const shadow = one(templates, "AnalysisTemplate", "modelgate-shadow");
    const all = one(templates, "AnalysisTemplate", "modelgate-all");
    const byName = new Map((all.spec.args as TemplateArg[]).map((a) => [a.name, JSON.stringify(a)]));
    for (const a of shadow.spec.args as TemplateArg[]) expect(JSON.stringify(a)).toBe(byName.get(a.name));
    const names = templates.flatMap((x: K8sObject) => x.spec.metrics.map((n: { name: string }) => n.name));
    expect(new Set(names).size).toBe(names.length);
  });

  it("the example mirrors, judges the shadow with modelgate-shadow and every required arg, then removes the mirror", () => {
    const objects = build("examples/shadow-paired");
    const rollout = one(objects, "Rollout", "fraud-model");
    const steps = rollout.spec.strategy.canary.steps as Array<Record<string, unknown>>;
    const mirror = steps.findIndex((s) => (s.setMirrorRoute as { match?: unknown } | undefined)?.match);
    const analysis = steps.findIndex((s) => s.analysis);
    const unmirror = steps.findIndex((s, i) => i > analysis && s.setMirrorRoute);
    const weight = steps.findIndex((s) => s.setWeight !== undefined);
    expect([mirror >= 0, mirror < analysis, analysis < unmirror, unmirror < weight]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    const [ref] = analysisRefs(rollout);
    expect(ref.templates).toEqual([{ templateName: "modelgate-shadow" }]);
    const passed = new Set(ref.args.map((a) => a.name));
    for (const name of requiredArgs(one(objects, "AnalysisTemplate", "modelgate-shadow")))
      expect(passed.has(name)).toBe(true);
    const vs = one(objects, "VirtualService", "fraud-model");
    expect(vs.spec.http[0].name).toBe(
      rollout.spec.strategy.canary.trafficRouting.istio.virtualService.routes[0],
    );
  });
});
