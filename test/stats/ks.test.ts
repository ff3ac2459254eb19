import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ks2samp, ksFromCounts } from "../../src/stats/ks.js";
import { kstwoSf } from "../../src/stats/kstwo.js";
import { errorCases, loadDistributionFixture, relErr, worst } from "./distribution-fixture.js";

// Reference: scipy.stats.ks_2samp (scipy 1.10) via gen_distribution.py.
describe("ks2samp", () => {
  const f = loadDistributionFixture();
  const label = (c: (typeof f.ks)[number]) => `${f.pairs[c.pair].name} method=${c.method}`;

  it("uses the method scipy uses (auto: exact up to 10000 per sample, asymp above)", () => {
    for (const c of f.ks) {
      const { a, b } = f.pairs[c.pair];
      expect(ks2samp(a, b, c.method).method, label(c)).toBe(c.used);
    }
  });

  it("exact p-values and statistics match scipy to 1e-9 relative", () => {
    const exact = f.ks.filter((c) => c.used === "exact");
    expect(exact.length).toBeGreaterThanOrEqual(40);
    const run = (c: (typeof exact)[number]) => ks2samp(f.pairs[c.pair].a, f.pairs[c.pair].b, c.method);
    const p = worst(exact, (c) => relErr(run(c).pValue, c.pValue), label);
    const d = worst(exact, (c) => relErr(run(c).statistic, c.statistic), label);
    expect(p.max, p.at).toBeLessThan(1e-9);
    expect(d.max, d.at).toBeLessThan(1e-12);
  });

  it("asymptotic p-values (kstwo.sf at round(en)) match scipy to 1e-9 relative", () => {
    const asymp = f.ks.filter((c) => c.used === "asymp");
    expect(asymp.length).toBeGreaterThanOrEqual(30);
    const run = (c: (typeof asymp)[number]) => ks2samp(f.pairs[c.pair].a, f.pairs[c.pair].b, c.method);
    const p = worst(asymp, (c) => relErr(run(c).pValue, c.pValue), label);
    const d = worst(asymp, (c) => relErr(run(c).statistic, c.statistic), label);
    expect(p.max, p.at).toBeLessThan(1e-9);
    expect(d.max, d.at).toBeLessThan(1e-12);
  });

  it("n1 = n2 = 1 asymptotic: scipy's effective n rounds to 0 (NaN); we return p = 1 like the exact test", () => {
    expect(ks2samp([0], [1], "asymp")).toEqual({ statistic: 1, pValue: 1, method: "asymp" });
    expect(ks2samp([0], [1], "exact").pValue).toBe(1);
  });

  it("is symmetric and bounded", () => {
    const sample = fc.array(fc.integer({ min: -20, max: 20 }), { minLength: 1, maxLength: 40 });
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        const ab = ks2samp(a, b);
        const ba = ks2samp(b, a);
        expect(ab.statistic).toBe(ba.statistic);
        expect(ab.pValue).toBeCloseTo(ba.pValue, 12);
        for (const r of [ab, ks2samp(a, b, "asymp")]) {
          expect(r.statistic).toBeGreaterThanOrEqual(0);
          expect(r.statistic).toBeLessThanOrEqual(1);
          expect(r.pValue).toBeGreaterThanOrEqual(0);
          expect(r.pValue).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it("throws naming the empty or NaN argument", () => {
    for (const e of errorCases("ks2samp"))
      expect(() => ks2samp(...(e.args as [number[], number[]]))).toThrow(e.argument);
    expect(() => ks2samp([1, Number.NaN], [1])).toThrow(/baseline/);
    expect(() => ks2samp([1], [Number.NaN])).toThrow(/candidate/);
  });
});

describe("ksFromCounts", () => {
  const f = loadDistributionFixture();

  it("matches ks_2samp(asymp) on bin-midpoint samples to 1e-9 relative", () => {
    expect(f.ksFromCounts.length).toBeGreaterThanOrEqual(40);
    const run = (c: (typeof f.ksFromCounts)[number]) => ksFromCounts(c.baseline, c.candidate);
    const p = worst(
      f.ksFromCounts,
      (c) => relErr(run(c).pValue, c.pValue),
      (c) => JSON.stringify(c.baseline).slice(0, 60),
    );
    const d = worst(
      f.ksFromCounts,
      (c) => relErr(run(c).statistic, c.statistic),
      (c) => JSON.stringify(c.baseline).slice(0, 60),
    );
    expect(p.max, p.at).toBeLessThan(1e-9);
    expect(d.max, d.at).toBeLessThan(1e-12);
  });

  it("on pre-binned data equals ks2samp's statistic on the bin-representative values", () => {
    const counts = fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 15 });
    fc.assert(
      fc.property(counts, counts, (base, cand) => {
        const k = Math.min(base.length, cand.length);
        const b = base.slice(0, k);
        const c = cand.slice(0, k);
        fc.pre(b.some((x) => x > 0) && c.some((x) => x > 0));
        const expand = (counts: number[]) => counts.flatMap((n, i) => Array<number>(n).fill(i + 0.5));
        const binned = ksFromCounts(b, c);
        const raw = ks2samp(expand(b), expand(c), "asymp");
        expect(binned.statistic).toBeCloseTo(raw.statistic, 12);
        expect(binned.pValue).toBeCloseTo(raw.pValue, 10);
      }),
    );
  });

  it("throws on empty histograms and mismatched bins", () => {
    for (const e of errorCases("ksFromCounts"))
      expect(() => ksFromCounts(...(e.args as [number[], number[]]))).toThrow(e.argument);
    expect(() => ksFromCounts([1, 2], [1])).toThrow(/bins/);
    expect(() => ksFromCounts([1, Number.NaN], [1, 1])).toThrow(/baseline/);
  });
});

describe("kstwoSf", () => {
  it("matches scipy.stats.kstwo.sf to 1e-10 relative for n = 1 … 10⁶⁺ (every algorithm branch)", () => {
    const cases = loadDistributionFixture().kstwo;
    expect(cases.length).toBeGreaterThanOrEqual(40);
    const w = worst(
      cases,
      (c) => relErr(kstwoSf(c.x, c.n), c.sf),
      (c) => `x=${c.x} n=${c.n}`,
    );
    expect(w.max, w.at).toBeLessThan(1e-10);
  });

  it("closed forms: n = 1 gives P(D ≥ x) = 2(1 − x) for x ≥ ½, and the Ruben–Gambino lower tail", () => {
    expect(kstwoSf(0.75, 1)).toBeCloseTo(0.5, 15);
    // P(D_n ≤ x) = n!/nⁿ (2nx − 1)ⁿ for 1/(2n) ≤ x ≤ 1/n
    const n = 5;
    const x = 0.15;
    expect(1 - kstwoSf(x, n)).toBeCloseTo((120 / 5 ** 5) * (2 * n * x - 1) ** n, 14);
  });
});
