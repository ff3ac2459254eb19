import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hodgesLehmann } from "../../src/stats/hodges-lehmann.js";
import { errorCases, loadDistributionFixture, relErr, worst } from "./distribution-fixture.js";

// Reference: numpy.median(numpy.subtract.outer(x, y)) via gen_distribution.py.
describe("hodgesLehmann", () => {
  it("matches the median of pairwise differences computed by numpy (1e-12 relative)", () => {
    const f = loadDistributionFixture();
    expect(f.hodgesLehmann.length).toBeGreaterThanOrEqual(40);
    const value = (c: (typeof f.hodgesLehmann)[number]) =>
      c.pair === undefined
        ? hodgesLehmann(c.x ?? [], c.y ?? [])
        : hodgesLehmann(f.pairs[c.pair].a, f.pairs[c.pair].b);
    const w = worst(
      f.hodgesLehmann,
      (c) => relErr(value(c), c.value, 1e-12),
      (c) => String(c.pair ?? c.x),
    );
    expect(w.max, w.at).toBeLessThan(1e-12);
  });

  it("is shift-equivariant and antisymmetric", () => {
    const sample = fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(sample, sample, fc.integer({ min: -10, max: 10 }), (x, y, shift) => {
        const hl = hodgesLehmann(x, y);
        expect(
          hodgesLehmann(
            x.map((v) => v + shift),
            y,
          ),
        ).toBeCloseTo(hl + shift, 10);
        expect(hodgesLehmann(y, x)).toBeCloseTo(-hl, 10);
      }),
    );
  });

  it("throws naming the empty or NaN argument", () => {
    for (const e of errorCases("hodgesLehmann"))
      expect(() => hodgesLehmann(...(e.args as [number[], number[]]))).toThrow(e.argument);
    expect(() => hodgesLehmann([1], [Number.NaN])).toThrow(/y must be finite/);
  });
});
