import { didYouMean } from "../closest-name.js";
import { GateConfigError } from "../gates/config-parse.js";
import { GATE_NAMES, GATES, type GateName, isGateName } from "../gates/registry.js";
import { checkSettingNames } from "../gates/settings.js";
import { MAX_LOOKS, parseDuration, withGatePrefix } from "../judge/request.js";
import { PlanInputError, parseAssumptions, parseRegressions } from "../plan/inputs.js";
import { type GateConfigs, makePlan, type PlanRequest } from "../plan/plan.js";
import { dictionary } from "../safe-keys.js";
import { SPENDING_FUNCTIONS, type SpendingFunction } from "../stats/alpha-spending.js";
import { parseOptions } from "./command-line.js";
import { planJson, planText } from "./plan-output.js";
import type { CliIo, Command } from "./run.js";

const HELP = `modelgate plan — how long a canary analysis needs before each gate can decide

Usage: modelgate plan --rate N --weight W [options]

For every judged gate: the candidate events (labelled outcomes, for auc) and the wall-clock time by
which 80% of runs (--power) have failed the stated regression and passed an equal model, with the
judge's anytime-valid bounds and with a declared schedule of --looks looks; then the shortest
AnalysisTemplate schedule (count × interval) that lets every required gate do both, and the template
args to paste into a Rollout's analysis step (the shipped templates declare their count as the
schedule; the anytime-valid one is for a template made with modelgate template --looks none). Computed from the boundaries the judge uses, each gate
at its share of alpha, under assumptions about the data (--assume) stated in the output.
Exit code: 0 printed, 2 usage error.

Traffic:
  --rate N              requests per second to the model, both versions together (required)
  --weight W            canary weight: a share (0.1) or a percentage (10%) (required)
  --label-rate R        share of events that get a label, 0.5 or 50% (default 1: every event)
  --label-delay D       time from an event to its label: 30s, 10m, 2h, 1d (default 0s)

Gates:
  --gates LIST          gates judged, comma-separated (default: all of ${GATE_NAMES.join(", ")});
                        each takes the judge's share alpha/<number of gates>
  --optional LIST       gates whose inconclusive verdict does not block a pass: listed, not counted
                        in the suggestion (default auc when judged, as modelgate template; "" = none)
  --set GATE.FIELD=V    a gate setting, repeatable, checked as the judge checks it
                        (e.g. --set latency.maxRatio=1.3 --set auc.margin=0.05)
  --alpha N             family-wise error budget, in (0, 0.5] (default 0.05)

What the data look like and what must be caught:
  --assume NAME=V,…     latencyLogSd (sd of ln latency, 0.5), baselineAuc (0.8), prevalence (share of
                        positives, 0.3), selectionRate (per group, 0.3), groups (2), errorRate (0.005);
                        repeatable
  --regression GATE=V,… latency=1.3 (quantile ratio), auc=-0.05 (AUC change), fairness=0.8 (parity
                        ratio), errors=+0.01 (error-rate increase), drift=0.5 (PSI); each beyond the
                        gate's tolerance; repeatable
  --power P             share of runs that must have decided, 0.8 or 80% (default 0.8)

Schedule:
  --interval D          time between Argo's looks, a Go duration: 30s, 1m, 1h30m (default 1m)
  --looks K             looks of a declared schedule (default 10): the count of the suggested
                        declared schedule, which the templates send as the judge's looks field
  --spending NAME       ${SPENDING_FUNCTIONS.join(" or ")} (default obrien-fleming): the templates' spending arg

Output:
  --format text|json    a table (default) or JSON for machines
  --help                show this help

Examples:
  modelgate plan --rate 100 --weight 10%
  modelgate plan --rate 20 --weight 0.05 --label-rate 30% --label-delay 15m --gates latency,auc,errors
  modelgate plan --rate 500 --weight 20% --set auc.margin=0.05 --regression latency=1.5,auc=-0.1 --optional ""
  modelgate plan --rate 100 --weight 10% --looks 8 --spending pocock --interval 2m --format json
`;

/** A share written as 0.1 or 10%; `max` inclusive when `maxIncluded`. */
function share(
  flag: string,
  text: string,
  range: { min: number; max: number; maxIncluded: boolean; example: string },
): number {
  const m = text.trim().match(/^(\d+\.?\d*|\.\d+)\s*(%?)$/);
  const x = m ? Number(m[1]) / (m[2] ? 100 : 1) : Number.NaN;
  const below = range.maxIncluded ? x <= range.max : x < range.max;
  if (!(x > range.min && below)) {
    const bound = `${range.min}, ${range.max}${range.maxIncluded ? "]" : ")"}`;
    throw new PlanInputError(flag, `must be a share in (${bound} such as ${range.example}, got "${text}"`);
  }
  return x;
}

const GO_UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** A positive Go duration (what Argo reads as interval) in ms. */
function goDuration(flag: string, text: string): number {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text))
    throw new PlanInputError(flag, `must be a duration like 30s, 1m or 1h30m, got "${text}"`);
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * GO_UNIT_MS[m[2]];
  if (!(ms >= 1)) throw new PlanInputError(flag, `must be at least 1ms, got "${text}"`);
  return ms;
}

function positiveNumber(flag: string, text: string): number {
  const x = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(x > 0 && Number.isFinite(x))) throw new PlanInputError(flag, `must be a number > 0, got "${text}"`);
  return x;
}

function gateList(flag: string, text: string): GateName[] {
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!isGateName(n))
      throw new PlanInputError(
        flag,
        `unknown gate "${n}"${didYouMean(n, GATE_NAMES)}; gates: ${GATE_NAMES.join(", ")}`,
      );
  }
  return GATE_NAMES.filter((g) => names.includes(g));
}

/** --set GATE.FIELD=V, each checked as the judge checks it, into every judged gate's typed config. */
function gateConfigs(
  sets: readonly string[],
  gates: readonly GateName[],
): { configs: GateConfigs; settings: Map<string, string> } {
  const fields = new Map<GateName, Record<string, unknown>>(
    GATE_NAMES.map((g) => [g, dictionary<unknown>()]),
  );
  const settings = new Map<string, string>();
  for (const s of sets) {
    const m = s.match(/^([^.=]+)\.([^=]+)=(.*)$/);
    if (!m) throw new PlanInputError("--set", `expects GATE.FIELD=VALUE, got "${s}"`);
    const [, gate, field, value] = m.map((x) => x.trim());
    if (!isGateName(gate))
      throw new PlanInputError(
        `--set ${gate}.${field}`,
        `unknown gate "${gate}"${didYouMean(gate, GATE_NAMES)}; gates: ${GATE_NAMES.join(", ")}`,
      );
    if (!gates.includes(gate))
      throw new PlanInputError(`--set ${gate}.${field}`, `gate "${gate}" is not in --gates`);
    const key = `${gate}.${field}`;
    if (settings.has(key)) throw new PlanInputError(`--set ${key}`, "is given twice");
    settings.set(key, value);
    fields.get(gate)![field] = value;
  }
  const configs = dictionary<unknown>();
  for (const gate of GATE_NAMES) {
    const raw = fields.get(gate)!;
    try {
      checkSettingNames(gate, GATES[gate], Object.keys(raw));
      // the judge reads weight itself; it changes the score, not when a gate decides
      delete raw.weight;
      configs[gate] = withGatePrefix(gate, () => GATES[gate].parseConfig(raw));
    } catch (e) {
      if (e instanceof GateConfigError)
        throw new PlanInputError(`--set ${e.field}`, e.message.slice(e.field.length + 2));
      throw e;
    }
  }
  if ((configs.latency as GateConfigs["latency"]).method !== "asymptotic")
    throw new PlanInputError(
      "--set latency.method",
      "a plan follows the asymptotic method's bounds (the default) only",
    );
  return { configs: configs as unknown as GateConfigs, settings };
}

export const planCommand: Command = {
  name: "plan",
  summary: "how long an analysis needs: time to fail a regression / pass an equal model, per gate",
  async run(args: string[], io: CliIo): Promise<number> {
    const usage = (message: string) => {
      io.stderr(`modelgate plan: ${message}\n`);
      return 2;
    };
    const parse = () =>
      parseOptions(args, {
        rate: { type: "string" },
        weight: { type: "string" },
        "label-rate": { type: "string" },
        "label-delay": { type: "string" },
        gates: { type: "string" },
        optional: { type: "string" },
        set: { type: "string", multiple: true },
        alpha: { type: "string" },
        assume: { type: "string", multiple: true },
        regression: { type: "string", multiple: true },
        power: { type: "string" },
        interval: { type: "string" },
        looks: { type: "string" },
        spending: { type: "string" },
        format: { type: "string" },
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
    if (v.rate === undefined || v.weight === undefined)
      return usage(`--rate and --weight are required\n\n${HELP}`);
    try {
      const format = v.format ?? "text";
      if (format !== "text" && format !== "json")
        throw new PlanInputError("--format", `must be text or json, got "${format}"`);
      const gates = v.gates === undefined ? [...GATE_NAMES] : gateList("--gates", v.gates);
      if (gates.length === 0) throw new PlanInputError("--gates", "names no gate");
      const optional =
        v.optional === undefined ? gates.filter((g) => g === "auc") : gateList("--optional", v.optional);
      const stray = optional.find((g) => !gates.includes(g));
      if (stray) throw new PlanInputError("--optional", `gate "${stray}" is not in --gates`);
      const delay = v["label-delay"] ?? "0s";
      const labelDelayMs = delay.trim() === "0" ? 0 : parseDuration(delay);
      if (labelDelayMs === undefined)
        throw new PlanInputError(
          "--label-delay",
          `must be a duration like 30s, 10m, 2h or 1d, got "${delay}"`,
        );
      const alpha = v.alpha === undefined ? 0.05 : positiveNumber("--alpha", v.alpha);
      if (alpha > 0.5) throw new PlanInputError("--alpha", `must be a number in (0, 0.5], got "${v.alpha}"`);
      const looks = Number(v.looks ?? 10);
      if (!(Number.isInteger(looks) && looks >= 1 && looks <= MAX_LOOKS))
        throw new PlanInputError("--looks", `must be an integer in [1, ${MAX_LOOKS}], got "${v.looks}"`);
      const spending = (v.spending ?? "obrien-fleming") as SpendingFunction;
      if (!SPENDING_FUNCTIONS.includes(spending))
        throw new PlanInputError(
          "--spending",
          `must be ${SPENDING_FUNCTIONS.join(" or ")}, got "${v.spending}"`,
        );
      const regressionNames = (v.regression ?? []).flatMap((t) =>
        t.split(",").map((p) => p.split("=")[0].trim()),
      );
      const unjudged = regressionNames.find((g) => isGateName(g) && !gates.includes(g));
      if (unjudged)
        throw new PlanInputError(`--regression ${unjudged}`, `gate "${unjudged}" is not in --gates`);
      const { configs, settings } = gateConfigs(v.set ?? [], gates);
      const request: PlanRequest = {
        traffic: {
          rate: positiveNumber("--rate", v.rate),
          weight: share("--weight", v.weight, { min: 0, max: 1, maxIncluded: false, example: "0.1 or 10%" }),
          labelRate: share("--label-rate", v["label-rate"] ?? "1", {
            min: 0,
            max: 1,
            maxIncluded: true,
            example: "0.5 or 50%",
          }),
          labelDelayMs,
        },
        gates,
        optional,
        configs,
        assumptions: parseAssumptions(v.assume ?? []),
        regressions: parseRegressions(v.regression ?? []),
        alpha,
        power: share("--power", v.power ?? "0.8", {
          min: 0.5,
          max: 0.99,
          maxIncluded: true,
          example: "0.8 or 80%",
        }),
        looks,
        spending,
        intervalMs: goDuration("--interval", v.interval ?? "1m"),
      };
      const plan = makePlan(request);
      const given = {
        settings,
        alpha: v.alpha !== undefined,
        optional: v.optional !== undefined,
      };
      io.stdout(format === "json" ? planJson(request, plan, given) : planText(request, plan, given));
      return 0;
    } catch (e) {
      if (e instanceof PlanInputError) return usage(e.message);
      throw e;
    }
  },
};
