import type { GateRegistry } from "../gates/registry.js";
import { runShadowJudgement } from "../shadow/judge.js";
import { CohortSummary } from "../sketch/cohort-summary.js";
import type { Source } from "../sources/source.js";
import {
  evaluateGates,
  parseGateConfigs,
  recordJudgement,
  resolveSource,
  sequentialContexts,
} from "./assembly.js";
import type { JudgementHistory } from "./history.js";
import type { JudgeResponse } from "./judgement.js";
import { alphaPerGate } from "./policy.js";
import type { JudgeRequest } from "./request.js";

export interface JudgeDeps {
  registry: GateRegistry;
  sources: Readonly<Record<string, Source>>;
  defaultSource: string;
  history: JudgementHistory;
  clock: () => number;
  /**
   * The model's uploaded reference profile, read only when the drift gate asks for it
   * (`drift.reference` = profile | both); it replaces any `drift.referenceProfile` in the request.
   */
  referenceProfile?: (model: string) => Promise<unknown | undefined>;
}

/**
 * Run one judgement: parse every gate's config (a bad field is a 400 before any data is read),
 * read both cohorts over the same window, evaluate the gates at alpha/K each, combine, count the
 * look, record the judgement in the audit log, and return the sanitised answer.
 *
 * Missing data is never an error: a candidate not seen yet (Argo's first look usually comes
 * before the canary has traffic) or an unknown model gives inconclusive with a reason naming what
 * is missing. Only SourceUnavailable escapes (the route answers 503). A gate that throws (a bug)
 * is reported as inconclusive with the message rather than turning the whole answer into an error.
 */
export async function runJudgement(req: JudgeRequest, deps: JudgeDeps): Promise<JudgeResponse> {
  if (req.mode === "shadow") return runShadowJudgement(req, deps);
  const { sourceName, source } = resolveSource(req, deps.sources, deps.defaultSource);
  const driftFields = req.gateFields.drift;
  if (
    driftFields &&
    deps.referenceProfile &&
    ["profile", "both"].includes(String(driftFields.reference ?? "").trim())
  ) {
    req.gateFields.drift = { ...driftFields, referenceProfile: await deps.referenceProfile(req.model) };
  }
  const configs = parseGateConfigs(req, deps.registry);
  const gateAlpha = alphaPerGate(req.alpha, req.gates.length);

  const candidateFirst =
    req.since === undefined ? await source.firstSeen(req.model, req.candidate) : undefined;
  const from = req.since ?? candidateFirst;
  let baseline: CohortSummary | undefined;
  let candidate: CohortSummary | undefined;
  if (from !== undefined) {
    [baseline, candidate] = await Promise.all([
      source.cohort({ model: req.model, version: req.baseline, from, to: req.until }),
      source.cohort({ model: req.model, version: req.candidate, from, to: req.until }),
    ]);
  } else {
    // No candidate events yet: read the baseline alone so the answer can still say what it has.
    baseline = await source.cohort({ model: req.model, version: req.baseline, to: req.until });
  }
  const baselineKnown = baseline !== undefined;
  const candidateKnown = candidate !== undefined && candidate.events > 0;
  const layout = baseline?.layout ?? candidate?.layout;
  const b = baseline ?? new CohortSummary(layout);
  const c = candidate ?? new CohortSummary(layout);

  const sequential = sequentialContexts(req, deps.history, "canary");
  const gates = evaluateGates(
    configs,
    (name, config) =>
      sequential.attach(
        name,
        deps.registry[name].evaluate({
          baseline: b,
          candidate: c,
          config,
          alpha: gateAlpha,
          sequential: sequential.context(name),
        }),
      ),
    { baseline: b.events, candidate: c.events },
  );
  const noDataReason = candidateKnown
    ? undefined
    : !baselineKnown
      ? `no events for model "${req.model}" versions "${req.baseline}" (baseline) or "${req.candidate}" (candidate) yet: check the names, or wait for traffic`
      : `candidate "${req.candidate}" of model "${req.model}" has no events in the window yet`;
  return recordJudgement(req, deps, { gates, noDataReason, from, gateAlpha, sourceName, mode: "canary" });
}
