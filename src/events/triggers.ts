import type { GateResult } from "../gates/gate.js";
import type { JudgeResponse } from "../judge/judgement.js";
import type { EventTrigger } from "./cloudevent.js";

/**
 * Does this drift result fail against the uploaded reference profile? The drift gate labels every
 * comparison with the reference profile "… vs reference profile" and a fail's reason lists the
 * failed comparisons, "<label>: <why>", joined by "; " (src/gates/drift.ts). A fail against the
 * baseline alone (drift.reference=both) does not count.
 */
export function failsAgainstReferenceProfile(
  drift: Pick<GateResult, "verdict" | "reason"> | undefined,
): boolean {
  if (drift?.verdict !== "fail") return false;
  return drift.reason.split("; ").some((part) => /^(scores|feature .+) vs reference profile: /.test(part));
}

/** Keys remembered before the oldest are forgotten (a run key judged again after that would re-send). */
export const DEFAULT_LEDGER_SIZE = 100_000;

/**
 * What has been sent: once per run and trigger (a verdict trigger once per verdict). A run is
 * its run key, mode and gate set, as the judge counts looks, so the one-metric-per-gate templates
 * send per gate. `seen` seeds the ledger from the judgement history replayed at start, so a
 * restart does not send again what was sent before it (an event still queued at a crash is lost,
 * not duplicated). Memory: at most `capacity` keys, the oldest forgotten first.
 */
export class EventLedger {
  private readonly sent = new Map<string, true>();

  constructor(private readonly capacity = DEFAULT_LEDGER_SIZE) {}

  /** The triggers this judgement fires that were not fired before; marks them fired. */
  fire(response: JudgeResponse): EventTrigger[] {
    const out: EventTrigger[] = [];
    const run = runOf(response);
    const verdict = response.summary.verdict;
    if ((verdict === "pass" || verdict === "fail") && this.mark(`${run}\u0000verdict\u0000${verdict}`)) {
      out.push("verdict");
    }
    if (failsAgainstReferenceProfile(response.gates.drift) && this.mark(`${run}\u0000reference-drift`)) {
      out.push("reference-drift");
    }
    return out;
  }

  /** A judgement replayed from the audit log: what it fired counts as sent. */
  seen(response: JudgeResponse): void {
    this.fire(response);
  }

  get size(): number {
    return this.sent.size;
  }

  private mark(key: string): boolean {
    if (this.sent.has(key)) return false;
    this.sent.set(key, true);
    if (this.sent.size > this.capacity) this.sent.delete(this.sent.keys().next().value as string);
    return true;
  }
}

function runOf(r: JudgeResponse): string {
  const j = r.judgement;
  return [j.model, j.runKey, j.mode ?? "canary", Object.keys(r.gates).join(",")].join("\u0000");
}
