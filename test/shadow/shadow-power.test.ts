import { describe, expect, it } from "vitest";
import { measureShadowN80, oracleN80, shadowRows, shadowSchedule } from "../../bench/shadow-n80.js";
import { renderShadowPower, runShadowPower } from "../../bench/shadow-power.js";

describe("bench/shadow-power (small, seeded)", () => {
  it("paired detection needs fewer requests than both unpaired schemes, with no false fail at no drop", () => {
    const r = runShadowPower({
      runs: 3,
      maxRequests: 40_000,
      look: 1000,
      drop: 0.12,
      alpha: 0.05,
      seed: 1,
      n80: null,
    });
    expect(r.candidateAuc - r.baselineAuc).toBeCloseTo(-0.02, 2);
    const [shadow, canary, mirrored] = r.schemes;
    expect(shadow.detected).toBe(3);
    // every shadow run fails before any mirrored-unpaired run does (same requests, pairing ignored)
    const slowestShadow = Math.max(...shadow.detections.map((d) => d ?? Number.POSITIVE_INFINITY));
    const fastestMirrored = Math.min(...mirrored.detections.map((d) => d ?? Number.POSITIVE_INFINITY));
    expect(slowestShadow).toBeLessThan(fastestMirrored);
    expect(shadow.median!).toBeLessThan(canary.median ?? Number.POSITIVE_INFINITY);
    for (const s of r.schemes.slice(0, 3)) expect([s.name, s.nullFails]).toEqual([s.name, 0]);
    const text = renderShadowPower(r);
    expect(text.startsWith("<!-- shadow-power:start -->")).toBe(true);
    expect(text).toContain("| shadow (paired DeLong), shipped gate |");
    expect(text).not.toContain("(n80)");
  });
});

describe("bench/shadow-n80 (small, seeded)", () => {
  const rows = shadowRows(20_000);
  const row = (gate: string, expect: string) => rows.find((r) => r.gate === gate && r.expect === expect)!;

  it("the errors oracle is the z-test on the paired difference's variance from the generative model", () => {
    // independent errors 0.5% and 1.5%: +1 w.p. .015·.995, −1 w.p. .005·.985; z(.99) + z(.8) from scipy
    const up = 0.015 * 0.995;
    const down = 0.005 * 0.985;
    const se1 = Math.sqrt(up + down - (up - down) ** 2);
    const z = 2.3263478740408408 + 0.8416212335729143;
    expect(oracleN80(row("errors", "fail"), 0.01)).toBe(Math.ceil(((z * se1) / 0.005) ** 2));
    expect(oracleN80(row("errors", "pass"), 0.01)).toBe(
      Math.ceil(((z * Math.sqrt(2 * 0.005 * 0.995)) / 0.005) ** 2),
    );
  });

  it("the errors and agreement decisions are reached right, anytime-valid and with a declared schedule", () => {
    for (const [gate, want] of [
      ["errors", "fail"],
      ["errors", "pass"],
      ["agreement", "pass"],
    ] as const) {
      const r = row(gate, want);
      const opts = { runs: 10, alpha: 0.01, seed: 1, maxFactor: 8 };
      const anytime = measureShadowN80(r, opts);
      const declared = measureShadowN80(r, {
        ...opts,
        schedule: shadowSchedule(r, 0.01, 10, "obrien-fleming"),
      });
      for (const m of [anytime, declared]) {
        expect([gate, want, m.mode, m.wrong]).toEqual([gate, want, m.mode, 0]);
        // no valid test decides before the fixed-sample oracle; these gates stay within 3× of it
        expect(m.ratio, `${gate} ${want} ${m.mode}`).not.toBeNull();
        expect(m.ratio!).toBeGreaterThan(1);
        expect(m.ratio!).toBeLessThan(3);
      }
    }
  });
});
