import { GateConfigError } from "../gates/config-parse.js";
import type { GateResult } from "../gates/gate.js";
import type { SequentialContext } from "../gates/sequential.js";
import type { Source } from "../sources/source.js";
import { finite } from "./finite.js";
import type { JudgementHistory } from "./history.js";
import type { JudgementMeta, JudgeResponse } from "./judgement.js";
import { combine } from "./policy.js";
import { type JudgeRequest, withGatePrefix } from "./request.js";

/**
 * The steps a canary judgement (judge.ts) and a shadow judgement (src/shadow/judge.ts) share:
 * both differ only in what the gates read (two cohorts or one paired summary), so choosing the
 * source, parsing configs, shielding the answer from a throwing gate, combining, counting the look,
 * sanitising and recording live here once and the two modes cannot drift apart.
 */

const iso = (ms: number) => new Date(ms).toISOString();

/** The named source (or the default); an unknown name is a 400 naming `source`. */
export function resolveSource(
  req: JudgeRequest,
  sources: Readonly<Record<string, Source>>,
  defaultSource: string,
): { sourceName: string; source: Source } {
  const sourceName = req.source ?? defaultSource;
  // own names only: "toString" or "constructor" must not find Object.prototype's members
  const source = Object.hasOwn(sources, sourceName) ? sources[sourceName] : undefined;
  if (!source) {
    throw new GateConfigError(
      "source",
      `unknown source "${sourceName}"; known: ${Object.keys(sources).join(", ")}`,
    );
  }
  return { sourceName, source };
}

/** Every requested gate's parsed config, in request order; a bad field is a 400 before any data is read. */
export function parseGateConfigs(
  req: JudgeRequest,
  registry: Readonly<Record<string, { parseConfig(raw: Record<string, unknown>): unknown }>>,
): (readonly [string, unknown])[] {
  return req.gates.map((name) => {
    const gate = registry[name];
    if (!Object.hasOwn(registry, name)) throw new GateConfigError("gates", `unknown gate "${name}"`);
    return [name, withGatePrefix(name, () => gate.parseConfig(req.gateFields[name] ?? {}))] as const;
  });
}

/**
 * Evaluate each gate; a gate that throws (a bug) is reported as inconclusive with the message,
 * counted over `n`, rather than turning the whole answer into an error.
 */
export function evaluateGates(
  configs: readonly (readonly [string, unknown])[],
  evaluate: (name: string, config: unknown) => GateResult,
  n: GateResult["n"],
): Record<string, GateResult> {
  const gates: Record<string, GateResult> = {};
  for (const [name, config] of configs) {
    try {
      gates[name] = evaluate(name, config);
    } catch (e) {
      gates[name] = {
        verdict: "inconclusive",
        metric: name,
        value: null,
        threshold: null,
        interval: null,
        n: { ...n },
        reason: `could not be computed: ${(e as Error).message}`,
        metrics: {},
      };
    }
  }
  return gates;
}

export interface JudgementParts {
  gates: Record<string, GateResult>;
  /** why there is nothing to judge yet, or undefined when there is; replaces any reason but a fail's */
  noDataReason: string | undefined;
  /** start of the window, undefined when the candidate has no events yet */
  from: number | undefined;
  gateAlpha: number;
  sourceName: string;
  mode: NonNullable<JudgementMeta["mode"]>;
}

/** The key a run's looks are counted under (canary and shadow apart, and per gate set). */
export function lookKeyOf(req: JudgeRequest, mode: NonNullable<JudgementMeta["mode"]>): string {
  return `${req.runKey}#${mode === "shadow" ? "shadow#" : ""}${req.gates.join(",")}`;
}

/**
 * The sequential context of each gate at this look when the request declares a look schedule
 * (undefined otherwise: anytime-valid bounds), and what to attach to the gate's answer after it.
 */
export function sequentialContexts(
  req: JudgeRequest,
  history: JudgementHistory,
  mode: NonNullable<JudgementMeta["mode"]>,
): {
  context: (gate: string) => SequentialContext | undefined;
  attach: (gate: string, result: GateResult) => GateResult;
} {
  const lookKey = lookKeyOf(req, mode);
  const look = history.looksOf(lookKey) + 1;
  const contexts = new Map<string, SequentialContext>();
  return {
    context(gate) {
      if (req.looks === undefined) return undefined;
      const spending = req.spending ?? "obrien-fleming";
      const c = history.sequences.contextFor(lookKey, gate, { look, looks: req.looks, spending });
      contexts.set(gate, c);
      return c;
    },
    attach(gate, result) {
      const c = contexts.get(gate);
      if (!c) return result;
      return {
        ...result,
        sequential: { look, looks: c.looks, spending: c.spending, observed: Object.fromEntries(c.observed) },
      };
    },
  };
}

const duration = (seconds: number) =>
  seconds < 90
    ? `${Math.ceil(seconds)} s`
    : seconds < 5400
      ? `${Math.ceil(seconds / 60)} min`
      : seconds < 172_800
        ? `${(seconds / 3600).toFixed(1)} h`
        : `${(seconds / 86_400).toFixed(1)} days`;

/**
 * For an inconclusive answer: the time the blocking gate (the one whose reason the summary gives)
 * still needs at the candidate's rate over the window so far, when the gate says how much more data
 * its estimate needs (GateResult.needs).
 */
function timeToDecide(
  req: JudgeRequest,
  gates: Record<string, GateResult>,
  seconds: number,
): string | undefined {
  const optional = new Set(req.optional);
  const name = req.gates.find(
    (g) => gates[g].verdict === "inconclusive" && gates[g].judged !== false && !optional.has(g),
  );
  const gate = name === undefined ? undefined : gates[name];
  if (!gate?.needs || !(seconds > 0) || !(gate.n.candidate > 0)) return undefined;
  const rate = gate.n.candidate / seconds;
  const perSecond = rate >= 10 ? rate.toFixed(0) : rate.toPrecision(2);
  return `≈ ${duration(gate.needs.more / rate)} more at the candidate's ${perSecond} ${gate.needs.unit}/s so far`;
}

/**
 * Combine the gates, count the look (canary and shadow looks under separate keys so they do not
 * mix), sanitise every non-finite number to null and record the answer in the audit log.
 */
export function recordJudgement(
  req: JudgeRequest,
  deps: { history: JudgementHistory; clock: () => number },
  parts: JudgementParts,
): JudgeResponse {
  const { gates, from } = parts;
  const summary = combine(
    req.gates.map((g) => [g, gates[g]] as const),
    { weights: req.weights, optional: req.optional },
  );
  if (parts.noDataReason !== undefined && summary.verdict !== "fail") summary.reason = parts.noDataReason;
  else if (summary.verdict === "inconclusive" && from !== undefined) {
    const wait = timeToDecide(req, gates, (req.until - from) / 1000);
    if (wait) summary.reason += `; ${wait}`;
  }
  const lookKey = lookKeyOf(req, parts.mode);
  const response: JudgeResponse = finite({
    summary,
    gates,
    judgement: {
      id: "",
      model: req.model,
      baseline: req.baseline,
      candidate: req.candidate,
      window: `${from !== undefined ? iso(from) : "(no events yet)"}/${iso(req.until)}`,
      look: deps.history.nextLook(lookKey),
      runKey: req.runKey,
      alpha: req.alpha,
      gateAlpha: parts.gateAlpha,
      source: parts.sourceName,
      at: iso(deps.clock()),
      mode: parts.mode,
      ...(req.rollout ? { rollout: req.rollout } : {}),
    },
  });
  return deps.history.record(lookKey, response);
}
