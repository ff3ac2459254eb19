import { stringify } from "yaml";
import type { GateName } from "../gates/registry.js";
import type { DecisionPlan, Plan, PlanRequest, ScheduleSuggestion } from "../plan/plan.js";
import { THRESHOLD_ARGS } from "./template.js";

/** What the user gave explicitly (so the args to paste carry it), beside the defaults. */
export interface GivenFlags {
  /** --set values by `<gate>.<field>` */
  settings: Map<string, string>;
  alpha: boolean;
  optional: boolean;
}

/** A Go duration Argo reads (`interval`): 1h30m, 2m, 45s, 500ms. */
export function goDuration(ms: number): string {
  if (ms % 1000 !== 0) return `${Math.round(ms)}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const text = `${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}${s > 0 ? `${s}s` : ""}`;
  return text === "" ? "0s" : text;
}

/** A time for people: 45s, 19m, 5h20m, 3d4h. */
export function humanDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return s % 60 === 0 ? `${s / 60}m` : `${Math.floor(s / 60)}m${s % 60}s`;
  const m = Math.round(s / 60);
  if (m < 48 * 60) return `${Math.floor(m / 60)}h${m % 60 > 0 ? `${String(m % 60).padStart(2, "0")}m` : ""}`;
  const h = Math.round(m / 60);
  return `${Math.floor(h / 24)}d${h % 24 > 0 ? `${h % 24}h` : ""}`;
}

const count = (n: number) => Math.ceil(n - 1e-9).toLocaleString("en-US");

/**
 * The Rollout analysis args that set this schedule (and the thresholds and alpha given), named and
 * ordered as the templates declare them. A declared schedule is the templates' own: they send
 * looks = the count arg, so only its spending function is an arg; the anytime-valid schedule is for
 * a template that declares none (`modelgate template --looks none`).
 */
export function templateArgs(
  request: PlanRequest,
  suggestion: ScheduleSuggestion,
  given: GivenFlags,
  schedule: "anytime" | "declared",
): { name: string; value: string }[] {
  const args = [
    { name: "interval", value: goDuration(suggestion.intervalMs) },
    { name: "count", value: String(suggestion.count) },
    // only a run whose every look was inconclusive should end Inconclusive
    { name: "inconclusive-limit", value: String(Math.max(0, suggestion.count - 1)) },
  ];
  if (schedule === "declared") args.push({ name: "spending", value: request.spending });
  if (given.alpha) args.push({ name: "alpha", value: String(request.alpha) });
  if (given.optional) args.push({ name: "optional-gates", value: request.optional.join(",") });
  for (const gate of request.gates) {
    for (const t of THRESHOLD_ARGS[gate]) {
      const value = given.settings.get(`${gate}.${t.field}`);
      if (value !== undefined) args.push({ name: t.arg, value });
    }
  }
  return args;
}

function decisionJson(d: DecisionPlan) {
  const timing = (t: { n: number; timeMs: number; look?: number } | null) =>
    t && { ...t, n: Math.ceil(t.n - 1e-9), timeMs: Math.round(t.timeMs), time: humanDuration(t.timeMs) };
  return {
    ...d,
    anytime: timing(d.anytime),
    declared: { alone: timing(d.declared.alone), suggested: timing(d.declared.suggested) },
  };
}

const DECLARED_FIELDS = (s: { looks: number; spending: string }) =>
  `the templates send looks = count (${s.looks}) and the spending arg (${s.spending})`;

export function planJson(request: PlanRequest, plan: Plan, given: GivenFlags): string {
  const { anytime, declared, missing } = plan.suggestion;
  const schedule = (s: ScheduleSuggestion | null, kind: "anytime" | "declared") =>
    s && {
      ...s,
      interval: goDuration(s.intervalMs),
      total: humanDuration(s.count * s.intervalMs),
      args: templateArgs(request, s, given, kind),
    };
  const body = {
    traffic: request.traffic,
    baselineRatio: plan.baselineRatio,
    gates: request.gates,
    optional: request.optional,
    alpha: request.alpha,
    gateAlpha: plan.gateAlpha,
    power: request.power,
    interval: goDuration(request.intervalMs),
    intervalMs: request.intervalMs,
    looks: request.looks,
    spending: request.spending,
    assumptions: request.assumptions,
    regressions: Object.fromEntries(request.gates.map((g) => [g, request.regressions[g]])),
    decisions: plan.decisions.map(decisionJson),
    suggestion: {
      anytime: schedule(anytime, "anytime"),
      declared: declared && {
        ...schedule(declared, "declared")!,
        requestFields: { looks: declared.looks, spending: declared.spending },
      },
      missing,
    },
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => (r[k] ?? "").length)));
  return rows
    .map((r) =>
      r
        .map((c, k) => c.padEnd(widths[k]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

const pct = (x: number) => `${Number((x * 100).toPrecision(3))}%`;

export function planText(request: PlanRequest, plan: Plan, given: GivenFlags): string {
  const { traffic } = request;
  const { anytime, declared, missing } = plan.suggestion;
  const labels =
    traffic.labelRate === 1 && traffic.labelDelayMs === 0
      ? "every event labelled at once"
      : `labels on ${pct(traffic.labelRate)} of events after ${humanDuration(traffic.labelDelayMs)}`;
  const a = request.assumptions;
  const head = [
    `traffic: ${request.traffic.rate} req/s, canary ${pct(traffic.weight)} (${Number((traffic.rate * traffic.weight).toPrecision(4))} candidate events/s, baseline ${Number(plan.baselineRatio.toPrecision(4))}× the candidate), ${labels}`,
    `alpha ${request.alpha} over ${request.gates.length} gate${request.gates.length > 1 ? "s" : ""} (${Number(plan.gateAlpha.toPrecision(4))} each); times by which ${pct(request.power)} of runs decided, Argo looking every ${goDuration(request.intervalMs)}`,
    `assumed: latency log-sd ${a.latencyLogSd}, baseline AUC ${a.baselineAuc}, prevalence ${a.prevalence}, selection rate ${a.selectionRate} in each of ${a.groups} groups, error rate ${a.errorRate}`,
  ];
  head.push(
    declared
      ? `declared schedule: ${declared.looks} looks every ${goDuration(declared.intervalMs)}, ${declared.spending} spending (the suggested one below)`
      : `declared schedule: ${request.looks} looks, ${request.spending} spending`,
  );
  const rows: string[][] = [
    ["gate", "decision", "anytime-valid", "", "declared", ""],
    ["", "", "n", "time", "n", "time"],
  ];
  let lastGate: GateName | undefined;
  for (const d of plan.decisions) {
    const unit = d.unit === "labelled" ? " labelled" : "";
    const cells = [
      d.gate === lastGate ? "" : d.gate,
      `${d.decision}: ${d.label}${d.required ? "" : " (optional)"}`,
    ];
    lastGate = d.gate;
    if (d.impossible) {
      rows.push([...cells, `cannot: ${d.impossible}`]);
      continue;
    }
    const at = d.anytime;
    if (at) cells.push(`${count(at.n)}${unit}`, `${humanDuration(at.timeMs)} (look ${at.look})`);
    else cells.push("out of reach", "");
    const s = d.declared.suggested;
    const alone = d.declared.alone;
    if (s) cells.push(`${count(s.n)}${unit}`, `${humanDuration(s.timeMs)} (look ${s.look})`);
    else if (alone) cells.push("beyond the schedule", `alone: ${humanDuration(alone.timeMs)}`);
    else cells.push("out of reach", "");
    rows.push(cells);
  }
  const units = request.gates.includes("auc")
    ? "n: candidate events (auc: labelled outcomes) at the look that sees the decision; time from the start of the analysis"
    : "n: candidate events at the look that sees the decision; time from the start of the analysis";
  const out = [...head, "", table(rows), "", units];
  const notes = plan.decisions.flatMap((d) => d.notes.map((n) => `${d.gate}: ${n}`));
  if (notes.length > 0) out.push(...[...new Set(notes)].map((n) => `note: ${n}`));
  out.push(
    "",
    "suggested AnalysisTemplate schedule (every required gate fails its regression and passes an equal model):",
  );
  if (missing) out.push(`  none: ${missing}`);
  else if (!anytime || !declared) out.push("  none: every judged gate is optional");
  else {
    const line = (name: string, s: ScheduleSuggestion) =>
      `  ${name} count ${s.count} × interval ${goDuration(s.intervalMs)} = ${humanDuration(s.count * s.intervalMs)} (set by ${s.slowest.gate} ${s.slowest.decision})`;
    out.push(
      `${line("declared:     ", declared)}; ${DECLARED_FIELDS(declared)}`,
      line("anytime-valid:", anytime),
    );
    const yaml = (s: ScheduleSuggestion, kind: "anytime" | "declared") =>
      stringify(templateArgs(request, s, given, kind), { lineWidth: 0 })
        .trimEnd()
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n");
    out.push(
      "",
      "template args to paste (declared schedule: the shipped templates and modelgate template's default):",
      yaml(declared, "declared"),
    );
    out.push(
      "",
      "template args to paste (anytime-valid: a template that declares no schedule, modelgate template --looks none):",
      yaml(anytime, "anytime"),
    );
  }
  return `${out.join("\n")}\n`;
}
