import { describe, expect, it } from "vitest";
import { fairnessGate } from "../../src/gates/fairness.js";
import type { CohortSummary } from "../../src/sketch/cohort-summary.js";
import { lowerByHand, upperByHand } from "./by-hand.js";
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

  it("bounds the parity ratio by its smallest group-pair ratio, each pair ln(s̃_g/s̃_h) by the delta method", () => {
    const { baseline, candidate } = cohorts(2, 5000, { male: fair, female: cut });
    const r = judge(baseline, candidate);
    const groups = (r.metrics as M).groups as Record<string, Record<string, M>>;
    const f = candidate.groups.get("sex")!.get("female")!;
    const mm = candidate.groups.get("sex")!.get("male")!;
    // half-count continuity correction s̃ = (x + ½)/(n + 1); Var ln ŝ = (1 − s̃)/(s̃·n)
    const smoothed = (x: number, n: number) => (x + 0.5) / (n + 1);
    const logVar = (x: number, n: number) => (1 - smoothed(x, n)) / (smoothed(x, n) * n);
    const floorScale = -Math.log(0.8);
    const pair = (g: typeof f, h: typeof f) => ({
      estimate: Math.log(smoothed(g.selected, g.n) / smoothed(h.selected, h.n)),
      se: Math.sqrt(logVar(g.selected, g.n) + logVar(h.selected, h.n)),
    });
    // the ratio's lower bound at alpha over the 2 ordered pairs, its upper bound at the floor
    // claim's share 0.3 of alpha over them; the ratio is the smaller pair ratio, so are its bounds
    const pairs = [pair(f, mm), pair(mm, f)];
    const low = Math.min(
      1,
      ...pairs.map((c) => Math.exp(lowerByHand(c.estimate, c.se, alpha / 2, floorScale))),
    );
    const high = Math.min(
      1,
      ...pairs.map((c) => Math.exp(upperByHand(c.estimate, c.se, (0.3 * alpha) / 2, floorScale))),
    );
    expect(r.interval![0]).toBeCloseTo(low, 12);
    expect(r.interval![1]).toBeCloseTo(high, 12);
    expect(r.interval![1]).toBeLessThan(0.8);
    // the per-group table: the group's own rate, binomial variance of the smoothed rate, at alpha
    const s = smoothed(f.selected, f.n);
    const rateSe = Math.sqrt((s * (1 - s)) / f.n);
    expect(groups.sex.female.selectionRateInterval).toEqual([
      expect.closeTo(lowerByHand(f.selected / f.n, rateSe, alpha, floorScale), 12),
      expect.closeTo(upperByHand(f.selected / f.n, rateSe, alpha, floorScale), 12),
    ]);
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
    expect(r.reason).toMatch(
      /worse than baseline's 0\.\d\d by more than 0\.05, proven at every baseline group pair$/,
    );
    // the drop claim, by hand: for the candidate pair (female, male), ρ_b(u, v) − ρ_c(female, male)
    // with ρ = s̃_g/s̃_h and delta-method variances ρ²·(Var ln s̃_g + Var ln s̃_h), is bounded above the
    // tolerance for both baseline pairs (u, v), at the drop share 0.5 of alpha over 2 candidate pairs,
    // tuned at the fall from parity to the floor (1 − 0.05 − 0.6)
    const smoothed = (g: { selected: number; n: number }) => (g.selected + 0.5) / (g.n + 1);
    const logVar = (g: { selected: number; n: number }) => (1 - smoothed(g)) / (smoothed(g) * g.n);
    const ratio = (g: { selected: number; n: number }, h: { selected: number; n: number }) => {
      const value = smoothed(g) / smoothed(h);
      return { value, variance: value * value * (logVar(g) + logVar(h)) };
    };
    const groupOf = (s: CohortSummary, g: string) => s.groups.get("sex")!.get(g)!;
    const c = ratio(groupOf(candidate, "female"), groupOf(candidate, "male"));
    for (const [u, v] of [
      ["female", "male"],
      ["male", "female"],
    ]) {
      const b = ratio(groupOf(baseline, u), groupOf(baseline, v));
      const low = lowerByHand(b.value - c.value, Math.sqrt(b.variance + c.variance), (0.5 * alpha) / 2, 0.35);
      expect(low).toBeGreaterThan(0.05);
    }
    // and the floor is not what failed it: the candidate's ratio is not proven below 0.6
    expect(r.interval![1]).toBeGreaterThan(0.6);
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
      /^fairness sex: fewer than 2 groups have 30 decisions yet; not judged .*sex=female \(17 decisions\), sex=male \(20 decisions\)/,
    );
    const r3 = judge(newSummary(), newSummary());
    expect(r3.verdict).toBe("inconclusive");
    expect(r3.reason).toBe("no protected-attribute groups recorded in either cohort");
    expect(nonFinite([r, r2, r3])).toEqual([]);
  });

  it("has nothing to judge when neither cohort records any protected attribute; a named attribute that is missing blocks", () => {
    const baseline = newSummary();
    const candidate = newSummary();
    baseline.events = 5000;
    candidate.events = 600;
    const none = judge(baseline, candidate);
    expect(none).toMatchObject({
      verdict: "inconclusive",
      judged: false,
      reason: "no protected-attribute groups recorded in either cohort",
    });
    // before both cohorts have events it is only too early to say: a blocking inconclusive
    const early = judge(baseline, newSummary());
    expect(early.verdict).toBe("inconclusive");
    expect(early.judged).toBeUndefined();
    // the request named the attribute, so its absence is not "nothing to judge"
    const named = judge(baseline, candidate, { attributes: "sex" });
    expect(named.verdict).toBe("inconclusive");
    expect(named.judged).toBeUndefined();
    expect(named.reason).toBe("fairness sex: fewer than 2 groups have 30 decisions yet");
    expect(nonFinite([none, early, named])).toEqual([]);
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
    // ~12 s alone, twice that beside other test files on two cores
  }, 60_000);
});
