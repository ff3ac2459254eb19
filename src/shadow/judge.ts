import { GateConfigError } from "../gates/config-parse.js";
import { SHADOW_GATES } from "../gates/shadow/registry.js";
import type { ShadowGateRegistry } from "../gates/shadow/shadow-gate.js";
import {
  evaluateGates,
  parseGateConfigs,
  recordJudgement,
  resolveSource,
  sequentialContexts,
} from "../judge/assembly.js";
import type { JudgeDeps } from "../judge/judge.js";
import type { JudgeResponse } from "../judge/judgement.js";
import { alphaPerGate } from "../judge/policy.js";
import type { JudgeRequest } from "../judge/request.js";
import { isPairedSource } from "./paired-source.js";
import { PairedSummary } from "./paired-summary.js";
import type { PairedWindow } from "./pairing-index.js";

/**
 * Judge a shadow (mirrored) candidate: like runJudgement, but the gates read the paired summary of
 * both versions' answers to the same requests (src/shadow/pairing-index.ts) instead of two cohorts.
 * Same response shape (summary, gates.*, judgement with mode "shadow"), same alpha split across the
 * requested gates, same look counting (under its own key, so canary and shadow looks do not mix), and
 * the same declared look schedule: each gate gets the run's sequential context and its answer keeps
 * `sequential` (the look and its contrasts' information) for the run's next look.
 * A source that cannot pair (Prometheus) is a 400 naming `source`; no pairs yet is inconclusive.
 */
export async function runShadowJudgement(
  req: JudgeRequest,
  deps: JudgeDeps & { shadowRegistry?: ShadowGateRegistry },
): Promise<JudgeResponse> {
  const registry: ShadowGateRegistry = deps.shadowRegistry ?? SHADOW_GATES;
  const { sourceName, source } = resolveSource(req, deps.sources, deps.defaultSource);
  if (!isPairedSource(source)) {
    throw new GateConfigError(
      "source",
      `source "${sourceName}" cannot pair requests (mode=shadow needs each request's id from both versions: use the embedded store)`,
    );
  }
  const configs = parseGateConfigs(req, registry);
  const gateAlpha = alphaPerGate(req.alpha, req.gates.length);
  const from = req.since ?? (await source.firstSeen(req.model, req.candidate));
  const found =
    from === undefined
      ? undefined
      : await source.paired({
          model: req.model,
          baseline: req.baseline,
          candidate: req.candidate,
          from,
          to: req.until,
        });
  const paired: PairedWindow = found ?? {
    summary: new PairedSummary(),
    unpaired: { baseline: 0, candidate: 0 },
    pending: { baseline: 0, candidate: 0 },
  };

  const sequential = sequentialContexts(req, deps.history, "shadow");
  const gates = evaluateGates(
    configs,
    (name, config) =>
      sequential.attach(
        name,
        registry[name].evaluate({ paired, config, alpha: gateAlpha, sequential: sequential.context(name) }),
      ),
    { baseline: paired.summary.pairs, candidate: paired.summary.pairs },
  );
  const noDataReason =
    paired.summary.pairs !== 0
      ? undefined
      : from === undefined
        ? `candidate "${req.candidate}" of model "${req.model}" has no events yet`
        : `no request of model "${req.model}" answered by both "${req.baseline}" and "${req.candidate}" in the window yet (pairing is by event id; ${paired.unpaired.baseline} baseline and ${paired.unpaired.candidate} candidate answers expired unpaired)`;
  return recordJudgement(req, deps, { gates, noDataReason, from, gateAlpha, sourceName, mode: "shadow" });
}
