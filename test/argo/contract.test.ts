/**
 * The Argo Rollouts contract, end to end: every AnalysisTemplate of manifests/templates is run the
 * way Argo runs it (test/argo/analysis-run.ts + web-provider.ts: arg merge and substitution,
 * podTemplateHashValue, the api-token from a Secret, client-go JSONPath `{$.summary}`, expr
 * conditions, the phase rules) against the real server (startServer, embedded store, bearer-token
 * auth on), fed over HTTP with synthetic traffic that grows between looks like a canary's.
 *
 * Each template runs its `count` (10) looks; before look k every cohort gets its k-th batch of
 * events (2 000 per cohort per look; the "tiny" candidate 5). Expected final phases:
 * a clearly worse candidate → Failed, an equal one → Successful, too little data → Inconclusive.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createServiceMetrics } from "../../src/api/metrics.js";
import { loadConfig } from "../../src/config.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { silentLogger } from "../../src/log.js";
import { type RunningServer, startServer } from "../../src/server.js";
import { AnalysisRun, type AnalysisTemplate, type Arg, type ClusterState } from "./analysis-run.js";
import { ARGO_VERSIONS } from "./argo-versions.js";
import { evalCondition } from "./expr.js";
import type { GoValue } from "./go-values.js";
import { BASELINE, CANDIDATES, cohortStream, type Scenario } from "./scenarios.js";

const ROOT = join(import.meta.dirname, "..", "..");
const TEMPLATE_DIR = join(ROOT, "manifests", "templates");
const MODEL = "fraud";
const LOOKS = 10;
const INGEST_TOKEN = "kserve-ingest-token-0123456789";
const JUDGE_TOKEN = "argo-judge-token-0123456789ab";
const READ_TOKEN = "people-read-token-0123456789ab";

type TemplateName =
  | "modelgate-drift"
  | "modelgate-latency"
  | "modelgate-auc"
  | "modelgate-fairness"
  | "modelgate-errors"
  | "modelgate-all";

function loadTemplates(): Map<string, AnalysisTemplate> {
  const kustomization = parse(readFileSync(join(TEMPLATE_DIR, "kustomization.yaml"), "utf8")) as {
    resources: string[];
  };
  const out = new Map<string, AnalysisTemplate>();
  for (const file of kustomization.resources) {
    const t = parse(readFileSync(join(TEMPLATE_DIR, file), "utf8")) as AnalysisTemplate;
    out.set(t.metadata.name, t);
  }
  return out;
}

/**
 * The args the example canary Rollout passes to modelgate-all (manifests/examples/canary,
 * namespace ml): model, hashes by podTemplateHashValue, the Rollout by fieldRef. The test adds
 * only modelgate-url, the test server's address in place of the in-cluster Service.
 */
function rolloutArgs(url: string): Arg[] {
  const rollout = parse(
    readFileSync(join(ROOT, "manifests", "examples", "canary", "rollout.yaml"), "utf8"),
  ) as {
    spec: {
      strategy: {
        canary: { steps: { analysis?: { templates: { templateName: string }[]; args: Arg[] } }[] };
      };
    };
  };
  const step = rollout.spec.strategy.canary.steps.find((s) =>
    s.analysis?.templates.some((t) => t.templateName === "modelgate-all"),
  );
  if (!step?.analysis) throw new Error("the example canary Rollout has no modelgate-all step");
  return [...step.analysis.args, { name: "modelgate-url", value: url }];
}

const cluster = (scenario: Scenario, token = JUDGE_TOKEN): ClusterState => ({
  podTemplateHashes: { Stable: BASELINE.version, Latest: CANDIDATES[scenario].version },
  fields: { "metadata.namespace": "ml", "metadata.name": "fraud-model" },
  secrets: { "modelgate-api-token": { token } },
});

interface Case {
  template: TemplateName;
  scenario: Scenario;
  expected: "Failed" | "Successful" | "Inconclusive";
  /** args the Rollout adds to the example's (thresholds, optional-gates), as a user would */
  args?: Record<string, string>;
  why: string;
}

const OWN_REGRESSION: Record<Exclude<TemplateName, "modelgate-all">, Scenario> = {
  "modelgate-drift": "shifted",
  "modelgate-latency": "slower",
  "modelgate-auc": "weaker",
  "modelgate-fairness": "unfair",
  "modelgate-errors": "erroring",
};
// AUC's default margin (0.02) cannot certify an equal model at canary sizes (docs/gates/auc.md:
// tens of thousands of labels per side); a user requiring AUC at this size widens it with the arg.
const AUC_MARGIN = { "auc-margin": "0.05" };

const CASES: Case[] = [
  ...Object.entries(OWN_REGRESSION).flatMap(([template, scenario]): Case[] => [
    { template: template as TemplateName, scenario, expected: "Failed", why: "clearly worse" },
    {
      template: template as TemplateName,
      scenario: "equal",
      expected: "Successful",
      args: template === "modelgate-auc" ? AUC_MARGIN : undefined,
      why: "equal",
    },
    {
      template: template as TemplateName,
      scenario: "tiny",
      expected: "Inconclusive",
      why: "too little data",
    },
  ]),
  ...(["shifted", "slower", "weaker", "unfair", "erroring"] as const).map(
    (scenario): Case => ({ template: "modelgate-all", scenario, expected: "Failed", why: "clearly worse" }),
  ),
  // As shipped: AUC is optional in modelgate-all (optional-gates auc), so its inconclusive at the
  // default margin does not hold back an equal candidate the other four gates pass.
  { template: "modelgate-all", scenario: "equal", expected: "Successful", why: "equal, as shipped" },
  { template: "modelgate-all", scenario: "tiny", expected: "Inconclusive", why: "too little data" },
  // AUC made required (optional-gates ""): at the default margin 0.02 an equal candidate passes
  // only in the last looks (16 000–20 000 labels per side, with the declared schedule of 10
  // looks); with auc-margin 0.05 it passes sooner.
  {
    template: "modelgate-all",
    scenario: "equal-b",
    expected: "Successful",
    args: { "optional-gates": "" },
    why: "equal, AUC required, default AUC margin",
  },
  {
    template: "modelgate-all",
    scenario: "equal-c",
    expected: "Successful",
    args: { "optional-gates": "", ...AUC_MARGIN },
    why: "equal, AUC required, auc-margin 0.05",
  },
  // modelgate-auc as shipped (auc-margin 0.02): an equal candidate passes in the last looks.
  {
    template: "modelgate-auc",
    scenario: "equal-b",
    expected: "Successful",
    why: "equal, default AUC margin",
  },
];

const caseName = (c: Case) =>
  `${c.template} × ${c.scenario}${
    c.args
      ? ` (${Object.entries(c.args)
          .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
          .join(",")})`
      : ""
  }`;

let server: RunningServer;
let dataDir: string;
const templates = loadTemplates();
const runs = new Map<Case, AnalysisRun>();

async function ingest(url: string, events: object[]): Promise<void> {
  const res = await fetch(`${url}/v1/events`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson", authorization: `Bearer ${INGEST_TOKEN}` },
    body: events.map((e) => JSON.stringify(e)).join("\n"),
  });
  const body = (await res.json()) as { accepted: number; rejected: number };
  if (res.status !== 202 || body.rejected !== 0)
    throw new Error(`ingest: ${res.status} ${JSON.stringify(body)}`);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "modelgate-argo-"));
  const config = {
    ...loadConfig({
      MODELGATE_TOKENS: `kserve ingest ${INGEST_TOKEN};argo judge ${JUDGE_TOKEN};people read ${READ_TOKEN}`,
    }),
    host: "127.0.0.1",
    port: 0,
    dataDir,
  };
  server = await startServer({
    config,
    logger: silentLogger,
    metrics: createServiceMetrics({ defaultMetrics: false }),
    handleSignals: false,
  });
  for (let i = 0; i < 400 && (await fetch(`${server.url}/readyz`)).status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  for (const c of CASES) {
    const t = templates.get(c.template);
    if (!t) throw new Error(`manifests/templates has no ${c.template}`);
    const extra = Object.entries(c.args ?? {}).map(([name, value]): Arg => ({ name, value }));
    runs.set(c, new AnalysisRun(t, [...rolloutArgs(server.url), ...extra], cluster(c.scenario)));
  }
  const streams = [BASELINE, ...Object.values(CANDIDATES)].map((spec) => ({
    spec,
    next: cohortStream(MODEL, spec),
  }));
  // Events of look k are stamped a second after those of look k − 1, all in the recent past.
  const t0 = Date.now() - 120_000;
  for (let look = 1; look <= LOOKS; look++) {
    for (const { spec, next } of streams) await ingest(server.url, next(spec.perLook, t0 + look * 1000));
    // Argo measures each run's metric once per interval; the runs are independent.
    for (const run of runs.values()) await run.reconcile();
  }
  // Error measurements do not use up a look: finish any run that retried (none should have).
  for (const run of runs.values()) await run.runToCompletion(async () => {}, 20);
}, 180_000);

afterAll(async () => {
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("Argo Rollouts contract: every template against the real server", () => {
  it.each(CASES.map((c) => [caseName(c), c] as const))("%s", (_name, c) => {
    const run = runs.get(c)!;
    const r = run.results[0]!;
    const summaries = r.measurements.map(
      (m) => JSON.parse(m.value ?? "null") as { verdict: string; reason: string },
    );
    const trace = summaries.map((s, i) => `${i + 1}:${s?.verdict}`).join(" ");
    // Never an Error: every answer was 2xx JSON with a summary (auth, rollout=ns/name without
    // Kubernetes credentials, string args all accepted).
    expect(
      r.measurements.filter(
        (m) => m.phase !== "Successful" && m.phase !== "Failed" && m.phase !== "Inconclusive",
      ),
    ).toEqual([]);
    expect(
      run.phase,
      `${caseName(c)} (${c.why}): looks ${trace}; last reason: ${summaries.at(-1)?.reason}`,
    ).toBe(c.expected);
    // The measurement phase is the verdict: pass → Successful, fail → Failed, else Inconclusive.
    r.measurements.forEach((m, i) => {
      const v = summaries[i]!.verdict;
      expect(m.phase).toBe(v === "pass" ? "Successful" : v === "fail" ? "Failed" : "Inconclusive");
    });
    if (c.expected === "Failed") {
      // failureLimit 0: the first fail look ends the run; later looks are never taken.
      expect(r.failed).toBe(1);
      expect(r.measurements.at(-1)!.phase).toBe("Failed");
      expect(r.measurements.length).toBeLessThanOrEqual(LOOKS);
    } else {
      expect(r.count).toBe(LOOKS);
      expect(r.failed).toBe(0);
    }
    if (c.expected === "Successful") expect(r.successful).toBeGreaterThan(0);
    if (c.expected === "Inconclusive") expect(r.inconclusive).toBe(LOOKS);
  });

  it("sends what Argo sends: args as strings, the hashes, the Secret's token, Content-Type for jsonBody", () => {
    const all = [...runs.entries()].find(
      ([c]) => c.template === "modelgate-all" && c.scenario === "tiny",
    )![1];
    const post = all.results[0]!.measurements[0]!.request!;
    expect(post.method).toBe("POST");
    expect(post.url).toBe(`${server.url}/v1/judge`);
    expect(post.headers).toEqual({
      Authorization: `Bearer ${JUDGE_TOKEN}`,
      "Content-Type": "application/json",
    });
    // every threshold arg at its default, as a string; AUC optional
    expect(JSON.parse(post.body!)).toEqual({
      model: MODEL,
      baseline: BASELINE.version,
      candidate: CANDIDATES.tiny.version,
      rollout: "ml/fraud-model",
      optional: "auc",
      alpha: "0.05",
      // the declared look schedule: the count arg (10) and the spending arg's default
      looks: "10",
      spending: "obrien-fleming",
      "drift.maxPsi": "0.25",
      "drift.maxKs": "0.2",
      "drift.minSamples": "100",
      "latency.quantile": "0.95",
      "latency.maxRatio": "1.2",
      "latency.sloMs": "",
      "latency.minSamples": "100",
      "auc.margin": "0.02",
      "auc.minLabelled": "200",
      "fairness.minParityRatio": "0.8",
      "fairness.maxParityDrop": "0.05",
      "fairness.maxEqualizedOddsDifference": "0.1",
      "fairness.minGroupSize": "30",
      "fairness.attributes": "all",
      "errors.maxIncrease": "0.005",
      "errors.minSamples": "100",
    });
    // the Rollout's args replace the defaults: optional-gates "" and auc-margin 0.05
    const required = [...runs.entries()].find(
      ([c]) => c.template === "modelgate-all" && c.args?.["auc-margin"],
    )![1];
    expect(JSON.parse(required.results[0]!.measurements[0]!.request!.body!)).toMatchObject({
      optional: "",
      "auc.margin": "0.05",
    });
    const auc = [...runs.entries()].find(([c]) => c.template === "modelgate-auc" && c.args)![1];
    expect(new URL(auc.results[0]!.measurements[0]!.request!.url).searchParams.get("auc.margin")).toBe(
      "0.05",
    );
    const latency = [...runs.entries()].find(
      ([c]) => c.template === "modelgate-latency" && c.scenario === "tiny",
    )![1];
    const get = latency.results[0]!.measurements[0]!.request!;
    expect(get.method).toBe("GET");
    expect(get.body).toBeUndefined();
    expect(get.url).toBe(
      `${server.url}/v1/judge/latency?model=${MODEL}&baseline=${BASELINE.version}&candidate=${CANDIDATES.tiny.version}&rollout=ml/fraud-model` +
        "&alpha=0.05&looks=10&spending=obrien-fleming&latency.quantile=0.95&latency.maxRatio=1.2&latency.sloMs=&latency.minSamples=100",
    );
  });

  it("hands the conditions the summary object, numbers as float64 and the verdict as a string", () => {
    const run = [...runs.entries()].find(
      ([c]) => c.template === "modelgate-all" && c.scenario === "equal-c" && c.args?.["auc-margin"],
    )![1];
    const last = run.results[0]!.measurements.at(-1)!;
    // value is Go's json.Marshal of the selected node: the summary alone, keys sorted
    const summary = JSON.parse(last.value!) as Record<string, GoValue>;
    expect(Object.keys(summary)).toEqual(["pass", "reason", "score", "verdict"]);
    expect(summary).toMatchObject({ verdict: "pass", pass: true, score: 100 });
    // a JSON number is a float64 for expr: it compares with an int literal and not with a string
    expect(evalCondition(summary, "result.score == 100 && result.score > 99.5 && result.pass")).toBe(true);
    expect(evalCondition(summary, 'result.score == "100"')).toBe(false);
  });

  it("the drift scenario is PSI ≈ 0.47, the fairness one a parity ratio ≈ 0.6 (read back from the judge)", async () => {
    const ask = async (gate: string, scenario: Scenario) => {
      const res = await fetch(
        `${server.url}/v1/judge/${gate}?model=${MODEL}&baseline=${BASELINE.version}&candidate=${CANDIDATES[scenario].version}&runKey=check-${gate}`,
        { headers: { authorization: `Bearer ${JUDGE_TOKEN}` } },
      );
      return ((await res.json()) as { gates: Record<string, { metrics: Record<string, number> }> }).gates[
        gate
      ]!.metrics;
    };
    const drift = await ask("drift", "shifted");
    expect(drift.psi).toBeGreaterThan(0.4);
    expect(drift.psi).toBeLessThan(0.55);
    const fairness = await ask("fairness", "unfair");
    expect(fairness.candidateParityRatio).toBeGreaterThan(0.55);
    expect(fairness.candidateParityRatio).toBeLessThan(0.65);
    const latency = await ask("latency", "slower");
    expect(latency.p95Ratio).toBeGreaterThan(1.4);
    expect(latency.p95Ratio).toBeLessThan(1.6);
    const auc = await ask("auc", "weaker");
    expect(auc.aucDelta).toBeGreaterThan(-0.07);
    expect(auc.aucDelta).toBeLessThan(-0.03);
  });
});

/** The judge's answers (whole, with every gate) of one run: its runKey and gate set, oldest first. */
async function answersOf(runKey: string, gates: string[]): Promise<JudgeResponse[]> {
  const res = await fetch(`${server.url}/v1/judgements?model=${MODEL}&limit=10000`, {
    headers: { authorization: `Bearer ${READ_TOKEN}` },
  });
  expect(res.status).toBe(200);
  const { judgements } = (await res.json()) as { judgements: JudgeResponse[] };
  return judgements
    .filter((j) => j.judgement.runKey === runKey && Object.keys(j.gates).join(",") === gates.join(","))
    .reverse();
}

describe("the declared look schedule: looks = the count arg, spending from its arg", () => {
  it("modelgate-all as shipped: every look sends looks 10 (its count), and every gate runs that schedule", async () => {
    const [c, run] = [...runs.entries()].find(
      ([x]) => x.template === "modelgate-all" && x.scenario === "equal" && !x.args,
    )!;
    const measurements = run.results[0]!.measurements;
    expect(measurements).toHaveLength(LOOKS);
    for (const m of measurements) {
      expect(JSON.parse(m.request!.body!)).toMatchObject({
        looks: String(LOOKS),
        spending: "obrien-fleming",
      });
    }
    const gates = ["drift", "latency", "auc", "fairness", "errors"];
    const answers = await answersOf(`${MODEL}/${BASELINE.version}/${CANDIDATES[c.scenario].version}`, gates);
    expect(answers.map((a) => a.judgement.look)).toEqual(measurements.map((_, i) => i + 1));
    for (const [i, a] of answers.entries()) {
      for (const g of gates) {
        expect(a.gates[g]!.sequential, `look ${i + 1} ${g}`).toMatchObject({
          look: i + 1,
          looks: LOOKS,
          spending: "obrien-fleming",
        });
      }
    }
  });

  it("a Rollout's count and spending args: 4 looks of a per-gate template each send looks 4 and spending pocock", async () => {
    // modelgate-errors on the `slower` canary (equal errors): a run no case above has taken looks of
    const run = new AnalysisRun(
      templates.get("modelgate-errors")!,
      [
        ...rolloutArgs(server.url),
        { name: "count", value: "4" },
        { name: "inconclusive-limit", value: "3" },
        { name: "spending", value: "pocock" },
      ],
      cluster("slower"),
    );
    expect(await run.runToCompletion()).toBe("Successful");
    const measurements = run.results[0]!.measurements;
    expect(measurements).toHaveLength(4);
    for (const m of measurements) {
      const query = new URL(m.request!.url).searchParams;
      expect([query.get("looks"), query.get("spending")]).toEqual(["4", "pocock"]);
    }
    const answers = await answersOf(`${MODEL}/${BASELINE.version}/${CANDIDATES.slower.version}`, ["errors"]);
    expect(answers.map((a) => a.gates.errors!.sequential)).toMatchObject(
      [1, 2, 3, 4].map((look) => ({ look, looks: 4, spending: "pocock" })),
    );
  });
});

describe("what Argo does with a broken contract (same server)", () => {
  it("a wrong token in the Secret: every look is an Error (401) and the 5th in a row ends the run in Error", async () => {
    const run = new AnalysisRun(
      templates.get("modelgate-errors")!,
      rolloutArgs(server.url),
      cluster("equal", "not-the-token-0123456789"),
    );
    expect(await run.runToCompletion()).toBe("Error");
    const r = run.results[0]!;
    expect(r.measurements.map((m) => m.status)).toEqual([401, 401, 401, 401, 401]);
    expect(r.count).toBe(0);
  });

  it.each(ARGO_VERSIONS)(
    "Argo %s: a jsonPath without braces is literal text to client-go: the conditions fail to compile on a string, every look",
    async (version) => {
      const t = structuredClone(templates.get("modelgate-errors")!);
      t.spec.metrics[0]!.provider.web!.jsonPath = "$.summary";
      const run = new AnalysisRun(t, rolloutArgs(server.url), cluster("equal"), fetch, version);
      expect(await run.runToCompletion()).toBe("Error");
      const m = run.results[0]!.measurements[0]!;
      expect(m.status).toBe(200);
      // an Error measurement records no value, only the message (MarkMeasurementError)
      expect(m.value).toBeUndefined();
      expect(m.message).toBe(
        version === "v1.9.1"
          ? "type string[string] is undefined"
          : 'could not evaluate successCondition "result.verdict == "pass"": type string has no field verdict',
      );
    },
  );

  it("lowering the count arg without inconclusive-limit makes the spec invalid: the run ends in Error", async () => {
    const run = new AnalysisRun(
      templates.get("modelgate-latency")!,
      [...rolloutArgs(server.url), { name: "count", value: "5" }],
      cluster("equal"),
    );
    expect(await run.reconcile()).toBe("Error");
    expect(run.message).toBe("Analysis spec invalid: metrics[0]: count must be >= inconclusiveLimit");
  });

  it("a missing Secret ends the run in Error before any request", async () => {
    const run = new AnalysisRun(templates.get("modelgate-errors")!, rolloutArgs(server.url), {
      ...cluster("equal"),
      secrets: {},
    });
    expect(await run.reconcile()).toBe("Error");
    expect(run.message).toBe('Unable to resolve metric arguments: secrets "modelgate-api-token" not found');
    expect(run.results[0]!.measurements).toEqual([]);
  });
});
