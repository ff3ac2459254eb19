import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { GATES } from "../../src/gates/registry.js";
import { parseJudgeRequest } from "../../src/judge/request.js";
import { defaults, resolveArgs, type TemplateArg } from "../manifests/argo.js";
import { build, type K8sObject, one } from "../manifests/kustomize.js";
import { cli, cliProcess } from "./cli-io.js";

const BASE = ["plan", "--rate", "100", "--weight", "10%"];

async function refused(args: string[]): Promise<string> {
  const r = await cli([...BASE, ...args]);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe("");
  return r.stderr.split("\n")[0];
}

interface Timing {
  n: number;
  timeMs: number;
  look: number;
}
interface PlanJson {
  traffic: { rate: number; weight: number; labelRate: number; labelDelayMs: number };
  gates: string[];
  optional: string[];
  gateAlpha: number;
  assumptions: Record<string, number>;
  regressions: Record<string, number>;
  decisions: {
    gate: string;
    decision: string;
    unit: string;
    required: boolean;
    anytime: Timing | null;
    declared: { alone: Omit<Timing, "look"> | null; suggested: Timing | null };
  }[];
  suggestion: {
    anytime: { count: number; interval: string; args: { name: string; value: string }[] } | null;
    declared: {
      count: number;
      interval: string;
      intervalMs: number;
      requestFields: { looks: number; spending: string };
      args: { name: string; value: string }[];
    } | null;
    missing: string | null;
  };
}

async function planJson(args: string[]): Promise<PlanJson> {
  const r = await cli([...BASE, "--format", "json", ...args]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as PlanJson;
}

describe("modelgate plan: flags", () => {
  it("--help teaches with examples and exits 0; no --rate is a usage error", async () => {
    const help = await cli(["plan", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^modelgate plan — /);
    expect(help.stdout).toContain("Examples:\n  modelgate plan --rate 100 --weight 10%");
    for (const flag of [
      "--label-delay",
      "--assume",
      "--regression",
      "--power",
      "--looks",
      "--spending",
      "--interval",
    ])
      expect(help.stdout).toContain(flag);
    const none = await cli(["plan", "--weight", "10%"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^modelgate plan: --rate and --weight are required/);
    const root = await cli(["--help"]);
    expect(root.stdout).toMatch(/\n {2}plan {7}how long an analysis needs/);
  });

  it("names every bad value and the flag it came from", async () => {
    const cases: [string[], string][] = [
      [["--rate", "5", "--rate", "6"], "modelgate plan: Option '--rate' is given twice"],
      [["--bogus"], "modelgate plan: Unknown option '--bogus'"],
      [
        ["--label-rate", "0"],
        'modelgate plan: --label-rate: must be a share in (0, 1] such as 0.5 or 50%, got "0"',
      ],
      [
        ["--label-delay", "5"],
        'modelgate plan: --label-delay: must be a duration like 30s, 10m, 2h or 1d, got "5"',
      ],
      [
        ["--gates", "latncy"],
        'modelgate plan: --gates: unknown gate "latncy" (did you mean latency?); gates: drift, latency, auc, fairness, errors',
      ],
      [["--gates", ","], "modelgate plan: --gates: names no gate"],
      [
        ["--gates", "latency", "--optional", "auc"],
        'modelgate plan: --optional: gate "auc" is not in --gates',
      ],
      [
        ["--set", "latency.maxRaatio=1.3"],
        "modelgate plan: --set latency.maxRaatio: unknown setting of the latency gate (did you mean maxRatio?); its settings: quantile, maxRatio, sloMs, minSamples, method, weight",
      ],
      [
        ["--set", "latency.maxRatio=fast"],
        'modelgate plan: --set latency.maxRatio: must be a number > 0, got "fast"',
      ],
      [
        ["--set", "latncy.maxRatio=1.3"],
        'modelgate plan: --set latncy.maxRatio: unknown gate "latncy" (did you mean latency?); gates: drift, latency, auc, fairness, errors',
      ],
      [["--set", "maxRatio=1.3"], 'modelgate plan: --set: expects GATE.FIELD=VALUE, got "maxRatio=1.3"'],
      [
        ["--set", "auc.margin=0.03", "--set", "auc.margin=0.04"],
        "modelgate plan: --set auc.margin: is given twice",
      ],
      [
        ["--gates", "errors", "--set", "auc.margin=0.03"],
        'modelgate plan: --set auc.margin: gate "auc" is not in --gates',
      ],
      [
        ["--set", "latency.method=band"],
        "modelgate plan: --set latency.method: a plan follows the asymptotic method's bounds (the default) only",
      ],
      [["--alpha", "0.7"], 'modelgate plan: --alpha: must be a number in (0, 0.5], got "0.7"'],
      [["--alpha=-1"], 'modelgate plan: --alpha: must be a number > 0, got "-1"'],
      [
        ["--assume", "prevalance=0.2"],
        "modelgate plan: --assume prevalance: unknown name (did you mean prevalence?); known: latencyLogSd, baselineAuc, prevalence, selectionRate, groups, errorRate",
      ],
      [["--assume", "groups=1"], 'modelgate plan: --assume groups: must be an integer in [2, 100], got "1"'],
      [
        ["--regression", "latency=1.1"],
        "modelgate plan: --regression latency=1.1: is within the latency gate's maxRatio 1.2: the gate is not meant to fail it (give a regression beyond the tolerance)",
      ],
      [
        ["--gates", "errors", "--regression", "auc=-0.1"],
        'modelgate plan: --regression auc: gate "auc" is not in --gates',
      ],
      [
        ["--power", "0.3"],
        'modelgate plan: --power: must be a share in (0.5, 0.99] such as 0.8 or 80%, got "0.3"',
      ],
      [
        ["--interval", "1 minute"],
        'modelgate plan: --interval: must be a duration like 30s, 1m or 1h30m, got "1 minute"',
      ],
      [["--looks", "0"], 'modelgate plan: --looks: must be an integer in [1, 1000], got "0"'],
      [
        ["--spending", "linear"],
        'modelgate plan: --spending: must be obrien-fleming or pocock, got "linear"',
      ],
      [["--format", "yaml"], 'modelgate plan: --format: must be text or json, got "yaml"'],
    ];
    for (const [args, message] of cases) expect(await refused(args)).toBe(message);
    const r = await cli(["plan", "--rate", "x", "--weight", "10%"]);
    expect(r.stderr).toBe('modelgate plan: --rate: must be a number > 0, got "x"\n');
    for (const weight of ["10", "0", "100%", "ten"]) {
      const w = await cli(["plan", "--rate", "100", "--weight", weight]);
      expect(w.code).toBe(2);
      expect(w.stderr).toBe(
        `modelgate plan: --weight: must be a share in (0, 1) such as 0.1 or 10%, got "${weight}"\n`,
      );
    }
  });
});

describe("modelgate plan: the answer", () => {
  it("JSON: every gate's two decisions, timed at looks of the traffic, and the suggestion they set", {
    timeout: 60_000,
  }, async () => {
    const p = await planJson([
      "--label-rate",
      "50%",
      "--label-delay",
      "10m",
      "--optional",
      "",
      "--set",
      "latency.maxRatio=1.3",
      "--regression",
      "latency=1.5,errors=+0.02",
      "--assume",
      "errorRate=0.01",
      "--looks",
      "6",
      "--spending",
      "pocock",
      "--interval",
      "30s",
    ]);
    expect(p.traffic).toEqual({ rate: 100, weight: 0.1, labelRate: 0.5, labelDelayMs: 600_000 });
    expect(p.gateAlpha).toBeCloseTo(0.01, 15);
    expect(p.assumptions.errorRate).toBe(0.01);
    expect(p.regressions).toMatchObject({ latency: 1.5, errors: 0.02, auc: -0.05 });
    expect(p.decisions.map((d) => `${d.gate} ${d.decision}`)).toEqual(
      ["drift", "latency", "auc", "fairness", "errors"].flatMap((g) => [`${g} fail`, `${g} pass`]),
    );
    for (const d of p.decisions) {
      expect(d.required).toBe(true);
      const at = d.anytime!;
      // looks every 30 s; 10 candidate events/s; labelled outcomes 5/s, 10 minutes late
      expect(at.timeMs).toBe(at.look * 30_000);
      const expected = d.unit === "labelled" ? Math.max(0, at.timeMs - 600_000) * 0.005 : at.timeMs * 0.01;
      expect(at.n).toBe(Math.ceil(expected - 1e-9));
      expect(d.declared.suggested!.look).toBeLessThanOrEqual(6);
    }
    const slowest = Math.max(...p.decisions.map((d) => d.anytime!.look));
    const anytime = p.suggestion.anytime!;
    expect(anytime.count).toBe(slowest);
    expect(anytime.args).toEqual([
      { name: "interval", value: "30s" },
      { name: "count", value: String(slowest) },
      { name: "inconclusive-limit", value: String(slowest - 1) },
      { name: "optional-gates", value: "" },
      { name: "latency-max-ratio", value: "1.3" },
    ]);
    const declared = p.suggestion.declared!;
    expect(declared.count).toBe(6);
    expect(declared.requestFields).toEqual({ looks: 6, spending: "pocock" });
    // the templates send looks = count, so the schedule is the count and the spending arg
    expect(declared.args).toEqual([
      { name: "interval", value: declared.interval },
      { name: "count", value: "6" },
      { name: "inconclusive-limit", value: "5" },
      { name: "spending", value: "pocock" },
      { name: "optional-gates", value: "" },
      { name: "latency-max-ratio", value: "1.3" },
    ]);
    expect(declared.intervalMs % 30_000).toBe(0);
    const horizon = Math.max(...p.decisions.map((d) => d.declared.alone!.timeMs));
    expect(6 * declared.intervalMs).toBeGreaterThanOrEqual(horizon);
    expect(6 * (declared.intervalMs - 30_000)).toBeLessThan(horizon);
  });

  it("text: a table per gate, notes, the suggestion and args that parse as YAML", {
    timeout: 60_000,
  }, async () => {
    const r = await cli([...BASE, "--gates", "latency,auc,errors"]);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(
      /^traffic: 100 req\/s, canary 10% \(10 candidate events\/s, baseline 9× the candidate\)/,
    );
    expect(out).toContain("alpha 0.05 over 3 gates (0.01667 each)");
    expect(out).toMatch(/\nlatency +fail: p95 ×1\.3 \(limit 1\.2\) +[\d,]+ +\d+m \(look \d+\)/);
    expect(out).toMatch(/\n +pass: equal AUC 0\.8 \(margin 0\.02\) \(optional\) +[\d,]+ labelled/);
    expect(out).toContain(
      "note: errors: the rate-ratio claim can fail a large relative increase sooner than planned here",
    );
    const anytime = out.match(
      /anytime-valid: count (\d+) × interval 1m = \d+m \(set by (\w+) (fail|pass)\)/,
    )!;
    expect(anytime).not.toBeNull();
    expect(anytime[2]).not.toBe("auc");
    const pasted = (heading: string) => parse(out.split(`${heading}\n`)[1].split("\n\n")[0]);
    expect(
      pasted(
        "template args to paste (anytime-valid: a template that declares no schedule, modelgate template --looks none):",
      ),
    ).toEqual([
      { name: "interval", value: "1m" },
      { name: "count", value: anytime[1] },
      { name: "inconclusive-limit", value: String(Number(anytime[1]) - 1) },
    ]);
    const declared = out.match(/declared: +count 10 × interval (\w+) = /)!;
    expect(
      pasted(
        "template args to paste (declared schedule: the shipped templates and modelgate template's default):",
      ),
    ).toEqual([
      { name: "interval", value: declared[1] },
      { name: "count", value: "10" },
      { name: "inconclusive-limit", value: "9" },
      { name: "spending", value: "obrien-fleming" },
    ]);
    expect(out).toContain("the templates send looks = count (10) and the spending arg (obrien-fleming)");
  });

  it("prints args the shipped modelgate-all declares, which make the request the plan assumed", {
    timeout: 60_000,
  }, async () => {
    const p = await planJson([
      "--alpha",
      "0.01",
      "--optional",
      "",
      "--set",
      "latency.maxRatio=1.25",
      "--looks",
      "6",
      "--spending",
      "pocock",
    ]);
    const shipped = one(build("templates"), "AnalysisTemplate", "modelgate-all");
    const caller = { model: "fraud", "stable-hash": "s", "canary-hash": "c", "api-token": "t" };
    const requestWith = (template: K8sObject, args: { name: string; value: string }[]) => {
      const declaredArgs = new Set((template.spec.args as TemplateArg[]).map((a) => a.name));
      for (const a of args) expect(declaredArgs.has(a.name), a.name).toBe(true);
      const values = {
        ...defaults(template),
        ...caller,
        ...Object.fromEntries(args.map((a) => [a.name, a.value])),
      };
      const web = resolveArgs(template.spec.metrics[0].provider.web, values);
      return parseJudgeRequest(web.jsonBody, { registry: GATES, now: 0 });
    };
    const declared = p.suggestion.declared!;
    const request = requestWith(shipped, declared.args);
    expect({ looks: request.looks, spending: request.spending }).toEqual(declared.requestFields);
    expect(request).toMatchObject({ alpha: 0.01, optional: [] });
    expect(request.gateFields.latency).toMatchObject({ maxRatio: "1.25" });
    // the anytime-valid schedule is for a template that declares none
    const printed = await cli(["template", "--model", "fraud", "--looks", "none"]);
    const undeclared = requestWith(parse(printed.stdout) as K8sObject, p.suggestion.anytime!.args);
    expect(undeclared.looks).toBeUndefined();
    expect(undeclared.alpha).toBe(0.01);
  });

  it("says why there is no suggestion when a required gate cannot decide", async () => {
    const p = await planJson(["--gates", "latency", "--set", "latency.maxRatio=1"]);
    expect(p.suggestion.anytime).toBeNull();
    expect(p.suggestion.missing).toBe(
      "latency cannot pass an equal model: maxRatio 1 leaves an equal model no room",
    );
    const t = await cli([...BASE, "--gates", "latency", "--set", "latency.maxRatio=1"]);
    expect(t.stdout).toContain("cannot: maxRatio 1 leaves an equal model no room");
  });

  it("exits 0 as a process, 2 on a usage error", () => {
    expect(cliProcess([...BASE, "--gates", "errors", "--format", "json"]).code).toBe(0);
    const bad = cliProcess([...BASE, "--weight", "2"]);
    expect(bad.code).toBe(2);
  });
});
