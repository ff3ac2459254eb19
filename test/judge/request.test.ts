import { describe, expect, it } from "vitest";
import { GateConfigError } from "../../src/gates/config-parse.js";
import { GATES } from "../../src/gates/registry.js";
import { parseDuration, parseJudgeRequest } from "../../src/judge/request.js";

const now = Date.parse("2026-11-25T12:00:00Z");
const parse = (raw: Record<string, unknown>, onlyGate?: string) =>
  parseJudgeRequest(raw, { registry: GATES, now, onlyGate });
const base = { model: "fraud", baseline: "6b7f9", candidate: "84c2d" };

function fieldOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof GateConfigError) return e.field;
    throw e;
  }
  return undefined;
}

describe("judge request parsing", () => {
  it("defaults: every registered gate, alpha 0.05, run key from the versions, window from the candidate's first event", () => {
    const r = parse(base);
    expect(r.gates).toEqual(Object.keys(GATES));
    expect(r.alpha).toBe(0.05);
    expect(r.runKey).toBe("fraud/6b7f9/84c2d");
    expect(r.since).toBeUndefined();
    expect(r.until).toBe(now);
    expect(r.optional).toEqual([]);
    expect(r.source).toBeUndefined();
  });

  it("reads flat and nested gate settings, shared minSamples, weights, strings as numbers", () => {
    const r = parse({
      ...base,
      gates: "errors, latency",
      minSamples: "250",
      "latency.maxRatio": "1.5",
      errors: { maxIncrease: "0.01", minSamples: 1000, weight: "2" },
      alpha: "0.1",
      runKey: "rollout-abc-7",
    });
    expect(r.gates).toEqual(["latency", "errors"]); // registry order
    expect(r.gateFields).toEqual({
      latency: { maxRatio: "1.5", minSamples: 250 },
      errors: { maxIncrease: "0.01", minSamples: 1000 },
    });
    expect(r.weights).toEqual({ latency: 1, errors: 2 });
    expect(r.alpha).toBe(0.1);
    expect(r.runKey).toBe("rollout-abc-7");
  });

  it("windows: durations, ISO times and epoch ms", () => {
    expect(parseDuration("15m")).toBe(900_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("2d")).toBe(172_800_000);
    expect(parseDuration("soon")).toBeUndefined();
    expect(parse({ ...base, window: "15m" }).since).toBe(now - 900_000);
    expect(parse({ ...base, since: "2026-11-25T11:00:00Z" }).since).toBe(now - 3_600_000);
    expect(parse({ ...base, since: String(now - 1000), until: String(now) }).since).toBe(now - 1000);
  });

  it("names the bad field", () => {
    expect(fieldOf(() => parse({ baseline: "a", candidate: "b" }))).toBe("model");
    expect(fieldOf(() => parse({ ...base, candidate: "" }))).toBe("candidate");
    expect(fieldOf(() => parse({ ...base, gates: "latency,nope" }))).toBe("gates");
    expect(fieldOf(() => parse({ ...base, "nope.x": 1 }))).toBe("nope.x");
    expect(fieldOf(() => parse({ ...base, optional: "nope" }))).toBe("optional");
    expect(fieldOf(() => parse({ ...base, alpha: "0" }))).toBe("alpha");
    expect(fieldOf(() => parse({ ...base, minSamples: "1.5" }))).toBe("minSamples");
    expect(fieldOf(() => parse({ ...base, window: "15m", since: "2026-01-01T00:00:00Z" }))).toBe("window");
    expect(fieldOf(() => parse({ ...base, since: "2027-01-01T00:00:00Z" }))).toBe("since");
    expect(fieldOf(() => parse({ ...base, "latency.weight": "-1" }))).toBe("latency.weight");
    expect(fieldOf(() => parse({ ...base, thresholds: {} }))).toBe("thresholds");
  });

  it("the per-gate route fixes the gate list", () => {
    const r = parse({ ...base, gates: "errors" }, "latency");
    expect(r.gates).toEqual(["latency"]);
  });

  it("prototype-named keys are refused and leave the shared prototypes untouched", () => {
    const hostile = [
      `{"__proto__":{"maxRatio":1000}}`,
      `{"__proto__.polluted":"yes"}`,
      `{"constructor":{"prototype":{"polluted":1}}}`,
      `{"latency":{"__proto__":{"maxRatio":1000}}}`,
      `{"constructor.polluted":1}`,
      `{"hasOwnProperty.y":2}`,
      `{"toString.x":1}`,
    ];
    const before = Object.getOwnPropertyNames(Object.prototype).sort();
    for (const text of hostile) {
      const raw = { ...base, ...JSON.parse(text) };
      expect(
        fieldOf(() => parse(raw)),
        text,
      ).toBeDefined();
    }
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).maxRatio).toBeUndefined();
    expect(Object.hasOwn(Object, "polluted")).toBe(false);
  });

  it("settings reach the gates as own data only", () => {
    const r = parse({ ...base, gates: "latency", latency: { maxRatio: "1.5" } });
    expect(Object.getPrototypeOf(r.gateFields.latency)).toBeNull();
    expect(Object.keys(r.gateFields.latency)).toEqual(["maxRatio"]);
    expect(r.gateFields.toString).toBeUndefined();
  });

  it("window bounds must be times a date can hold", () => {
    expect(fieldOf(() => parse({ ...base, until: "8640000000000001" }))).toBe("until");
    expect(fieldOf(() => parse({ ...base, until: 8640000000000001 }))).toBe("until");
    expect(fieldOf(() => parse({ ...base, since: -8640000000000001 }))).toBe("since");
    expect(fieldOf(() => parse({ ...base, window: "999999999d" }))).toBe("window");
    expect(fieldOf(() => parse({ ...base, window: `${"9".repeat(400)}ms` }))).toBe("window");
    expect(parse({ ...base, until: 8640000000000000, window: "1d" }).since).toBe(
      8640000000000000 - 86_400_000,
    );
  });
});

describe("declared look schedules", () => {
  const base = { model: "m", baseline: "a", candidate: "b" };
  it("takes looks and spending as strings, as Argo substitutes them", () => {
    const r = parse({ ...base, looks: "10", spending: "pocock" });
    expect(r.looks).toBe(10);
    expect(r.spending).toBe("pocock");
  });

  it("refuses spending without looks: it would be silently ignored", () => {
    expect(() => parse({ ...base, spending: "pocock" })).toThrow(
      /^spending: applies to a declared look schedule/,
    );
  });

  it("refuses looks with a sliding window, which re-judges different events at each look", () => {
    expect(() => parse({ ...base, looks: 10, window: "15m" })).toThrow(
      /^looks: a declared look schedule needs the cumulative window/,
    );
    // a fixed start stays one growing sample
    expect(parse({ ...base, looks: 10, since: "2026-11-25T11:00:00Z" }).looks).toBe(10);
  });
});
