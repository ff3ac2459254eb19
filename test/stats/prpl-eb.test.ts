import { describe, expect, it } from "vitest";
import { PrplEbConfidenceSequence } from "../../src/stats/prpl-eb.js";
import { loadSequentialFixture } from "./sequential-fixture.js";

describe("PrPl-EB confidence sequence (Waudby-Smith & Ramdas 2023)", () => {
  it("matches the numpy implementation of Thm 2 at every t on three streams", () => {
    for (const c of loadSequentialFixture().prplEb) {
      const cs = new PrplEbConfidenceSequence(c.alpha, c.c);
      c.x.forEach((x, i) => {
        cs.push(x);
        expect(cs.lower).toBeCloseTo(c.lower[i], 12);
        expect(cs.upper).toBeCloseTo(c.upper[i], 12);
      });
      expect(cs.n).toBe(c.x.length);
    }
  });

  it("starts at [0, 1], narrows monotonically and contains the sample mean of a constant stream", () => {
    const cs = new PrplEbConfidenceSequence(0.05);
    expect([cs.lower, cs.upper, cs.n]).toEqual([0, 1, 0]);
    let width = 1;
    for (let i = 0; i < 2000; i++) {
      cs.push(0.3);
      expect(cs.upper - cs.lower).toBeLessThanOrEqual(width);
      width = cs.upper - cs.lower;
    }
    expect(cs.lower).toBeLessThan(0.3);
    expect(cs.upper).toBeGreaterThan(0.3);
    expect(width).toBeLessThan(0.02);
    expect(cs.mean).toBeCloseTo(0.3, 12);
  });

  it("throws on invalid input", () => {
    expect(() => new PrplEbConfidenceSequence(0)).toThrow(/alpha/);
    expect(() => new PrplEbConfidenceSequence(0.05, 1)).toThrow(/truncation/);
    expect(() => new PrplEbConfidenceSequence(0.05).push(1.2)).toThrow(/\[0, 1\]/);
    expect(() => new PrplEbConfidenceSequence(0.05).push(Number.NaN)).toThrow(/\[0, 1\]/);
  });
});
