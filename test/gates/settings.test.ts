import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { THRESHOLD_ARGS } from "../../src/cli/template.js";
import { closestName } from "../../src/closest-name.js";
import { GateConfigError } from "../../src/gates/config-parse.js";
import { GATES } from "../../src/gates/registry.js";
import { checkSettingNames } from "../../src/gates/settings.js";
import { SHADOW_GATES } from "../../src/gates/shadow/registry.js";
import { checkRequestGateSettings } from "../../src/judge/gate-settings.js";

/** The fields parseConfig reads, recorded by a Proxy standing in for the request's gate fields. */
function fieldsRead(parseConfig: (raw: Record<string, unknown>) => unknown): string[] {
  const read = new Set<string>();
  const raw = new Proxy({} as Record<string, unknown>, {
    get(_target, key) {
      if (typeof key === "string") read.add(key);
      return undefined;
    },
    has(_target, key) {
      if (typeof key === "string") read.add(key);
      return false;
    },
  });
  parseConfig(raw);
  return [...read].sort();
}

function errorOf(f: () => unknown): GateConfigError | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof GateConfigError) return e;
    throw e;
  }
  return undefined;
}

const registries = [
  ["canary", GATES],
  ["shadow", SHADOW_GATES],
] as const;

describe("gate settings", () => {
  for (const [mode, registry] of registries) {
    for (const [name, gate] of Object.entries(registry)) {
      it(`${mode} ${name}: the declared settings are exactly the fields parseConfig reads`, () => {
        const declared = [...gate.settings].sort();
        expect(new Set(declared).size).toBe(declared.length);
        expect(declared).toEqual(fieldsRead((raw) => gate.parseConfig(raw)));
      });
    }
  }

  it("refuses an unknown setting naming it, the gate's settings and the closest one", () => {
    const e = errorOf(() => checkSettingNames("latency", GATES.latency, ["quantile", "maxRaatio"]));
    expect(e?.field).toBe("latency.maxRaatio");
    expect(e?.message).toBe(
      "latency.maxRaatio: unknown setting of the latency gate (did you mean maxRatio?); its settings: quantile, maxRatio, sloMs, minSamples, method, weight",
    );
    // weight is read by the judge, not the gate: every gate accepts it
    for (const [, registry] of registries) {
      for (const [name, gate] of Object.entries(registry)) {
        expect(errorOf(() => checkSettingNames(name, gate, ["weight", ...gate.settings]))).toBeUndefined();
      }
    }
  });

  it("suggests the closest name for case slips, typos, swaps and cut-off names, and nothing for far ones", () => {
    const latency = GATES.latency.settings;
    expect(closestName("maxratio", latency)).toBe("maxRatio");
    expect(closestName("maxRaatio", latency)).toBe("maxRatio");
    expect(closestName("maxPSI", GATES.drift.settings)).toBe("maxPsi");
    expect(closestName("maxIncreas", GATES.errors.settings)).toBe("maxIncrease");
    expect(closestName("lable", ["score", "label", "latencyMs"])).toBe("label");
    expect(closestName("latency_ms", ["score", "label", "latencyMs"])).toBe("latencyMs");
    expect(closestName("maxFlip", SHADOW_GATES.agreement.settings)).toBe("maxFlipRate");
    expect(closestName("x", GATES.errors.settings)).toBeUndefined(); // not "k"
    expect(closestName("threshold", latency)).toBeUndefined();
  });

  it("checks every gate of a raw request, flat or nested, requested or not, in the request's mode", () => {
    const check = (raw: Record<string, unknown>) =>
      errorOf(() => checkRequestGateSettings(raw, { registry: GATES }));
    const base = { model: "m", baseline: "a", candidate: "b" };
    expect(check({ ...base, "latency.maxratio": 1 })?.field).toBe("latency.maxratio");
    expect(check({ ...base, latency: { maxRaatio: "1.3" } })?.field).toBe("latency.maxRaatio");
    expect(check({ ...base, gates: "latency", "errors.maxIncreas": 0.1 })?.field).toBe("errors.maxIncreas");
    // a gate's own minSamples only where the gate has one; the shared minSamples is the judge's
    expect(check({ ...base, "fairness.minSamples": 10 })?.field).toBe("fairness.minSamples");
    expect(
      check({ ...base, minSamples: 10, "latency.minSamples": 10, "fairness.weight": 2 }),
    ).toBeUndefined();
    // shadow settings belong to shadow mode
    expect(check({ ...base, mode: "shadow", "agreement.maxFlipRate": 0.1 })).toBeUndefined();
    expect(check({ ...base, "agreement.maxFlipRate": 0.1 })).toBeUndefined(); // unknown gate: the parser's to report
    expect(check({ ...base, mode: "shadow", "latency.maxRatio": 1.2 })?.field).toBe("latency.maxRatio");
    // a gate name with a non-object value, or a prototype key, is not a settings object
    expect(check({ ...base, latency: "fast" })).toBeUndefined();
    expect(check(JSON.parse('{"__proto__": {"x": 1}, "constructor.x": 1}'))).toBeUndefined();
  });

  it("the template command and every shipped AnalysisTemplate send only settings the gates know", () => {
    for (const [gate, args] of Object.entries(THRESHOLD_ARGS)) {
      for (const { field } of args) expect(GATES[gate as keyof typeof GATES].settings).toContain(field);
    }
    const dir = join(import.meta.dirname, "../../manifests/templates");
    let requests = 0;
    for (const file of readdirSync(dir).filter((f) => f.startsWith("modelgate-"))) {
      for (const doc of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
        const metrics = (doc.toJS()?.spec?.metrics ?? []) as Array<{
          provider: { web: { url: string; jsonBody?: Record<string, unknown> } };
        }>;
        for (const { provider } of metrics) {
          const query = Object.fromEntries(
            new URL(provider.web.url.replace("{{args.modelgate-url}}", "http://x")).searchParams,
          );
          const raw = { ...query, ...provider.web.jsonBody };
          expect(
            () => checkRequestGateSettings(raw, { registry: GATES }),
            `${file}: ${JSON.stringify(raw)}`,
          ).not.toThrow();
          requests++;
        }
      }
    }
    expect(requests).toBeGreaterThanOrEqual(7);
  });
});
