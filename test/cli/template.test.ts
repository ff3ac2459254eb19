import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { GATES } from "../../src/gates/registry.js";
import { parseJudgeRequest } from "../../src/judge/request.js";
import type { K8sObject } from "../manifests/kustomize.js";
import { validateObject } from "../manifests/validate.js";
import { cli, ROOT } from "./cli-io.js";

type Template = Omit<K8sObject, "spec"> & {
  spec: {
    args: Array<{ name: string; value?: string; valueFrom?: unknown }>;
    metrics: Array<Record<string, unknown> & { provider: { web: Record<string, unknown> } }>;
  };
};

const library = parse(
  readFileSync(join(ROOT, "manifests", "templates", "modelgate-all.yaml"), "utf8"),
) as Template;

/** Argo's {{args.x}} substitution with the args' values (or a stand-in for required ones). */
function substitute(value: unknown, args: Template["spec"]["args"]): unknown {
  const text = JSON.stringify(value).replace(/\{\{args\.([a-z-]+)\}\}/g, (_, name: string) => {
    const a = args.find((x) => x.name === name);
    return a?.value ?? `${name}-value`;
  });
  return JSON.parse(text);
}

async function template(args: string[]): Promise<Template> {
  const r = await cli(["template", ...args]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return parse(r.stdout) as Template;
}

describe("modelgate template", () => {
  it("prints a schema-valid AnalysisTemplate consistent with manifests/templates", async () => {
    const t = await template(["--model", "fraud-scorer"]);
    const v = await validateObject(t as K8sObject);
    expect(v.via).toBe("argo-crd");
    expect(v.errors).toEqual([]);
    expect(t.kind).toBe("AnalysisTemplate");
    expect(t.metadata.name).toBe("modelgate-fraud-scorer");
    // same args, in the same order, as the library template; the model is filled in
    expect(t.spec.args.map((a) => a.name)).toEqual(library.spec.args.map((a) => a.name));
    expect(t.spec.args[0]).toEqual({ name: "model", value: "fraud-scorer" });
    const [mine] = t.spec.metrics;
    const [theirs] = library.spec.metrics;
    for (const key of [
      "successCondition",
      "failureCondition",
      "failureLimit",
      "inconclusiveLimit",
      "interval",
      "count",
    ]) {
      expect(mine[key], key).toEqual(theirs[key]);
    }
    expect(mine.provider.web.jsonPath).toBe("{$.summary}");
    expect(mine.provider.web.url).toBe(theirs.provider.web.url);
    expect(mine.provider.web.jsonBody).toEqual(theirs.provider.web.jsonBody);
  });

  it("puts chosen gates and settings in a body the judge accepts", async () => {
    const t = await template([
      "--model",
      "ranker",
      "--gates",
      "latency,errors",
      "--optional",
      "errors",
      "--set",
      "latency.maxRatio=1.3",
      "--alpha",
      "0.01",
      "--count",
      "20",
    ]);
    expect((await validateObject(t as K8sObject)).errors).toEqual([]);
    expect(t.spec.args.find((a) => a.name === "inconclusive-limit")?.value).toBe("19");
    const body = substitute(t.spec.metrics[0].provider.web.jsonBody, t.spec.args) as Record<string, unknown>;
    // `rollout` (the Rollout to put Events on) is sent as the library templates send it; "/" = none
    expect(body.rollout).toBe("/");
    const req = parseJudgeRequest(body, { registry: GATES, now: Date.now() });
    expect(req.model).toBe("ranker");
    expect(req.gates).toEqual(["latency", "errors"]);
    expect(req.optional).toEqual(["errors"]);
    expect(req.alpha).toBe(0.01);
    expect(req.gateFields.latency.maxRatio).toBe("1.3");
  });

  it("prints one metric per gate and a ClusterAnalysisTemplate on request", async () => {
    const t = await template([
      "--model",
      "credit",
      "--gates",
      "auc,fairness",
      "--per-gate",
      "--cluster",
      "--name",
      "credit-gates",
    ]);
    expect((await validateObject(t as K8sObject)).errors).toEqual([]);
    expect(t.kind).toBe("ClusterAnalysisTemplate");
    expect(t.metadata.name).toBe("credit-gates");
    expect(t.spec.metrics.map((m) => [m.name, m.provider.web.url])).toEqual([
      ["modelgate-auc", "{{args.modelgate-url}}/v1/judge/auc"],
      ["modelgate-fairness", "{{args.modelgate-url}}/v1/judge/fairness"],
    ]);
  });

  it("refuses unknown gates, a setting for an unchosen gate, and a missing model (exit 2)", async () => {
    const cases: Array<[string[], string]> = [
      [["--model", "m", "--gates", "latncy"], 'unknown gate "latncy"'],
      [["--model", "m", "--gates", "auc", "--set", "latency.maxRatio=2"], 'gate "latency" is not in --gates'],
      [["--model", "m", "--set", "maxRatio"], '--set expects GATE.FIELD=VALUE, got "maxRatio"'],
      [["--model", "m", "--name", "Bad_Name"], "--name must be a Kubernetes name"],
      [[], "--model is required"],
    ];
    for (const [args, message] of cases) {
      const r = await cli(["template", ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe("");
    }
  });
});
