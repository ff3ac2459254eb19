import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { startTestServer } from "../ui/server-harness.js";
import { cli, cliProcess } from "./cli-io.js";
import { makeRows, type Row, tempDir, toCsv, toNdjson, writeFile } from "./predictions-fixture.js";

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const champion = makeRows({ n: 3000, seed: 1 });
const challengerWorse = makeRows({ n: 3000, seed: 2, latencyMs: 80, errorRate: 0.05, groupBShift: -1.5 });
const challengerSame = makeRows({ n: 3000, seed: 3 });
const files = {
  champion: writeFile(dir, "champion.csv", toCsv(champion)),
  worse: writeFile(dir, "worse.csv", toCsv(challengerWorse)),
  same: writeFile(dir, "same.ndjson", toNdjson(challengerSame)),
  small: writeFile(dir, "small.csv", toCsv(makeRows({ n: 40, seed: 4 }))),
};

describe("modelgate judge (offline)", () => {
  it("fails a worse challenger: exit 1, table naming the failing gates", async () => {
    const r = await cli(["judge", "--champion", files.champion, "--challenger", files.worse]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^verdict: FAIL/);
    expect(r.stdout).toMatch(/^latency +fail +p95_ratio/m);
    expect(r.stdout).toMatch(/^errors +fail +error_rate_increase/m);
    // the error counts in the reason are the files' own
    const errors = (rows: Row[]) => rows.filter((x) => x.error).length;
    expect(r.stdout).toContain(`(${errors(challengerWorse)}/3000) vs baseline`);
  });

  it("passes an equivalent challenger on the gates that can decide: exit 0 (NDJSON vs CSV)", async () => {
    const r = await cli([
      "judge",
      "--baseline",
      files.champion,
      "--candidate",
      files.same,
      "--gates",
      "drift,latency",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as JudgeResponse;
    expect(out.summary.verdict).toBe("pass");
    expect(Object.keys(out.gates)).toEqual(["drift", "latency"]);
    expect(out.gates.latency.n).toEqual({ baseline: 3000, candidate: 3000 });
  });

  it("is inconclusive on too little data: exit 2", async () => {
    const r = await cli(["judge", "--baseline", files.small, "--candidate", files.small]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^verdict: INCONCLUSIVE/);
  });

  it("applies gate settings (--set) and alpha like the service", async () => {
    const r = await cli([
      "judge",
      "--baseline",
      files.champion,
      "--candidate",
      files.worse,
      "--gates",
      "latency",
      "--set",
      "latency.maxRatio=3",
      "--alpha",
      "0.01",
      "--json",
    ]);
    const out = JSON.parse(r.stdout) as JudgeResponse;
    expect(out.gates.latency.threshold).toBe(3);
    expect(out.judgement.alpha).toBe(0.01);
    expect(out.summary.verdict).toBe("pass");
    expect(r.code).toBe(0);
  });

  it("gives the same gate results as the service on the same events", async () => {
    const start = Date.now() - 3_600_000;
    const baseline = makeRows({ n: 2000, seed: 21, startTs: start, stepMs: 1000 });
    const candidate = makeRows({
      n: 2000,
      seed: 22,
      startTs: start + 300,
      stepMs: 1000,
      latencyMs: 60,
      errorRate: 0.03,
    });
    const bFile = writeFile(dir, "timed-baseline.ndjson", toNdjson(baseline));
    const cFile = writeFile(dir, "timed-candidate.ndjson", toNdjson(candidate));
    const offline = await cli([
      "judge",
      "--model",
      "ranker",
      "--baseline",
      bFile,
      "--candidate",
      cFile,
      "--json",
    ]);
    const fromCli = JSON.parse(offline.stdout) as JudgeResponse;

    await using env = await startTestServer();
    const lines = [
      ...baseline.map((r) => ({ r, version: "baseline" })),
      ...candidate.map((r) => ({ r, version: "candidate" })),
    ].map(({ r, version }) =>
      JSON.stringify({
        model: "ranker",
        version,
        ts: r.ts,
        score: r.score,
        label: r.label,
        latencyMs: r.latencyMs,
        error: r.error,
        groups: { sex: r.group },
      }),
    );
    const ingest = await fetch(`${env.server.url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: lines.join("\n"),
    });
    expect(ingest.status).toBe(202);
    const [since, until] = fromCli.judgement.window.split("/");
    const served = await fetch(`${env.server.url}/v1/judge`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "ranker", baseline: "baseline", candidate: "candidate", since, until }),
    });
    const fromService = (await served.json()) as JudgeResponse;
    expect(fromService.judgement.window).toBe(fromCli.judgement.window);
    expect(fromService.gates).toEqual(fromCli.gates);
    expect(fromService.summary).toEqual(fromCli.summary);
  });

  it("writes a standalone HTML report with the plots and no script", async () => {
    const report = join(dir, "report.html");
    const r = await cli([
      "judge",
      "--baseline",
      files.champion,
      "--candidate",
      files.worse,
      "--report",
      report,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`report: ${report}`);
    const text = readFileSync(report, "utf8");
    for (const plot of ["scores", "latency", "roc", "fairness", "errors"])
      expect(text).toContain(`data-plot="${plot}"`);
    expect(text).not.toMatch(/<script|src="http|href="http/);
  });

  it("exits with the verdict's code as a real process", () => {
    expect(cliProcess(["judge", "--champion", files.champion, "--challenger", files.worse]).code).toBe(1);
    expect(
      cliProcess(["judge", "--champion", files.champion, "--challenger", files.same, "--gates", "latency"])
        .code,
    ).toBe(0);
    const usage = cliProcess(["judge", "--champion", files.champion]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--candidate (or --challenger) are required");
  });
});

describe("modelgate judge: bad input names the file and line", () => {
  const bad = (name: string, text: string) => writeFile(dir, name, text);
  const cases: Array<[string, string, string]> = [
    [
      "bad-score.csv",
      "score,label\n0.1,1\n0.2,0\nhigh,1\n",
      "bad-score.csv:4: score: must be a finite number",
    ],
    ["bad-label.csv", "score,label\n0.1,1\n0.2,2\n", "bad-label.csv:3: label: must be 0, 1, true or false"],
    ["bad-cells.csv", "score,label\n0.1,1\n0.2\n", "bad-cells.csv:3: 1 cells where the header has 2"],
    ["bad-quote.csv", 'score,group.g\n0.1,"open\n', "bad-quote.csv:2: unterminated quoted cell"],
    ["bad-header.csv", "score,lable\n0.1,1\n", 'bad-header.csv:1: unknown column "lable"'],
    ["bad-json.ndjson", '{"score":0.1}\n\n{"score":0.2,}\n', "bad-json.ndjson:3: not valid JSON"],
    [
      "bad-latency.ndjson",
      '{"score":0.1}\n{"latencyMs":-5}\n',
      "bad-latency.ndjson:2: latencyMs: must be >= 0",
    ],
    ["bad-row.ndjson", '{"score":0.1}\n[1,2]\n', "bad-row.ndjson:2: a row must be a JSON object"],
    ["empty.csv", "", "empty.csv: empty file (no rows)"],
    // one message for an empty file whatever its format, and for a header without rows
    ["empty.ndjson", "", "empty.ndjson: empty file (no rows)"],
    ["header-only.csv", "score,label\n", "header-only.csv: empty file (no rows)"],
    // one vocabulary for CSV and NDJSON: a misspelt field is an error, with the closest name
    [
      "snake-case.csv",
      "score,latency_ms\n0.1,12\n",
      'snake-case.csv:1: unknown column "latency_ms" (did you mean latencyMs?)',
    ],
    [
      "typo-field.ndjson",
      '{"score":0.1}\n{"score":0.2,"lable":1}\n',
      "typo-field.ndjson:2: lable: unknown field (did you mean label?)",
    ],
    [
      "snake-case.ndjson",
      '{"score":0.1,"latency_ms":12}\n',
      "snake-case.ndjson:1: latency_ms: unknown field (did you mean latencyMs?)",
    ],
    ["twice.csv", "score,score\n0.1,0.2\n", 'twice.csv:1: column "score" appears twice'],
  ];
  it.each(cases)("%s", async (name, text, message) => {
    const file = bad(name, text);
    const r = await cli(["judge", "--baseline", files.small, "--candidate", file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.startsWith(`modelgate judge: ${join(dir, message)}`)).toBe(true);
    expect(r.stderr.split("\n").length).toBe(2);
  });

  it("names a missing file, an unknown gate and a malformed --set", async () => {
    const missing = await cli(["judge", "--baseline", files.small, "--candidate", join(dir, "nope.csv")]);
    expect(missing.stderr).toContain("nope.csv: no such file");
    const gate = await cli([
      "judge",
      "--baseline",
      files.small,
      "--candidate",
      files.small,
      "--gates",
      "latncy",
    ]);
    expect(gate.code).toBe(2);
    expect(gate.stderr).toContain('invalid setting --gates: unknown gate "latncy"');
    const set = await cli([
      "judge",
      "--baseline",
      files.small,
      "--candidate",
      files.small,
      "--set",
      "maxRatio=2",
    ]);
    expect(set.code).toBe(2);
    expect(set.stderr).toContain('--set: expects GATE.FIELD=VALUE, got "maxRatio=2"');
    expect(existsSync(join(dir, "nope.csv"))).toBe(false);
    const model = await cli([
      "judge",
      "--baseline",
      files.small,
      "--candidate",
      files.small,
      "--model",
      "fraud model",
    ]);
    expect(model.code).toBe(2);
    expect(model.stderr).toContain("--model must be 1-128 characters of letters, digits");
  });
});

describe("modelgate judge: every flag is checked and named", () => {
  const judge = (...extra: string[]) =>
    cli(["judge", "--baseline", files.small, "--candidate", files.small, ...extra]);
  const refused = async (extra: string[], message: string) => {
    const r = await judge(...extra);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`modelgate judge: ${message}\n`);
  };

  it("refuses a --threshold outside (0, 1) instead of selecting nothing", async () => {
    for (const t of ["2", "0", "1", "-0.5", "abc", ""]) {
      await refused(
        [`--threshold=${t}`],
        `invalid setting --threshold: must be a number in (0, 1), got "${t}"`,
      );
    }
    const inRange = await judge("--threshold", "0.7", "--json");
    expect(inRange.stderr).toBe("");
    expect(JSON.parse(inRange.stdout).summary.verdict).toBeTypeOf("string");
  });

  it("refuses a mistyped gate setting before reading the files, naming it and the closest one", async () => {
    await refused(
      ["--set", "latency.maxRaatio=1.3"],
      "invalid setting latency.maxRaatio: unknown setting of the latency gate (did you mean maxRatio?); its settings: quantile, maxRatio, sloMs, minSamples, method, weight",
    );
    await refused(
      ["--mode", "shadow", "--set", "agreement.maxFlip=0.1"],
      "invalid setting agreement.maxFlip: unknown setting of the agreement gate (did you mean maxFlipRate?); its settings: minSamples, maxFlipRate, minPairs, weight",
    );
    await refused(
      ["--set", "latency.maxRatio=1.3", "--set", "latency.maxRatio=2"],
      "invalid setting --set latency.maxRatio: is given twice",
    );
  });

  it("names the flag of a bad --alpha, --min-samples or --optional, and refuses both names of one file", async () => {
    await refused(["--alpha", "0.9"], 'invalid setting --alpha: must be a number > 0 <= 0.5, got "0.9"');
    await refused(["--min-samples", "0"], 'invalid setting --min-samples: must be an integer >= 1, got "0"');
    await refused(
      ["--optional", "latncy"],
      'invalid setting --optional: unknown gate "latncy"; known gates: drift, latency, auc, fairness, errors',
    );
    await refused(["--champion", files.small], "--baseline: give --baseline or --champion, not both");
  });

  it("is one look: refuses --looks and --spending saying why, and says so in --help", async () => {
    const why =
      "offline judging is one look (nothing carries over between runs of the command), so there is no look schedule to declare; its anytime-valid bounds stay valid when the same comparison is judged again on more rows. A declared schedule is for the service's repeated looks: the judge request's looks and spending fields, which the AnalysisTemplates send from their count and spending args";
    await refused(["--looks", "10"], `--looks: ${why}`);
    await refused(["--looks", "1"], `--looks: ${why}`);
    await refused(["--spending", "pocock"], `--spending: ${why}`);
    const help = await cli(["judge", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Offline judging is one look");
    expect(help.stdout).toContain("(--looks and --spending are refused)");
  });
});
