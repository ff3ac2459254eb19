/**
 * The emulation against Argo Rollouts' own code: every case of
 * test/fixtures/reference/argo-oracle/cases.ts was run through Argo's EvalCondition,
 * EvaluateResult and the web provider's parseResponse, with the expr and client-go jsonpath each
 * version links (versions and commits in argo_outcomes.json "sources"; recorded once, outside this repository). For each version
 * the emulation must give the same phase, value and message, or say it does not emulate the case.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analysisTemplate } from "../../src/cli/template.js";
import {
  argoCases,
  BODIES,
  type OracleCase,
  TEMPLATE_METRIC,
} from "../fixtures/reference/argo-oracle/cases.js";
import { build } from "../manifests/kustomize.js";
import { ARGO_BEHAVIOUR, ARGO_VERSIONS, type ArgoVersion } from "./argo-versions.js";
import { evalCondition } from "./expr.js";
import type { GoValue } from "./go-values.js";
import { NotEmulated, ZeroValuePanic } from "./jsonpath.js";
import { evaluateResult, type Metric, runWebMetric } from "./web-provider.js";

interface Outcome {
  value?: unknown;
  phase?: string;
  message?: string;
}

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, "..", "fixtures", "reference", "argo_outcomes.json"), "utf8"),
) as { sources: string[]; casesDigest: string; outcomes: Outcome[][] };
const cases = argoCases();

/** Argo's outcome for case i at a version (one entry when every version agrees). */
const argo = (i: number, version: ArgoVersion): Outcome => {
  const o = fixture.outcomes[i]!;
  return o.length === 1 ? o[0]! : o[ARGO_VERSIONS.indexOf(version)]!;
};

const canonical = (o: Outcome) => JSON.stringify({ phase: o.phase, value: o.value, message: o.message });

async function emulate(c: OracleCase, version: ArgoVersion): Promise<Outcome> {
  try {
    if (c.kind === "cond") {
      return { value: evalCondition(c.result as GoValue, c.condition, ARGO_BEHAVIOUR[version].expr) };
    }
    if (c.kind === "eval") {
      const r = evaluateResult(
        c.result as GoValue,
        { successCondition: c.success, failureCondition: c.failure },
        version,
      );
      return { phase: r.phase, ...(r.error ? { message: r.error } : {}) };
    }
    const m = await runWebMetric(
      {
        name: "m",
        successCondition: c.success,
        failureCondition: c.failure,
        provider: { web: { url: "http://127.0.0.1:1/x", jsonPath: c.jsonPath } },
      },
      async () => new Response(c.body, { status: 200 }),
      version,
    );
    return {
      phase: m.phase,
      ...(m.value !== undefined && m.value !== "" ? { value: m.value } : {}),
      ...(m.message ? { message: m.message } : {}),
    };
  } catch (e) {
    if (e instanceof ZeroValuePanic) return { phase: "Panic", message: e.message };
    // EvalCondition's error: the oracle reports it as an Error with the message
    if (c.kind === "cond" && !(e instanceof NotEmulated))
      return { phase: "Error", message: (e as Error).message };
    throw e;
  }
}

/** What the emulation refuses: expr and JSONPath beyond its subset (each case names one). */
const OUTSIDE_THE_SUBSET = [
  /in \["pass"\]/,
  /len\(/,
  /\+ 1/,
  /\? true : false/,
  /matches/,
  /0x1p-2/,
  /\[1:2\]/,
  /\[\*\]/,
  /\{\.\.a\}/,
];

describe("the emulation gives Argo's own outcomes (argo_outcomes.json)", () => {
  it("was generated from these cases", () => {
    const digest = createHash("sha256").update(JSON.stringify(cases)).digest("hex");
    expect(
      digest,
      "cases.ts changed: argo_outcomes.json must be recorded again from Argo's own code for the new cases",
    ).toBe(fixture.casesDigest);
    expect(fixture.outcomes).toHaveLength(cases.length);
  });

  it.each(ARGO_VERSIONS)("Argo %s", async (version) => {
    const mismatches: string[] = [];
    const refused: string[] = [];
    for (const [i, c] of cases.entries()) {
      const want = argo(i, version);
      try {
        const got = await emulate(c, version);
        if (canonical(got) !== canonical(want))
          mismatches.push(`${c.id}: Argo ${JSON.stringify(want)}, emulation ${JSON.stringify(got)}`);
      } catch (e) {
        if (!(e instanceof NotEmulated)) throw e;
        refused.push(c.id);
      }
    }
    expect(mismatches).toEqual([]);
    // it refuses only what is outside its subset, and says so for every such case
    expect(refused.filter((id) => !OUTSIDE_THE_SUBSET.some((p) => p.test(id)))).toEqual([]);
    for (const p of OUTSIDE_THE_SUBSET)
      expect(
        refused.some((id) => p.test(id)),
        String(p),
      ).toBe(true);
    expect(cases.length - refused.length).toBeGreaterThan(1900);
  });
});

describe("every shipped AnalysisTemplate is among the cases Argo's code was run on", () => {
  const metricsOf = (t: { spec: { metrics: Metric[] } }) =>
    t.spec.metrics.map((m) => ({
      successCondition: m.successCondition,
      failureCondition: m.failureCondition,
      jsonPath: m.provider.web?.jsonPath,
    }));
  const printed = [false, true].flatMap((perGate) =>
    [undefined, ["latency" as const, "errors" as const]].map(
      (gates) =>
        analysisTemplate({
          model: "fraud",
          gates,
          settings: {},
          perGate,
          cluster: perGate,
          url: "http://modelgate.modelgate.svc.cluster.local:8080",
          interval: "1m",
          count: 10,
        }) as unknown as { spec: { metrics: Metric[] } },
    ),
  );

  it("manifests/templates, manifests/cluster-templates and `modelgate template` measure with its conditions and jsonPath", () => {
    const shipped = [...build("templates"), ...build("cluster-templates")];
    expect(shipped.map((t) => t.kind).sort()).toEqual([
      ...Array(7).fill("AnalysisTemplate"),
      ...Array(7).fill("ClusterAnalysisTemplate"),
    ]);
    const all = [...shipped, ...printed] as { spec: { metrics: Metric[] } }[];
    for (const t of all) for (const m of metricsOf(t)) expect(m).toEqual(TEMPLATE_METRIC);
  });

  it.each(ARGO_VERSIONS)("Argo %s: modelgate's answers and what could stand in for them", (version) => {
    const phaseOf = (body: string) => {
      const i = cases.findIndex(
        (c) =>
          c.kind === "web" &&
          c.body === body &&
          c.jsonPath === TEMPLATE_METRIC.jsonPath &&
          c.success === TEMPLATE_METRIC.successCondition &&
          c.failure === TEMPLATE_METRIC.failureCondition,
      );
      expect(i).toBeGreaterThanOrEqual(0);
      return argo(i, version).phase;
    };
    expect(phaseOf(BODIES.pass)).toBe("Successful");
    expect(phaseOf(BODIES.fail)).toBe("Failed");
    expect(phaseOf(BODIES.inconclusive)).toBe("Inconclusive");
    expect(phaseOf(BODIES.noSummary)).toBe("Error");
    // a 200 page that is not JSON passes up to v1.10.0-rc1 (see docs/argo-contract.md)
    expect(phaseOf(BODIES.html)).toBe(version === "master" ? "Error" : "Successful");
  });
});
