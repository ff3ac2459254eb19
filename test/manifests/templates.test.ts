import { describe, expect, it } from "vitest";
import type { GateConfigError } from "../../src/gates/config-parse.js";
import { GATES as GATE_REGISTRY } from "../../src/gates/registry.js";
import { parseJudgeRequest } from "../../src/judge/request.js";
import { parseRolloutRef } from "../../src/k8s/rollout-ref.js";
import { defaults, placeholders, requiredArgs, resolveArgs, type TemplateArg } from "./argo.js";
import { build, ofKind, one } from "./kustomize.js";

/** The five gates of DESIGN.md, each with its own template, plus the combined one. */
const GATES = ["drift", "latency", "auc", "fairness", "errors"];
const templates = () => ofKind(build("templates"), "AnalysisTemplate");

/** The threshold args of each gate and the request field each one fills (`<gate>.<field>`). */
const THRESHOLDS: Record<string, Record<string, string>> = {
  drift: { "drift-max-psi": "maxPsi", "drift-max-ks": "maxKs", "drift-min-samples": "minSamples" },
  latency: {
    "latency-quantile": "quantile",
    "latency-max-ratio": "maxRatio",
    "latency-slo-ms": "sloMs",
    "latency-min-samples": "minSamples",
  },
  auc: { "auc-margin": "margin", "auc-min-labelled": "minLabelled" },
  fairness: {
    "fairness-min-parity-ratio": "minParityRatio",
    "fairness-max-parity-drop": "maxParityDrop",
    "fairness-max-equalized-odds-difference": "maxEqualizedOddsDifference",
    "fairness-min-group-size": "minGroupSize",
    "fairness-attributes": "attributes",
  },
  errors: { "errors-max-increase": "maxIncrease", "errors-min-samples": "minSamples" },
};

const CALLER_ARGS = {
  model: "fraud",
  "stable-hash": "6b7f9c5d8",
  "canary-hash": "84c2d7f4b",
  "rollout-namespace": "ml",
  "rollout-name": "fraud-model",
  "api-token": "s3cret",
};

describe("AnalysisTemplate library", () => {
  it("has one template per gate, an all-gates template and the shadow one, nothing else", () => {
    // modelgate-shadow (mode=shadow, its own gates) is checked in test/shadow/manifests.test.ts
    expect(
      templates()
        .map((t) => t.metadata.name)
        .sort(),
    ).toEqual([...GATES.map((g) => `modelgate-${g}`), "modelgate-all", "modelgate-shadow"].sort());
  });

  it.each([...GATES, "all"])("modelgate-%s selects the summary and decides on result.verdict", (gate) => {
    const t = one(templates(), "AnalysisTemplate", `modelgate-${gate}`);
    expect(t.spec.metrics).toHaveLength(1);
    const m = t.spec.metrics[0];
    // client-go JSONPath needs the braces; without them Argo's parser errors on every measurement.
    expect(m.provider.web.jsonPath).toBe("{$.summary}");
    expect(m.successCondition).toBe('result.verdict == "pass"');
    expect(m.failureCondition).toBe('result.verdict == "fail"');
    // Anytime-valid fails: one fail look aborts; errors get Argo's default tolerance of 4 in a row.
    expect(m.failureLimit).toBe(0);
    expect(m.consecutiveErrorLimit).toBe(4);
    expect(m.provider.web.timeoutSeconds).toBeGreaterThan(0);
    expect(m.provider.web.timeoutSeconds).toBeLessThanOrEqual(10);
    expect(m.provider.web.headers).toContainEqual({
      key: "Authorization",
      value: "Bearer {{args.api-token}}",
    });
  });

  it.each([...GATES, "all"])("modelgate-%s declares exactly the args it uses", (gate) => {
    const t = one(templates(), "AnalysisTemplate", `modelgate-${gate}`);
    const declared = new Set((t.spec.args as TemplateArg[]).map((a) => a.name));
    expect(placeholders(t.spec.metrics)).toEqual(declared);
    expect(requiredArgs(t)).toEqual(["model", "stable-hash", "canary-hash"]);
    const token = (t.spec.args as TemplateArg[]).find((a) => a.name === "api-token");
    expect(token?.valueFrom?.secretKeyRef).toEqual({ name: "modelgate-api-token", key: "token" });
  });

  it("ends Inconclusive only when every look was inconclusive (inconclusive-limit = count - 1)", () => {
    for (const t of templates()) {
      const d = defaults(t);
      expect(Number(d["inconclusive-limit"])).toBe(Number(d.count) - 1);
      const m = resolveArgs(t.spec.metrics[0], { ...d, ...CALLER_ARGS });
      expect(m.count).toBe("10");
      expect(m.interval).toBe("1m");
    }
  });

  it("can be combined in one Rollout: shared args have identical definitions, metric names differ", () => {
    // Argo merges the args of several templates and refuses two different values for one name.
    const byName = new Map<string, string>();
    for (const t of templates()) {
      for (const a of t.spec.args as TemplateArg[]) {
        const def = JSON.stringify(a);
        expect(byName.get(a.name) ?? def, `${t.metadata.name} arg ${a.name}`).toBe(def);
        byName.set(a.name, def);
      }
    }
    const metrics = templates().flatMap((t) => t.spec.metrics.map((m: { name: string }) => m.name));
    expect(new Set(metrics).size).toBe(metrics.length);
  });

  it.each(GATES)("modelgate-%s calls GET /v1/judge/<gate> with the versions and the Rollout", (gate) => {
    const t = one(templates(), "AnalysisTemplate", `modelgate-${gate}`);
    const web = resolveArgs(t.spec.metrics[0].provider.web, { ...defaults(t), ...CALLER_ARGS });
    expect(web.method ?? "GET").toBe("GET");
    const url = new URL(web.url);
    expect(url.origin).toBe("http://modelgate.modelgate.svc.cluster.local:8080");
    expect(url.pathname).toBe(`/v1/judge/${gate}`);
    const query = Object.fromEntries(url.searchParams);
    const d = defaults(t);
    expect(query).toEqual({
      model: "fraud",
      baseline: "6b7f9c5d8",
      candidate: "84c2d7f4b",
      rollout: "ml/fraud-model",
      alpha: d.alpha,
      looks: d.count,
      spending: d.spending,
      ...Object.fromEntries(
        Object.entries(THRESHOLDS[gate]!).map(([arg, field]) => [`${gate}.${field}`, d[arg]]),
      ),
    });
    expect(parseRolloutRef(url.searchParams.get("rollout")!)).toEqual({
      namespace: "ml",
      name: "fraud-model",
    });
    expect(web.headers[0].value).toBe("Bearer s3cret");
  });

  it("modelgate-all POSTs a JSON body of strings to /v1/judge", () => {
    const t = one(templates(), "AnalysisTemplate", "modelgate-all");
    const web = resolveArgs(t.spec.metrics[0].provider.web, { ...defaults(t), ...CALLER_ARGS });
    expect(web.method).toBe("POST");
    expect(new URL(web.url).pathname).toBe("/v1/judge");
    expect(web.headers).toContainEqual({ key: "Content-Type", value: "application/json" });
    const d = defaults(t);
    expect(web.jsonBody).toEqual({
      model: "fraud",
      baseline: "6b7f9c5d8",
      candidate: "84c2d7f4b",
      rollout: "ml/fraud-model",
      optional: "auc",
      alpha: "0.05",
      looks: "10",
      spending: "obrien-fleming",
      ...Object.fromEntries(
        Object.entries(THRESHOLDS).flatMap(([gate, args]) =>
          Object.entries(args).map(([arg, field]) => [`${gate}.${field}`, d[arg]]),
        ),
      ),
    });
  });

  /** The judge request a template's resolved metric makes (GET query or POST jsonBody). */
  const requestOf = (gate: string, args: Record<string, string>) => {
    const t = one(templates(), "AnalysisTemplate", `modelgate-${gate}`);
    const web = resolveArgs(t.spec.metrics[0].provider.web, { ...defaults(t), ...CALLER_ARGS, ...args });
    const raw = web.jsonBody ?? Object.fromEntries(new URL(web.url).searchParams);
    return parseJudgeRequest(raw, {
      registry: GATE_REGISTRY,
      now: 0,
      onlyGate: gate === "all" ? undefined : gate,
    });
  };
  const configOf = (req: ReturnType<typeof requestOf>, gate: string) =>
    GATE_REGISTRY[gate as keyof typeof GATE_REGISTRY].parseConfig(req.gateFields[gate]!) as unknown as Record<
      string,
      unknown
    >;

  it.each([...GATES, "all"])(
    "modelgate-%s: every threshold arg's default is the gate's own default (as shipped = not set)",
    (gate) => {
      const req = requestOf(gate, {});
      expect(req.gates).toEqual(gate === "all" ? GATES : [gate]);
      expect(req.alpha).toBe(0.05);
      for (const g of req.gates) {
        const gateDefaults = GATE_REGISTRY[g as keyof typeof GATE_REGISTRY].parseConfig({});
        expect(configOf(req, g), g).toEqual(gateDefaults);
        // each arg reaches its field: the template sends every listed threshold
        expect(Object.keys(req.gateFields[g]!).sort()).toEqual(Object.values(THRESHOLDS[g]!).sort());
      }
      // spot values against docs/gates/*.md, independently of parseConfig
      if (gate === "all" || gate === "auc")
        expect(configOf(req, "auc")).toMatchObject({ margin: 0.02, minLabelled: 200 });
      if (gate === "all" || gate === "latency")
        expect(configOf(req, "latency")).toMatchObject({ quantile: 0.95, maxRatio: 1.2, sloMs: undefined });
    },
  );

  it.each(GATES)("modelgate-%s: a Rollout's threshold args reach the gate", (gate) => {
    const set: Record<string, Record<string, [string, unknown]>> = {
      drift: {
        "drift-max-psi": ["0.1", 0.1],
        "drift-max-ks": ["0.15", 0.15],
        "drift-min-samples": ["500", 500],
      },
      latency: {
        "latency-quantile": ["0.99", 0.99],
        "latency-max-ratio": ["1.5", 1.5],
        "latency-slo-ms": ["250", 250],
        "latency-min-samples": ["50", 50],
      },
      auc: { "auc-margin": ["0.05", 0.05], "auc-min-labelled": ["1000", 1000] },
      fairness: {
        "fairness-min-parity-ratio": ["0.9", 0.9],
        "fairness-max-parity-drop": ["0.02", 0.02],
        "fairness-max-equalized-odds-difference": ["0.2", 0.2],
        "fairness-min-group-size": ["100", 100],
        "fairness-attributes": ["sex,age_band", ["sex", "age_band"]],
      },
      errors: { "errors-max-increase": ["0.01", 0.01], "errors-min-samples": ["1000", 1000] },
    };
    const args = {
      alpha: "0.01",
      ...Object.fromEntries(Object.entries(set[gate]!).map(([a, [v]]) => [a, v])),
    };
    const expected = Object.fromEntries(
      Object.entries(set[gate]!).map(([a, [, parsed]]) => [THRESHOLDS[gate]![a]!, parsed]),
    );
    for (const template of [gate, "all"]) {
      const req = requestOf(template, args);
      expect(req.alpha, template).toBe(0.01);
      expect(configOf(req, gate), template).toMatchObject(expected);
    }
  });

  it.each([...GATES, "all"])(
    "modelgate-%s declares its look schedule: looks = the count arg (a string the judge reads), spending from its arg",
    (gate) => {
      const t = one(templates(), "AnalysisTemplate", `modelgate-${gate}`);
      expect((t.spec.args as TemplateArg[]).find((a) => a.name === "spending")).toEqual({
        name: "spending",
        value: "obrien-fleming",
      });
      // as shipped: the count (10) is the schedule, O'Brien–Fleming spending
      expect(requestOf(gate, {})).toMatchObject({ looks: 10, spending: "obrien-fleming" });
      // a Rollout's count is the schedule too (the args arrive as strings: "20")
      const longer = { count: "20", "inconclusive-limit": "19", spending: "pocock" };
      expect(requestOf(gate, longer)).toMatchObject({ looks: 20, spending: "pocock" });
      // what the judge refuses, it refuses naming the field: a count beyond the looks it accepts, a
      // spending function it does not know (Argo would record an Error at every look)
      const refused = (args: Record<string, string>) => {
        try {
          requestOf(gate, args);
        } catch (e) {
          return (e as GateConfigError).field;
        }
        return undefined;
      };
      expect(refused({ count: "1001", "inconclusive-limit": "1000" })).toBe("looks");
      expect(refused({ spending: "linear" })).toBe("spending");
    },
  );

  it('modelgate-all: AUC is optional by default, and optional-gates "" makes every gate required', () => {
    expect(requestOf("all", {}).optional).toEqual(["auc"]);
    expect(requestOf("all", { "optional-gates": "" }).optional).toEqual([]);
    expect(requestOf("all", { "optional-gates": "auc,fairness" }).optional).toEqual(["auc", "fairness"]);
  });

  it("sends rollout=/ when no Rollout is named, which means no Event", () => {
    const t = one(templates(), "AnalysisTemplate", "modelgate-latency");
    const { "rollout-namespace": _n, "rollout-name": _r, ...withoutRollout } = CALLER_ARGS;
    const web = resolveArgs(t.spec.metrics[0].provider.web, { ...defaults(t), ...withoutRollout });
    const rollout = new URL(web.url).searchParams.get("rollout");
    expect(rollout).toBe("/");
    expect(parseRolloutRef(rollout!)).toBeUndefined();
  });

  it("points at the Service manifests/base creates", () => {
    const base = build("base");
    const svc = one(base, "Service", "modelgate");
    const url = new URL(defaults(one(templates(), "AnalysisTemplate", "modelgate-all"))["modelgate-url"]!);
    expect(url.hostname).toBe(`${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local`);
    expect(Number(url.port)).toBe(svc.spec.ports[0].port);
  });
});

describe("ClusterAnalysisTemplate library", () => {
  it("is the namespaced library with only the kind changed", () => {
    const cluster = build("cluster-templates");
    expect(cluster.every((o) => o.kind === "ClusterAnalysisTemplate")).toBe(true);
    expect(cluster.map((o) => o.metadata.name).sort()).toEqual(
      templates()
        .map((t) => t.metadata.name)
        .sort(),
    );
    for (const c of cluster) {
      const t = one(templates(), "AnalysisTemplate", c.metadata.name);
      expect(c.spec).toEqual(t.spec);
      expect(c.metadata.namespace).toBeUndefined();
    }
  });
});
