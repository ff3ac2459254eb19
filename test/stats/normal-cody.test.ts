import { describe, expect, it } from "vitest";
import { normalSf } from "../../src/stats/normal.js";
import { normalUpperTail } from "../../src/stats/normal-cody.js";

// normal.ts is checked against scipy's norm.sf; Cody's rational approximations are a different algorithm,
// so agreement to 1e-14 relative across all three of its ranges checks both.
describe("normalUpperTail (Cody 1993)", () => {
  it("agrees with normalSf to 1e-14 relative on [−9, 37]", () => {
    for (let z = -9; z <= 37; z += 0.0137) {
      const expected = normalSf(z);
      expect(Math.abs(normalUpperTail(z) - expected)).toBeLessThanOrEqual(1e-14 * expected);
    }
  });

  it("is exact where the value is known and 0 beyond the double range", () => {
    expect(normalUpperTail(0)).toBe(0.5);
    expect(normalUpperTail(1.959963984540054)).toBeCloseTo(0.025, 15);
    expect(normalUpperTail(40)).toBe(0);
    expect(normalUpperTail(-40)).toBe(1);
  });
});
