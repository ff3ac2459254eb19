import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { PredictionEvent } from "../../src/ingest/event.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { pairedTraffic } from "../shadow/traffic.js";
import { cli, cliProcess } from "./cli-io.js";
import { tempDir, writeFile } from "./predictions-fixture.js";

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** NDJSON as a scoring service logs it: model and version are the CLI's, not the rows'. */
const ndjson = (events: PredictionEvent[]) =>
  `${events.map(({ model: _m, version: _v, ...row }) => JSON.stringify(row)).join("\n")}\n`;

/** CSV with the columns of predictions-file.ts (id, score, decision, label, latencyMs, ts, group.region). */
const csv = (events: PredictionEvent[]) =>
  `id,score,decision,label,latencyMs,ts,group.region\n${events
    .map((e) => [e.id, e.score, e.decision, e.label, e.latencyMs, e.ts, e.groups?.region].join(","))
    .join("\n")}\n`;

// 3,000 requests (1,000 per region) answered by both models, labels attached
const same = pairedTraffic({ n: 3000, seed: 11, labels: true });
const flipped = pairedTraffic({ n: 3000, seed: 11, labels: true, flipRegion: "south", flipRate: 0.05 });
const files = {
  champion: writeFile(dir, "champion.ndjson", ndjson(same.baseline)),
  // the challenger's rows in reverse order: pairing is by id, not by line
  identical: writeFile(dir, "identical.csv", csv([...same.candidate].reverse())),
  // the flip draws shift the seeded stream, so the flipped traffic has its own champion file
  flippedChampion: writeFile(dir, "flipped-champion.ndjson", ndjson(flipped.baseline)),
  flipping: writeFile(dir, "flipping.ndjson", ndjson(flipped.candidate)),
};

describe("modelgate judge --mode shadow (offline paired judgement)", () => {
  it("passes a challenger giving the same answers: exit 0, every pair agreeing", async () => {
    const r = await cli([
      "judge",
      "--mode",
      "shadow",
      "--champion",
      files.champion,
      "--challenger",
      files.identical,
      "--json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as JudgeResponse;
    expect(out.judgement.mode).toBe("shadow");
    expect(out.summary.verdict).toBe("pass");
    expect(Object.keys(out.gates)).toEqual([
      "agreement",
      "fairness",
      "scores",
      "latency",
      "accuracy",
      "auc",
      "errors",
    ]);
    for (const g of Object.values(out.gates)) expect(g.verdict).toBe("pass");
    expect(out.gates.agreement.n).toEqual({ baseline: 3000, candidate: 3000 });
    expect(out.gates.agreement.value).toBe(0);
    expect(out.gates.agreement.metrics.pendingCandidate).toBe(0);
  });

  it("fails a challenger flipping decisions in one region: exit 1, fairness names the region", async () => {
    const r = await cli([
      "judge",
      "--mode",
      "shadow",
      "--baseline",
      files.flippedChampion,
      "--candidate",
      files.flipping,
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^verdict: FAIL/);
    expect(r.stdout).toMatch(/^fairness +fail +/m);
    expect(r.stdout).toMatch(/^ {2}fairness: group region=south/m);
    expect(r.stdout).toContain("paired: 3000 requests (rows without a partner: 0 baseline, 0 candidate)");

    const json = JSON.parse(
      (
        await cli([
          "judge",
          "--mode",
          "shadow",
          "--baseline",
          files.flippedChampion,
          "--candidate",
          files.flipping,
          "--json",
        ])
      ).stdout,
    ) as JudgeResponse;
    // the flips the gate counted are the ones in the files, all in the south
    const flips = flipped.candidate.filter((c, i) => c.decision !== flipped.baseline[i].decision);
    expect(flips.length).toBeGreaterThan(0);
    expect(flips.every((c) => c.groups?.region === "south")).toBe(true);
    const m = json.gates.agreement.metrics;
    expect((m.flipsUp as number) + (m.flipsDown as number)).toBe(flips.length);
    expect(json.gates.agreement.value).toBeCloseTo(flips.length / 3000, 12);
    expect(json.summary.verdict).toBe("fail");
  });

  it("counts rows whose id is not in the other file without judging them", async () => {
    const extra = writeFile(
      dir,
      "extra.ndjson",
      ndjson([...same.candidate, { ...same.candidate[0], id: "only-here" }]),
    );
    const r = await cli([
      "judge",
      "--mode",
      "shadow",
      "--baseline",
      files.champion,
      "--candidate",
      extra,
      "--gates",
      "agreement",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("paired: 3000 requests (rows without a partner: 0 baseline, 1 candidate)");
  });

  it("a row without an id: exit 2 naming the file and line", async () => {
    const rows = ndjson(same.candidate.slice(0, 5)).split("\n");
    rows[3] = JSON.stringify({ score: 0.4, decision: 0 });
    const file = writeFile(dir, "no-id.ndjson", rows.join("\n"));
    const r = await cli(["judge", "--mode", "shadow", "--baseline", files.champion, "--candidate", file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `modelgate judge: ${file}:4: id: required with --mode shadow (the two files are paired by request id)\n`,
    );
    // the same file is fine in canary mode, where rows need no id
    const canary = await cli([
      "judge",
      "--baseline",
      files.champion,
      "--candidate",
      file,
      "--gates",
      "latency",
    ]);
    expect(canary.stderr).toBe("");
  });

  it("a CSV row with an empty id cell and a repeated id: exit 2 with file:line", async () => {
    const noId = writeFile(dir, "no-id.csv", "id,score\nr1,0.2\n,0.3\n");
    const r = await cli(["judge", "--mode", "shadow", "--baseline", noId, "--candidate", files.identical]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${noId}:3: id: required with --mode shadow`);
    const twice = writeFile(dir, "twice.csv", "id,score\nr1,0.2\nr2,0.3\nr1,0.4\n");
    const d = await cli(["judge", "--mode", "shadow", "--baseline", files.champion, "--candidate", twice]);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain(`${twice}:4: id: "r1" repeats line 2 of this file`);
  });

  it("rejects an unknown mode and a canary-only gate in shadow mode", async () => {
    const mode = await cli([
      "judge",
      "--mode",
      "mirror",
      "--baseline",
      files.champion,
      "--candidate",
      files.identical,
    ]);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toContain('--mode must be canary or shadow, got "mirror"');
    const gate = await cli([
      "judge",
      "--mode",
      "shadow",
      "--baseline",
      files.champion,
      "--candidate",
      files.identical,
      "--gates",
      "drift",
    ]);
    expect(gate.code).toBe(2);
    expect(gate.stderr).toContain('unknown gate "drift"');
  });

  it("exits with the verdict's code as a real process, and --help shows a shadow example", () => {
    expect(
      cliProcess([
        "judge",
        "--mode",
        "shadow",
        "--baseline",
        files.flippedChampion,
        "--candidate",
        files.flipping,
      ]).code,
    ).toBe(1);
    const help = cliProcess(["judge", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/modelgate judge --mode shadow --champion \S+ --challenger \S+/);
  });
});
