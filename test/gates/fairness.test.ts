import { describe, expect, it } from "vitest";
import { fairnessGate } from "../../src/gates/fairness.js";
import type { CohortSummary } from "../../src/sketch/cohort-summary.js";
import {
  addGroup,
  configErrorField,
  falseFailLimit,
  mulberry32,
  newSummary,
  nonFinite,
} from "./synthetic.js";

const alpha = 0.05;
type M = Record<string, unknown>;
/** Rates giving selection rate 0.3·tpr + 0.7·fpr = 0.38 at prevalence 0.3. */
const fair = { tpr: 0.8, fpr: 0.2 };
/** Both rates × 0.6: selection rate 0.228, parity ratio 0.6 against `fair`. */
const cut = { tpr: 0.48, fpr: 0.12 };

const judge = (baseline: CohortSummary, candidate: CohortSummary, raw: Record<string, unknown> = {}) =>
  fairnessGate.evaluate({ baseline, candidate, config: fairnessGate.parseConfig(raw), alpha });

function cohorts(
  seed: number,
  n: number,
  candidateRates: Record<string, { tpr: number; fpr: number }>,
  baselineRates: Record<string, { tpr: number; fpr: number }> = { male: fair, female: fair },
) {
  const random = mulberry32(seed);
  const baseline = newSummary();
  const candidate = newSummary();
  for (const [g, r] of Object.entries(baselineRates)) addGroup(baseline, random, "sex", g, n, r);
  for (const [g, r] of Object.entries(candidateRates)) addGroup(candidate, random, "sex", g, n, r);
  return { baseline, candidate };
}

describe("fairness gate", () => {
  it("parses config from strings, defaults, and names a bad field", () => {
    expect(fairnessGate.parseConfig({})).toEqual({
      minParityRatio: 0.8,
      maxParityDrop: 0.05,
      maxEqualizedOddsDifference: 0.1,
      minGroupSize: 30,
      attributes: "all",
      certifyEqualizedOdds: false,
      tuningN: 5000,
    });
    expect(
      fairnessGate.parseConfig({
        minParityRatio: "0.9",
        attributes: "sex,age",
        certifyEqualizedOdds: "true",
      }),
    ).toMatchObject({
      minParityRatio: 0.9,
      attributes: ["sex", "age"],
      certifyEqualizedOdds: true,
    });
    expect(configErrorField(() => fairnessGate.parseConfig({ minParityRatio: "1.5" }))).toBe(
      "minParityRatio",
    );
    expect(configErrorField(() => fairnessGate.parseConfig({ minGroupSize: "ten" }))).toBe("minGroupSize");
    expect(configErrorField(() => fairnessGate.parseConfig({ certifyEqualizedOdds: "maybe" }))).toBe(
      "certifyEqualizedOdds",
    );
  });

  it("fails a parity ratio of 0.6, naming the attribute and the group", () => {
    const { baseline, candidate } = cohorts(1, 5000, { male: fair, female: cut });
    const r = judge(baseline, candidate);
    expect(r.verdict).toBe("fail");
    expect(r.metric).toBe("parity_ratio");
    expect(r.value!).toBeGreaterThan(0.55);
    expect(r.value!).toBeLessThan(0.7);
    expect(r.interval![1]).toBeLessThan(0.8);
    expect(r.reason).toMatch(
      /^candidate parity ratio for sex 0\.\d\d \(sex=female selected at 0\.2\d\d vs sex=male/,
    );
    expect(r.reason).toMatch(/below the floor 0\.80/);
    const m = r.metrics as M;
    expect(m.candidateParityRatio).toBe(r.value);
    expect(m.baselineParityRatio as number).toBeGreaterThan(0.9);
    // per-group rates for both cohorts, equal to the counts' ratios
    const female = (m.groups as Record<string, Record<string, M>>).sex.female;
    const counts = candidate.groups.get("sex")!.get("female")!;
    expect((female.candidate as M).selectionRate).toBe(counts.selected / counts.n);
    expect((female.candidate as M).tpr).toBe(counts.tp / (counts.tp + counts.fn));
    expect((female.baseline as M).n).toBe(5000);
    expect(female.judged).toBe(true);
    expect(nonFinite(r)).toEqual([]);
  });

  it("computes the ratio interval from per-group asymptotic confidence sequences at alpha/(4·groups)", () => {
    const { baseline, candidate } = cohorts(2, 5000, { male: fair, female: cut });
    const r = judge(baseline, candidate);
    const groups = (r.metrics as M).groups as Record<string, Record<string, M>>;
    // Independent evaluation of the one-arm half-width (Waudby-Smith et al., GrowthBook form), N* = 5000
    const a = alpha / 8;
    const rho2 = (-2 * Math.log(a) + Math.log(1 - 2 * Math.log(a))) / 5000;
    const interval = (x: number, n: number): [number, number] => {
      const p = (x + 1) / (n + 2);
      const half = Math.sqrt(
        p * (1 - p) * ((2 * (n * rho2 + 1)) / (n * n * rho2)) * Math.log(Math.sqrt(n * rho2 + 1) / a),
      );
      return [Math.max(0, x / n - half), Math.min(1, x / n + half)];
    };
    const f = candidate.groups.get("sex")!.get("female")!;
    const mm = candidate.groups.get("sex")!.get("male")!;
    const [fl, fh] = interval(f.selected, f.n);
    const [ml, mh] = interval(mm.selected, mm.n);
    expect(groups.sex.female.selectionRateInterval).toEqual([fl, fh]);
    expect(r.interval![0]).toBeCloseTo(fl / mh, 12);
    expect(r.interval![1]).toBeCloseTo(fh / ml, 12);
  });

  it("passes an equal candidate", () => {
    const { baseline, candidate } = cohorts(3, 8000, { male: fair, female: fair });
    const r = judge(baseline, candidate);
    expect(r.verdict).toBe("pass");
    expect(r.interval![0]).toBeGreaterThanOrEqual(0.8);
    expect((r.metrics as M).candidateEqualizedOddsDifference as number).toBeLessThan(0.05);
    expect(nonFinite(r)).toEqual([]);
  });

  it("fails a parity ratio above the floor but worse than baseline's by more than the margin", () => {
    // candidate female selection rate 0.285 = 0.75 × 0.38, baseline equal; floor lowered to 0.6
    const { baseline, candidate } = cohorts(4, 30_000, { male: fair, female: { tpr: 0.6, fpr: 0.15 } });
    const r = judge(baseline, candidate, { minParityRatio: "0.6" });
    expect(r.verdict).toBe("fail");
    expect(r.value!).toBeGreaterThan(0.6);
    expect(r.reason).toMatch(/worse than baseline's 0\.\d\d .* by more than 0\.05/);
    const attrs = (r.metrics as M).attributes as Record<string, Record<string, [number, number]>>;
    expect(attrs.sex.candidateParityRatioInterval[1] - attrs.sex.baselineParityRatioInterval[0]).toBeLessThan(
      -0.05,
    );
  });

  it("fails an equalized odds difference beyond the ceiling, naming the gap", () => {
    // same selection rate 0.38 in both groups, but TPR 0.5 vs 0.8 for females
    const { baseline, candidate } = cohorts(5, 10_000, { male: fair, female: { tpr: 0.5, fpr: 0.23 / 0.7 } });
    const r = judge(baseline, candidate);
    expect(r.verdict).toBe("fail");
    expect(r.value!).toBeGreaterThan(0.9);
    expect(r.reason).toMatch(
      /equalized odds difference for sex 0\.3\d\d \(TPR gap 0\.3\d\d between sex=male and sex=female/,
    );
    expect((r.metrics as M).candidateEqualizedOddsDifference as number).toBeGreaterThan(0.25);
  });

  it("reports small groups without judging them, and is inconclusive when no group is big enough", () => {
    const random = mulberry32(6);
    const baseline = newSummary();
    const candidate = newSummary();
    for (const s of [baseline, candidate]) {
      addGroup(s, random, "sex", "male", 3000, fair);
      addGroup(s, random, "sex", "female", 3000, fair);
    }
    addGroup(candidate, random, "sex", "other", 12, { tpr: 0, fpr: 0 });
    const r = judge(baseline, candidate);
    expect(r.verdict).not.toBe("fail");
    expect(r.reason).toMatch(/not judged \(fewer than 30 decisions\): sex=other \(12 decisions\)/);
    const groups = (r.metrics as M).groups as Record<string, Record<string, M>>;
    expect(groups.sex.other.judged).toBe(false);
    expect((groups.sex.other.candidate as M).selectionRate).toBe(0);

    const tiny = newSummary();
    addGroup(tiny, random, "sex", "male", 20, fair);
    addGroup(tiny, random, "sex", "female", 17, fair);
    const r2 = judge(baseline, tiny);
    expect(r2.verdict).toBe("inconclusive");
    expect(r2.reason).toMatch(
      /^fairness sex: no group has 30 decisions yet; not judged .*sex=female \(17 decisions\), sex=male \(20 decisions\)/,
    );
    const r3 = judge(newSummary(), newSummary());
    expect(r3.verdict).toBe("inconclusive");
    expect(r3.reason).toBe("no protected-attribute groups recorded in either cohort");
    expect(nonFinite([r, r2, r3])).toEqual([]);
  });

  it("judges each attribute and reports the worst", () => {
    const random = mulberry32(7);
    const baseline = newSummary();
    const candidate = newSummary();
    for (const s of [baseline, candidate]) {
      addGroup(s, random, "sex", "male", 5000, fair);
      addGroup(s, random, "sex", "female", 5000, fair);
      addGroup(s, random, "age", "young", 5000, fair);
    }
    addGroup(baseline, random, "age", "old", 5000, fair);
    addGroup(candidate, random, "age", "old", 5000, cut);
    const r = judge(baseline, candidate);
    expect(r.verdict).toBe("fail");
    expect(r.reason).toMatch(/^candidate parity ratio for age .*age=old selected/);
    const attrs = (r.metrics as M).attributes as Record<string, M>;
    expect(attrs.sex.verdict).toBe("pass");
    expect(attrs.age.verdict).toBe("fail");
    const onlySex = judge(baseline, candidate, { attributes: "sex" });
    expect(onlySex.verdict).toBe("pass");
  });

  it("A/A over 200 runs × 10 looks: false-fail fraction ≤ alpha + slack; parity 0.6 is caught", () => {
    const runs = 200;
    const looks = 10;
    const perLook = 300;
    const simulate = (female: { tpr: number; fpr: number }, seed: number) => {
      const random = mulberry32(seed);
      const config = fairnessGate.parseConfig({});
      let everFailed = 0;
      for (let run = 0; run < runs; run++) {
        const baseline = newSummary();
        const candidate = newSummary();
        for (let look = 0; look < looks; look++) {
          for (const [g, rates] of [
            ["a", fair],
            ["b", fair],
            ["c", { tpr: 0.7, fpr: 0.25 }],
          ] as const) {
            addGroup(baseline, random, "group", g, perLook, rates);
            addGroup(candidate, random, "group", g, perLook, g === "b" ? female : rates);
          }
          addGroup(baseline, random, "region", "north", perLook, fair);
          addGroup(baseline, random, "region", "south", perLook / 10, fair);
          addGroup(candidate, random, "region", "north", perLook, fair);
          addGroup(candidate, random, "region", "south", perLook / 10, fair);
          const r = fairnessGate.evaluate({ baseline, candidate, config, alpha });
          if (nonFinite(r).length > 0) throw new Error(`non-finite in ${JSON.stringify(r)}`);
          if (r.verdict === "fail") {
            everFailed++;
            break;
          }
        }
      }
      return everFailed / runs;
    };
    const falseFail = simulate(fair, 11);
    expect(falseFail).toBeLessThanOrEqual(falseFailLimit(alpha, runs));
    const power = simulate(cut, 12);
    expect(power).toBeGreaterThan(0.8);
    console.info(
      `fairness A/A: false-fail ${falseFail} over ${runs} runs × ${looks} looks; power at parity 0.6: ${power}`,
    );
  });
});
