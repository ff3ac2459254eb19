import { describe, expect, it } from "vitest";
import { renderShadowPower, runShadowPower } from "../../bench/shadow-power.js";

describe("bench/shadow-power (small, seeded)", () => {
  it("paired detection needs fewer requests than both unpaired schemes, with no false fail at no drop", () => {
    const r = runShadowPower({ runs: 3, maxRequests: 40_000, look: 1000, drop: 0.12, alpha: 0.05, seed: 1 });
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
  });
});
