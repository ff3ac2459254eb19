import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { generateTraffic, type TrafficEvent, type TrafficOptions } from "../../examples/generate-events.js";
import { parseEvent } from "../../src/ingest/event.js";

// The examples a release engineer copies from docs/quickstart.md, run for real so that they never
// rot: the scripts start the real server (127.0.0.1 only, a free port) and the real CLI.

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "modelgate-examples-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOW = Date.parse("2026-11-25T12:00:00Z");
const options = (o: Partial<TrafficOptions> = {}): TrafficOptions => ({
  scenario: "good",
  model: "fraud",
  baselineVersion: "v1",
  candidateVersion: "v2",
  baselineEvents: 30_000,
  candidateEvents: 30_000,
  seed: 1,
  now: NOW,
  minutes: 5,
  ...o,
});
// generated once per option set: several checks read the same 30 000-event arms
const arms = new Map<string, TrafficEvent[]>();
const arm = (o: Partial<TrafficOptions>, only: "baseline" | "candidate"): TrafficEvent[] => {
  const key = JSON.stringify({ ...o, only });
  if (!arms.has(key)) arms.set(key, [...generateTraffic(options({ ...o, only }))]);
  return arms.get(key)!;
};

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Mann–Whitney AUC with ties counted ½ (sklearn's roc_auc_score), from the raw scores. */
function auc(events: TrafficEvent[]): number {
  const scored = events.filter((e) => e.score !== undefined).sort((a, b) => a.score! - b.score!);
  let rankSumPositive = 0;
  let positives = 0;
  for (let i = 0; i < scored.length; ) {
    let j = i;
    while (j < scored.length && scored[j].score === scored[i].score) j++;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (scored[k].label === 1) {
        rankSumPositive += midRank;
        positives++;
      }
    }
    i = j;
  }
  const negatives = scored.length - positives;
  return (rankSumPositive - (positives * (positives + 1)) / 2) / (positives * negatives);
}

const selectionRate = (events: TrafficEvent[], region: string) => {
  const inRegion = events.filter((e) => e.groups.region === region && e.decision !== undefined);
  return inRegion.filter((e) => e.decision === 1).length / inRegion.length;
};

interface Run {
  code: number | null;
  out: string;
}

/** Run an example script with bash, bounded by a timeout (SIGTERM lets its trap stop the server). */
function runScript(script: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [join(ROOT, "examples", script), ...args], {
      cwd: dir,
      env: { ...process.env, TMPDIR: dir, PORT: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 150_000,
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, out }));
  });
}

describe("examples/generate-events.ts", () => {
  it("writes events the ingestion parser accepts, within the last minutes, with every documented field", () => {
    const events = [...generateTraffic(options({ baselineEvents: 2000, candidateEvents: 1000 }))];
    expect(events.filter((e) => e.version === "v1")).toHaveLength(2000);
    expect(events.filter((e) => e.version === "v2")).toHaveLength(1000);
    for (const e of events) {
      const parsed = parseEvent(JSON.parse(JSON.stringify(e)), NOW);
      expect(parsed.ok, JSON.stringify(e)).toBe(true);
      const ts = Date.parse(e.ts);
      expect(ts).toBeGreaterThanOrEqual(NOW - 5 * 60_000);
      expect(ts).toBeLessThan(NOW);
    }
    const scored = events.find((e) => !e.error)!;
    expect(Object.keys(scored).sort()).toEqual(
      [
        "decision",
        "error",
        "features",
        "groups",
        "id",
        "label",
        "latencyMs",
        "model",
        "score",
        "ts",
        "version",
      ].sort(),
    );
    expect(events.some((e) => e.error && e.score === undefined)).toBe(true);
  });

  it("is deterministic, and its baseline does not depend on the scenario", () => {
    const small = (o: Partial<TrafficOptions>) =>
      [...generateTraffic(options({ baselineEvents: 500, candidateEvents: 500, ...o }))].map((e) =>
        JSON.stringify(e),
      );
    expect(small({ scenario: "slow" })).toEqual(small({ scenario: "slow" }));
    const baselineOf = (lines: string[]) => lines.slice(0, 500);
    expect(baselineOf(small({ scenario: "unfair", candidateEvents: 100 }))).toEqual(
      baselineOf(small({ scenario: "good" })),
    );
    expect(small({ scenario: "unfair" }).slice(500)).not.toEqual(small({ scenario: "good" }).slice(500));
    expect(small({ seed: 2 })).not.toEqual(small({ seed: 1 }));
  });

  it("injects each regression as documented, measured on the raw events", () => {
    const baseline = arm({}, "baseline");
    const latencies = (events: TrafficEvent[]) => events.map((e) => e.latencyMs);
    const p95Ratio =
      quantile(latencies(arm({ scenario: "slow" }, "candidate")), 0.95) / quantile(latencies(baseline), 0.95);
    expect(p95Ratio).toBeCloseTo(1.5, 1);
    expect(auc(baseline)).toBeCloseTo(0.9, 1);
    expect(auc(arm({ scenario: "worse-auc" }, "candidate"))).toBeCloseTo(0.76, 1);
    // same score distribution for worse-auc: its median score equals the baseline's within noise
    const medianScore = (events: TrafficEvent[]) =>
      quantile(
        events.filter((e) => e.score !== undefined).map((e) => e.score!),
        0.5,
      );
    expect(
      Math.abs(medianScore(arm({ scenario: "worse-auc" }, "candidate")) - medianScore(baseline)),
    ).toBeLessThan(0.01);
    expect(medianScore(arm({ scenario: "shifted-scores" }, "candidate"))).toBeGreaterThan(
      medianScore(baseline) + 0.1,
    );
    const unfair = arm({ scenario: "unfair" }, "candidate");
    expect(selectionRate(unfair, "apac")).toBeLessThan(0.08);
    expect(selectionRate(unfair, "eu")).toBeGreaterThan(0.2);
    const errorRate = (events: TrafficEvent[]) => events.filter((e) => e.error).length / events.length;
    expect(errorRate(arm({ scenario: "errors" }, "candidate"))).toBeCloseTo(0.03, 2);
    expect(errorRate(baseline)).toBeLessThan(0.005);
  });

  it("rejects bad options with an error naming them", () => {
    expect(() => arm({ baselineEvents: -1 }, "baseline")).toThrow(/baseline events/);
    expect(() => arm({ scenario: "bogus" as TrafficOptions["scenario"] }, "baseline")).toThrow(/scenario/);
    expect(() => arm({ seed: Number.NaN }, "baseline")).toThrow(/seed/);
  });
});

describe("examples/quickstart.sh", () => {
  it("serves, ingests, passes the good candidate, fails the slow one with its reason, and stops the server", {
    timeout: 180_000,
  }, async () => {
    const r = await runScript("quickstart.sh", []);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/ready at http:\/\/127\.0\.0\.1:\d+ \(\{"status":"ready"\}\)/);
    expect(r.out.match(/: accepted 30000, rejected 0/g)).toHaveLength(3);
    const [good, bad] = r.out.split('"candidate":"v3"');
    expect(good).toContain('"candidate":"v2"');
    expect(good).toMatch(/verdict: PASS {2}\(score 100, judgement j-[0-9a-f]+\)/);
    expect(bad).toMatch(/verdict: FAIL {2}\(score 80, judgement j-[0-9a-f]+\)/);
    // the decisive reason; its ratio agrees with the raw events' p95 ratio (the sketch is ~1% accurate)
    const m =
      /reason: {2}latency: candidate p95 ([\d.]+) ms is ([\d.]+)x baseline's ([\d.]+) ms \(limit 1\.20x/.exec(
        bad,
      );
    expect(m, bad).not.toBeNull();
    const latencies = (o: Partial<TrafficOptions>, which: "baseline" | "candidate") =>
      arm(o, which).map((e) => e.latencyMs);
    const baselineP95 = quantile(latencies({}, "baseline"), 0.95);
    const candidateP95 = quantile(latencies({ scenario: "slow", candidateVersion: "v3" }, "candidate"), 0.95);
    expect(Math.abs(Number(m![3]) / baselineP95 - 1)).toBeLessThan(0.02);
    expect(Math.abs(Number(m![1]) / candidateP95 - 1)).toBeLessThan(0.02);
    expect(Number(m![2])).toBeCloseTo(candidateP95 / baselineP95, 1);
    expect(bad).toMatch(/latency +fail +p95_ratio = 1\.\d+/);
    expect(r.out).toContain("==> OK: the good candidate is pass, the bad one (slow) failed");
    expect(r.out).toMatch(
      /report pages: http:\/\/127\.0\.0\.1:\d+\/ui {2}\(this judgement: .*\/ui\/judgements\/j-/,
    );
    // the trap stopped the server and removed the data directory
    const pid = Number(/stopping the server \(pid (\d+)\)/.exec(r.out)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
    const data = /data in (\S+)\)/.exec(r.out)![1];
    expect(existsSync(data)).toBe(false);
  });

  it("refuses an unknown scenario before starting anything", async () => {
    const r = await runScript("quickstart.sh", ["--bad", "good"]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("--bad must be shifted-scores, slow, worse-auc, unfair or errors");
    expect(r.out).not.toContain("starting modelgate serve");
  });
});

describe("examples/ci-gate.sh", () => {
  it("promotes the good candidate (exit 0) and writes a self-contained HTML report", {
    timeout: 120_000,
  }, async () => {
    const r = await runScript("ci-gate.sh", ["--demo", "good", "--report", "good.html"]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("verdict: PASS (score 100)");
    expect(r.out).toContain("==> PROMOTE: every gate passed (report: good.html)");
    const html = readFileSync(join(dir, "good.html"), "utf8");
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).not.toMatch(/<script/i);
  });

  it("rejects the weaker candidate (exit 1) on the AUC gate, with the AUCs of the raw events", {
    timeout: 120_000,
  }, async () => {
    const r = await runScript("ci-gate.sh", ["--demo", "worse-auc", "--report", "worse.html"]);
    expect(r.code, r.out).toBe(1);
    const m =
      /decisive: auc: candidate AUC ([\d.]+) vs baseline ([\d.]+) \([-\d.]+, anytime-valid interval ([-\d.]+) to ([-+\d.]+)\): worse than baseline by more than the margin 0\.020/.exec(
        r.out,
      );
    expect(m, r.out).not.toBeNull();
    // binned AUC vs sklearn-style AUC of the same events: within the binning bound (≈ 0.003 per arm)
    expect(Number(m![1])).toBeCloseTo(auc(arm({ scenario: "worse-auc" }, "candidate")), 2);
    expect(Number(m![2])).toBeCloseTo(auc(arm({}, "baseline")), 2);
    expect(Number(m![4])).toBeLessThan(-0.02);
    expect(r.out).toContain("==> REJECT: the candidate failed a gate");
    expect(existsSync(join(dir, "worse.html"))).toBe(true);
  });

  it("says 'not decided' with exit 2 when inconclusive, and when a file is missing", async () => {
    const r = await runScript("ci-gate.sh", ["--demo", "good", "--report", "small.html"], { EVENTS: "300" });
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain("verdict: INCONCLUSIVE");
    expect(r.out).toContain("==> NOT DECIDED: inconclusive, the reasons above say what is missing");
    const missing = await runScript("ci-gate.sh", [
      "--baseline",
      "nope.ndjson",
      "--candidate",
      "nope.ndjson",
    ]);
    expect(missing.code).toBe(2);
    expect(missing.out).toContain("modelgate judge: nope.ndjson: no such file");
    expect(missing.out).toContain("==> NOT DECIDED: modelgate judge could not run (exit 2)");
  });
});
