import { stringify } from "yaml";
import { GateConfigError, parseNumberField } from "../gates/config-parse.js";
import { GATE_NAMES, GATES, type GateName, isGateName } from "../gates/registry.js";
import { checkSettingNames } from "../gates/settings.js";
import { parseName } from "../ingest/event.js";
import { MAX_LOOKS, withGatePrefix } from "../judge/request.js";
import { SPENDING_FUNCTIONS, type SpendingFunction } from "../stats/alpha-spending.js";
import { isHttpUrl, parseOptions } from "./command-line.js";
import type { CliIo, Command } from "./run.js";

const HELP = `modelgate template — print an Argo Rollouts AnalysisTemplate for a model

Usage: modelgate template --model NAME [options] > analysis-template.yaml

The template has the same args, web provider call, jsonPath ({$.summary}) and conditions
(result.verdict == "pass" / "fail") as the library in manifests/templates, with the model and
gate settings filled in. Argo passes the stable and canary pod-template-hashes as stable-hash and
canary-hash (valueFrom.podTemplateHashValue: Stable / Latest). Thresholds are args too (alpha,
drift-max-psi, latency-max-ratio, auc-margin, …; defaults = the gates' own), so a Rollout can
override them; --alpha, --min-samples and --set change their defaults.

The request declares its look schedule: looks = the count arg, so modelgate spreads alpha over
the looks Argo will take (less traffic to decide by the last look; more looks than declared stay
valid), spent as the spending arg says (obrien-fleming or pocock). --looks and --spending change
that.

Options:
  --model NAME          model name as its events report it (required)
  --gates LIST          gates to run, comma-separated (default: all of ${GATE_NAMES.join(", ")})
  --optional LIST       gates whose inconclusive verdict does not block a pass (their fail still
                        fails): default of the optional-gates arg; default auc when auc is judged
                        (labels are late and sparse during a canary); --optional "" = none
  --set GATE.FIELD=V    a gate setting, repeatable (e.g. --set latency.maxRatio=1.3): the default
                        of its threshold arg when it has one, else a fixed field of the request
  --alpha N             default of the alpha arg (family-wise error budget), default 0.05
  --min-samples N       default of every gate's sample-floor arg (drift/latency/errors-min-samples,
                        auc-min-labelled)
  --per-gate            one metric per gate, as the per-gate library templates (GET
                        /v1/judge/<gate>) instead of one combined metric
  --name NAME           metadata.name (default modelgate-<model>)
  --cluster             a ClusterAnalysisTemplate instead of a namespaced AnalysisTemplate
  --url URL             default of the modelgate-url arg
                        (default http://modelgate.modelgate.svc.cluster.local:8080)
  --interval D          time between looks (default 1m)
  --count N             number of looks, at most ${MAX_LOOKS} (default 10)
  --looks count|N|none  the look schedule the judge request declares (its looks field):
                        count (default) sends the count arg, so the schedule is the one Argo runs
                        and a Rollout changing count changes both; N (from --count to ${MAX_LOOKS}) a
                        fixed number, for a run whose looks span several analyses (the same
                        template at two steps counts on: one run per runKey and gate set); none
                        declares no schedule (anytime-valid bounds only)
  --spending NAME       default of the spending arg: how a declared schedule spends alpha over its
                        looks, ${SPENDING_FUNCTIONS.join(" (default) or ")} (earlier decisions, longer analysis)
  --help                show this help

Examples:
  modelgate template --model fraud-scorer > fraud-analysis.yaml
  modelgate template --model ranker --gates latency,errors --set latency.maxRatio=1.3 | kubectl apply -n shop -f -
  modelgate template --model credit --gates auc,fairness --per-gate --cluster --name credit-gates
  modelgate template --model fraud-scorer --count 20 --interval 2m --spending pocock
`;

/** What the judge request declares about the run's looks: the count arg, a fixed number, or nothing. */
export type LookSchedule = "count" | "none" | number;

function argsComment(looks: LookSchedule): string {
  const schedule =
    looks === "count"
      ? "# The judge request declares looks = the count arg (the schedule Argo runs), spent by the\n# spending arg: modelgate spreads alpha over exactly those looks, so by the last look a gate has\n# decided with less traffic; more looks than declared stay valid, decided by a reserve of alpha.\n"
      : looks === "none"
        ? "# The judge request declares no look schedule: anytime-valid bounds, whatever the number of looks.\n"
        : `# The judge request declares looks = ${looks} (a fixed schedule, whatever count a Rollout passes),\n# spent by the spending arg; more looks than declared stay valid, decided by a reserve of alpha.\n`;
  return `# Generated by modelgate template. Args: model, stable-hash / canary-hash (pod-template-hashes),
# rollout-namespace / rollout-name (the Rollout to put Events on), modelgate-url, interval, count,
# inconclusive-limit (keep at count - 1: only an all-inconclusive run pauses the rollout),${looks === "none" ? "" : " spending,"}
# alpha, optional-gates (combined metric: gates whose inconclusive does not block a pass), one arg
# per gate threshold (<gate>-<setting>; defaults = the gates' own, "" = the gate's default), api-token.
${schedule}`;
}

/**
 * The threshold args of each gate, as in manifests/templates: arg name, the request field it
 * fills (`<gate>.<field>`) and its default, which is the gate's own parseConfig default ("" for
 * latency.sloMs: no SLO). `floor` marks the gate's sample floor, which --min-samples sets.
 */
export const THRESHOLD_ARGS: Record<
  GateName,
  ReadonlyArray<{ arg: string; field: string; value: string; floor?: true }>
> = {
  drift: [
    { arg: "drift-max-psi", field: "maxPsi", value: "0.25" },
    { arg: "drift-max-ks", field: "maxKs", value: "0.2" },
    { arg: "drift-min-samples", field: "minSamples", value: "100", floor: true },
  ],
  latency: [
    { arg: "latency-quantile", field: "quantile", value: "0.95" },
    { arg: "latency-max-ratio", field: "maxRatio", value: "1.2" },
    { arg: "latency-slo-ms", field: "sloMs", value: "" },
    { arg: "latency-min-samples", field: "minSamples", value: "100", floor: true },
  ],
  auc: [
    { arg: "auc-margin", field: "margin", value: "0.02" },
    { arg: "auc-min-labelled", field: "minLabelled", value: "200", floor: true },
  ],
  fairness: [
    { arg: "fairness-min-parity-ratio", field: "minParityRatio", value: "0.8" },
    { arg: "fairness-max-parity-drop", field: "maxParityDrop", value: "0.05" },
    { arg: "fairness-max-equalized-odds-difference", field: "maxEqualizedOddsDifference", value: "0.1" },
    { arg: "fairness-min-group-size", field: "minGroupSize", value: "30" },
    { arg: "fairness-attributes", field: "attributes", value: "all" },
  ],
  errors: [
    { arg: "errors-max-increase", field: "maxIncrease", value: "0.005" },
    { arg: "errors-min-samples", field: "minSamples", value: "100", floor: true },
  ],
};

function listOf(text: string | undefined, field: string): GateName[] | undefined {
  if (text === undefined) return undefined;
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!isGateName(n))
      throw new Error(`${field}: unknown gate "${n}"; known gates: ${GATE_NAMES.join(", ")}`);
  }
  return names as GateName[];
}

/** Build the template object (exported for tests). */
export function analysisTemplate(o: {
  model: string;
  gates?: GateName[];
  optional?: string[];
  /** "<gate>.<field>" → value: a threshold arg's default, or a fixed request field */
  settings: Record<string, string>;
  alpha?: string;
  minSamples?: string;
  perGate: boolean;
  name?: string;
  cluster: boolean;
  url: string;
  interval: string;
  count: number;
  /** the judge request's looks: the count arg (default), a fixed number, or none */
  looks?: LookSchedule;
  /** default of the spending arg (default obrien-fleming); no arg when looks is none */
  spending?: SpendingFunction;
}): Record<string, unknown> {
  const gates = o.gates ?? [...GATE_NAMES];
  const looks = o.looks ?? "count";
  // the schedule fields, sent beside alpha in the body or the query
  const schedule: Array<[string, string]> =
    looks === "none"
      ? []
      : [
          ["looks", looks === "count" ? "{{args.count}}" : String(looks)],
          ["spending", "{{args.spending}}"],
        ];
  const conditions = {
    interval: "{{args.interval}}",
    count: "{{args.count}}",
    failureLimit: 0,
    inconclusiveLimit: "{{args.inconclusive-limit}}",
    consecutiveErrorLimit: 4,
    successCondition: 'result.verdict == "pass"',
    failureCondition: 'result.verdict == "fail"',
  };
  // a fresh object per metric, so the YAML has no anchors
  const auth = () => ({ key: "Authorization", value: "Bearer {{args.api-token}}" });
  const identity: Array<[string, string]> = [
    ["model", "{{args.model}}"],
    ["baseline", "{{args.stable-hash}}"],
    ["candidate", "{{args.canary-hash}}"],
    ["rollout", "{{args.rollout-namespace}}/{{args.rollout-name}}"],
  ];
  // Threshold args of the chosen gates, their defaults changed by --min-samples and --set.
  const thresholdArgs: Array<{ name: string; value: string }> = [];
  const fieldsOf = (gate: GateName): Array<[string, string]> => {
    const fields: Array<[string, string]> = THRESHOLD_ARGS[gate].map((t) => [
      `${gate}.${t.field}`,
      `{{args.${t.arg}}}`,
    ]);
    for (const [key, value] of Object.entries(o.settings)) {
      if (key.startsWith(`${gate}.`) && !fields.some(([k]) => k === key)) fields.push([key, value]);
    }
    return fields;
  };
  for (const gate of gates) {
    for (const t of THRESHOLD_ARGS[gate]) {
      const set = o.settings[`${gate}.${t.field}`];
      const value = set ?? (t.floor && o.minSamples !== undefined ? o.minSamples : t.value);
      thresholdArgs.push({ name: t.arg, value });
    }
  }
  const optional = o.optional ?? (gates.includes("auc") ? ["auc"] : []);
  const metrics = o.perGate
    ? gates.map((gate) => {
        // GET with the query the library's per-gate template sends (values URL-encoded when fixed).
        const query = [...identity, ["alpha", "{{args.alpha}}"], ...schedule, ...fieldsOf(gate)]
          .map(([k, v]) => `${k}=${v.startsWith("{{") ? v : encodeURIComponent(v)}`)
          .join("&");
        return {
          name: `modelgate-${gate}`,
          ...conditions,
          provider: {
            web: {
              url: `{{args.modelgate-url}}/v1/judge/${gate}?${query}`,
              timeoutSeconds: 10,
              headers: [auth()],
              jsonPath: "{$.summary}",
            },
          },
        };
      })
    : [
        {
          name: "modelgate",
          ...conditions,
          provider: {
            web: {
              method: "POST",
              url: "{{args.modelgate-url}}/v1/judge",
              timeoutSeconds: 10,
              headers: [auth(), { key: "Content-Type", value: "application/json" }],
              jsonBody: Object.fromEntries([
                ...identity,
                ...(o.gates ? [["gates", gates.join(",")]] : []),
                ["optional", "{{args.optional-gates}}"],
                ["alpha", "{{args.alpha}}"],
                ...schedule,
                ...gates.flatMap(fieldsOf),
              ]),
              jsonPath: "{$.summary}",
            },
          },
        },
      ];
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: o.cluster ? "ClusterAnalysisTemplate" : "AnalysisTemplate",
    metadata: {
      name:
        o.name ??
        `modelgate-${o.model
          .toLowerCase()
          .replace(/[^a-z0-9-]+/g, "-")
          .replace(/^-+|-+$/g, "")}`,
      labels: {
        "app.kubernetes.io/part-of": "modelgate",
        "modelgate.io/model": o.model
          .replace(/[^A-Za-z0-9._-]/g, "_")
          .slice(0, 63)
          .replace(/[^A-Za-z0-9]+$/, ""),
      },
    },
    spec: {
      args: [
        { name: "model", value: o.model },
        { name: "stable-hash" },
        { name: "canary-hash" },
        { name: "rollout-namespace", value: "" },
        { name: "rollout-name", value: "" },
        { name: "modelgate-url", value: o.url },
        { name: "interval", value: o.interval },
        { name: "count", value: String(o.count) },
        { name: "inconclusive-limit", value: String(Math.max(0, o.count - 1)) },
        ...(looks === "none" ? [] : [{ name: "spending", value: o.spending ?? "obrien-fleming" }]),
        { name: "alpha", value: o.alpha ?? "0.05" },
        ...(o.perGate ? [] : [{ name: "optional-gates", value: optional.join(",") }]),
        ...thresholdArgs,
        { name: "api-token", valueFrom: { secretKeyRef: { name: "modelgate-api-token", key: "token" } } },
      ],
      metrics,
    },
  };
}

/**
 * A --set the service would refuse is refused here, where the template is made, rather than as a
 * 400 on every look of the analysis: the setting must be one the gate knows and its value valid.
 */
function settingOf(gate: GateName, field: string, value: string): void {
  try {
    checkSettingNames(gate, GATES[gate], [field]);
    withGatePrefix(gate, () =>
      field === "weight"
        ? parseNumberField({ weight: value }, "weight", 1, { min: 0 })
        : GATES[gate].parseConfig({ [field]: value }),
    );
  } catch (e) {
    if (e instanceof GateConfigError) throw new Error(`--set ${e.message}`);
    throw e;
  }
}

/**
 * --looks: `count` (the default: the count arg, so a Rollout's count is the declared schedule), `none`,
 * or a fixed number from the count up (fewer declared looks than Argo takes would leave the later
 * ones to the small anytime-valid reserve) to what the judge accepts.
 */
function lookSchedule(text: string | undefined, count: number): LookSchedule {
  if (text === undefined || text === "count") return "count";
  if (text === "none") return "none";
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= count && n <= MAX_LOOKS))
    throw new Error(
      `--looks must be count, none or an integer from --count (${count}) to ${MAX_LOOKS}, got "${text}"`,
    );
  return n;
}

function spendingOf(text: string | undefined, looks: LookSchedule): SpendingFunction | undefined {
  if (text === undefined) return undefined;
  if (!(SPENDING_FUNCTIONS as readonly string[]).includes(text))
    throw new Error(`--spending must be ${SPENDING_FUNCTIONS.join(" or ")}, got "${text}"`);
  if (looks === "none")
    throw new Error("--spending applies to a declared look schedule; --looks none declares none");
  return text as SpendingFunction;
}

export const templateCommand: Command = {
  name: "template",
  summary: "print an Argo Rollouts AnalysisTemplate for a model and chosen gates",
  async run(args: string[], io: CliIo): Promise<number> {
    const usage = (message: string) => {
      io.stderr(`modelgate template: ${message}\n`);
      return 2;
    };
    const parse = () =>
      parseOptions(args, {
        model: { type: "string" },
        gates: { type: "string" },
        optional: { type: "string" },
        set: { type: "string", multiple: true },
        alpha: { type: "string" },
        "min-samples": { type: "string" },
        "per-gate": { type: "boolean" },
        name: { type: "string" },
        cluster: { type: "boolean" },
        url: { type: "string" },
        interval: { type: "string" },
        count: { type: "string" },
        looks: { type: "string" },
        spending: { type: "string" },
        help: { type: "boolean" },
      }).values;
    let v: ReturnType<typeof parse>;
    try {
      v = parse();
    } catch (e) {
      return usage(`${(e as Error).message}\n\n${HELP}`);
    }
    if (v.help) {
      io.stdout(HELP);
      return 0;
    }
    if (!v.model) return usage(`--model is required\n\n${HELP}`);
    try {
      const gates = listOf(v.gates, "--gates");
      const optional = listOf(v.optional, "--optional");
      const settings: Record<string, string> = {};
      for (const s of v.set ?? []) {
        const m = s.match(/^([a-z]+)\.([A-Za-z]+)=(.*)$/);
        if (!m) throw new Error(`--set expects GATE.FIELD=VALUE, got "${s}"`);
        const [gate] = listOf(m[1], "--set") as GateName[];
        if (gates && !(gates as string[]).includes(gate))
          throw new Error(`--set ${gate}.${m[2]}: gate "${gate}" is not in --gates`);
        settingOf(gate, m[2], m[3]);
        if (`${gate}.${m[2]}` in settings) throw new Error(`--set ${gate}.${m[2]}: is given twice`);
        settings[`${gate}.${m[2]}`] = m[3];
      }
      const model = parseName(v.model, "--model");
      if (typeof model !== "string") throw new Error(`--model ${model.message}, got "${v.model}"`);
      const notJudged = gates && optional?.find((g) => !gates.includes(g));
      if (notJudged) throw new Error(`--optional ${notJudged}: gate "${notJudged}" is not in --gates`);
      if (v.url !== undefined && !isHttpUrl(v.url))
        throw new Error(`--url must be an http(s) URL, got "${v.url}"`);
      // Argo reads interval as a Go duration (time.ParseDuration); "0" or "1 minute" would fail every run
      const interval = v.interval;
      if (
        interval !== undefined &&
        !(/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(interval) && /[1-9]/.test(interval))
      )
        throw new Error(`--interval must be a duration like 30s, 1m or 1h30m, got "${v.interval}"`);
      const count = Number(v.count ?? 10);
      // the count is the judge request's looks, which the judge accepts up to MAX_LOOKS
      if (!Number.isInteger(count) || count < 1 || count > MAX_LOOKS)
        throw new Error(`--count must be an integer from 1 to ${MAX_LOOKS}, got "${v.count}"`);
      const looks = lookSchedule(v.looks, count);
      const spending = spendingOf(v.spending, looks);
      if (v.name !== undefined && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(v.name)) {
        throw new Error(
          `--name must be a Kubernetes name (lower case letters, digits, - and .), got "${v.name}"`,
        );
      }
      if (v.alpha !== undefined && !(Number(v.alpha) > 0 && Number(v.alpha) <= 0.5)) {
        throw new Error(`--alpha must be a number in (0, 0.5], got "${v.alpha}"`);
      }
      if (v["per-gate"] && optional !== undefined)
        throw new Error("--optional applies to the combined metric; a per-gate metric has only its own gate");
      if (v["min-samples"] !== undefined && !/^[1-9]\d*$/.test(v["min-samples"]))
        throw new Error(`--min-samples must be a positive integer, got "${v["min-samples"]}"`);
      const template = analysisTemplate({
        model: v.model,
        gates,
        optional,
        settings,
        alpha: v.alpha,
        minSamples: v["min-samples"],
        perGate: v["per-gate"] === true,
        name: v.name,
        cluster: v.cluster === true,
        url: v.url ?? "http://modelgate.modelgate.svc.cluster.local:8080",
        interval: v.interval ?? "1m",
        count,
        looks,
        spending,
      });
      io.stdout(argsComment(looks) + stringify(template, { lineWidth: 0 }));
      return 0;
    } catch (e) {
      return usage((e as Error).message);
    }
  },
};
