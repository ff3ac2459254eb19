import { describe, expect, it } from "vitest";
import { parseEvent, parseOutcome } from "../../src/ingest/event.js";

const NOW = Date.parse("2026-11-24T10:00:00Z");
const ok = { model: "fraud", version: "84c2d", score: 0.83 };

const err = (raw: unknown) => {
  const p = parseEvent(raw, NOW);
  return p.ok ? undefined : p.error;
};

describe("parseEvent", () => {
  it("normalises a full event", () => {
    const p = parseEvent(
      {
        model: "fraud",
        version: "84c2d",
        id: "req-1",
        ts: "2026-11-24T10:00:00Z",
        score: 0.83,
        label: 1,
        decision: true,
        latencyMs: 12.5,
        error: false,
        groups: { region: "eu", tier: 2 },
        features: { age: 34, plan: "pro", missing: null },
      },
      0,
    );
    expect(p).toEqual({
      ok: true,
      value: {
        model: "fraud",
        version: "84c2d",
        id: "req-1",
        ts: NOW,
        score: 0.83,
        label: 1,
        decision: 1,
        latencyMs: 12.5,
        error: false,
        groups: { region: "eu", tier: "2" },
        features: { age: 34, plan: "pro" },
      },
    });
  });

  it("defaults ts to the arrival time and accepts epoch ms", () => {
    expect(parseEvent(ok, NOW)).toEqual({ ok: true, value: { ...ok, ts: NOW } });
    expect(parseEvent({ ...ok, ts: 1234 }, NOW)).toEqual({ ok: true, value: { ...ok, ts: 1234 } });
  });

  it("needs one of score, error or latencyMs", () => {
    expect(err({ model: "m", version: "v" })).toEqual({
      field: "score",
      message: "one of score, error or latencyMs is required",
    });
    expect(parseEvent({ model: "m", version: "v", error: true }, NOW).ok).toBe(true);
    expect(parseEvent({ model: "m", version: "v", latencyMs: 0 }, NOW).ok).toBe(true);
  });

  it.each([
    [[1, 2], ""],
    [null, ""],
    [{ version: "v", score: 0.1 }, "model"],
    [{ model: "", version: "v", score: 0.1 }, "model"],
    [{ model: "m m", version: "v", score: 0.1 }, "model"],
    [{ model: "m", version: 3, score: 0.1 }, "version"],
    [{ ...ok, score: "0.5" }, "score"],
    [{ ...ok, score: "NaN" }, "score"],
    [{ ...ok, score: "Infinity" }, "score"],
    [{ ...ok, score: true }, "score"],
    [{ ...ok, latencyMs: -1 }, "latencyMs"],
    [{ ...ok, latencyMs: "12" }, "latencyMs"],
    [{ ...ok, label: 2 }, "label"],
    [{ ...ok, label: "1" }, "label"],
    [{ ...ok, decision: 0.5 }, "decision"],
    [{ ...ok, error: "yes" }, "error"],
    [{ ...ok, ts: "yesterday" }, "ts"],
    [{ ...ok, ts: -5 }, "ts"],
    [{ ...ok, id: 17 }, "id"],
    [{ ...ok, groups: ["eu"] }, "groups"],
    [{ ...ok, groups: { region: { nested: 1 } } }, "groups.region"],
    [{ ...ok, groups: { region: "" } }, "groups.region"],
    [{ ...ok, features: { age: [1] } }, "features.age"],
    [{ ...ok, features: "age=3" }, "features"],
  ])("rejects %j naming field %s", (raw, field) => {
    const e = err(raw);
    expect(e?.field).toBe(field);
    expect(e?.message.length).toBeGreaterThan(5);
  });
});

describe("parseOutcome", () => {
  it("accepts an id outcome and a self-contained one", () => {
    expect(parseOutcome({ model: "fraud", id: "r1", label: true }, NOW)).toEqual({
      ok: true,
      value: { model: "fraud", id: "r1", label: 1, ts: NOW },
    });
    expect(parseOutcome({ model: "fraud", version: "v", score: 0.2, label: 0 }, NOW)).toEqual({
      ok: true,
      value: { model: "fraud", version: "v", score: 0.2, label: 0, ts: NOW },
    });
  });
  it("names the missing or bad field", () => {
    const e = (raw: unknown) => {
      const p = parseOutcome(raw, NOW);
      return p.ok ? undefined : p.error.field;
    };
    expect(e({ model: "fraud", id: "r1" })).toBe("label");
    expect(e({ model: "fraud", label: 1 })).toBe("id");
    expect(e({ model: "fraud", version: "v", label: 1 })).toBe("id");
    expect(e({ model: "fraud", id: "r1", label: "yes" })).toBe("label");
    expect(e({ id: "r1", label: 1 })).toBe("model");
    expect(e({ model: "fraud", version: "v", score: Number.NaN, label: 1, id: "x" })).toBe("score");
  });
});

describe("one field vocabulary", () => {
  it("refuses a field outside the vocabulary instead of dropping it, naming it and the closest field", () => {
    expect(err({ ...ok, lable: 1 })).toEqual({
      field: "lable",
      message:
        "unknown field (did you mean label?); fields: model, version, id, ts, score, label, decision, latencyMs, error, groups, features",
    });
    expect(err({ ...ok, latency_ms: 12 })?.message).toMatch(/^unknown field \(did you mean latencyMs\?\)/);
    expect(err({ ...ok, invalid: true })?.field).toBe("invalid"); // set by the CloudEvents parser only
    expect(err({ ...ok, Score: 0.2 })?.message).toMatch(/did you mean score\?/);
    // the unknown field is the reason even when the misspelling leaves a required field missing
    expect(err({ model: "fraud", version: "v", scor: 0.3 })?.field).toBe("scor");
    const outcome = parseOutcome({ model: "fraud", id: "r1", label: 1, groupz: { sex: "f" } }, NOW);
    expect(outcome.ok ? undefined : outcome.error.message).toMatch(
      /^unknown field \(did you mean groups\?\)/,
    );
    expect(parseOutcome({ model: "fraud", id: "r1", label: 1, latencyMs: 3 }, NOW).ok).toBe(false);
  });

  it("ignores such a field only when told to, and reports it once the rest of the line is valid", () => {
    const ignored: string[] = [];
    const policy = { unknownFields: "ignore" as const, ignoredField: (f: string) => ignored.push(f) };
    const p = parseEvent({ ...ok, lable: 1, extra: "x" }, NOW, policy);
    expect(p.ok && p.value).toEqual({ model: "fraud", version: "84c2d", ts: NOW, score: 0.83 });
    expect(ignored).toEqual(["lable", "extra"]);
    // a line refused for another reason reports nothing ignored
    expect(parseEvent({ model: "fraud", version: "v", score: "high", lable: 1 }, NOW, policy).ok).toBe(false);
    expect(ignored).toEqual(["lable", "extra"]);
    expect(parseOutcome({ model: "fraud", id: "r1", label: 1, note: "x" }, NOW, policy).ok).toBe(true);
    expect(ignored).toEqual(["lable", "extra", "note"]);
  });
});
