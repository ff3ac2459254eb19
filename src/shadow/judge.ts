import { GateConfigError } from "../gates/config-parse.js";
import type { GateResult } from "../gates/gate.js";
import { SHADOW_GATES } from "../gates/shadow/registry.js";
import type { ShadowGateRegistry } from "../gates/shadow/shadow-gate.js";
import { finite } from "../judge/finite.js";
import type { JudgeDeps } from "../judge/judge.js";
import type { JudgeResponse } from "../judge/judgement.js";
import { alphaPerGate, combine } from "../judge/policy.js";
import { type JudgeRequest, withGatePrefix } from "../judge/request.js";
import { isPairedSource } from "./paired-source.js";
import { PairedSummary } from "./paired-summary.js";
import type { PairedWindow } from "./pairing-index.js";

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Judge a shadow (mirrored) candidate: like runJudgement, but the gates read the paired summary of
 * both versions' answers to the same requests (src/shadow/pairing-index.ts) instead of two cohorts.
 * Same response shape (summary, gates.*, judgement with mode "shadow"), same alpha split across the
 * requested gates, same look counting (under its own key, so canary and shadow looks do not mix).
 * A source that cannot pair (Prometheus) is a 400 naming `source`; no pairs yet is inconclusive.
 */
export async function runShadowJudgement(
  req: JudgeRequest,
  deps: JudgeDeps & { shadowRegistry?: ShadowGateRegistry },
): Promise<JudgeResponse> {
  const registry: ShadowGateRegistry = deps.shadowRegistry ?? SHADOW_GATES;
  const sourceName = req.source ?? deps.defaultSource;
  const source = deps.sources[sourceName];
  if (!source) {
    throw new GateConfigError(
      "source",
      `unknown source "${sourceName}"; known: ${Object.keys(deps.sources).join(", ")}`,
    );
  }
  if (!isPairedSource(source)) {
    throw new GateConfigError(
      "source",
      `source "${sourceName}" cannot pair requests (mode=shadow needs each request's id from both versions: use the embedded store)`,
    );
  }
  const configs = req.gates.map((name) => {
    const gate = registry[name];
    return [name, withGatePrefix(name, () => gate.parseConfig(req.gateFields[name] ?? {}))] as const;
  });
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

  const gates: Record<string, GateResult> = {};
  for (const [name, config] of configs) {
    try {
      gates[name] = registry[name].evaluate({ paired, config, alpha: gateAlpha });
    } catch (e) {
      gates[name] = {
        verdict: "inconclusive",
        metric: name,
        value: null,
        threshold: null,
        interval: null,
        n: { baseline: paired.summary.pairs, candidate: paired.summary.pairs },
        reason: `could not be computed: ${(e as Error).message}`,
        metrics: {},
      };
    }
  }
  const summary = combine(
    req.gates.map((g) => [g, gates[g]] as const),
    { weights: req.weights, optional: req.optional },
  );
  if (paired.summary.pairs === 0 && summary.verdict !== "fail") {
    summary.reason =
      from === undefined
        ? `candidate "${req.candidate}" of model "${req.model}" has no events yet`
        : `no request of model "${req.model}" answered by both "${req.baseline}" and "${req.candidate}" in the window yet (pairing is by event id; ${paired.unpaired.baseline} baseline and ${paired.unpaired.candidate} candidate answers expired unpaired)`;
  }
  const lookKey = `${req.runKey}#shadow#${req.gates.join(",")}`;
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
      gateAlpha,
      source: sourceName,
      at: iso(deps.clock()),
      mode: "shadow" as const,
    },
  });
  return deps.history.record(lookKey, response);
}
