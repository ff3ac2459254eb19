import type { KubeClient, KubeEvent, RolloutRef } from "./kube-client.js";

/**
 * The Event a verdict puts on its Rollout: fail → Warning ModelGateFailed, inconclusive → Normal
 * ModelGateInconclusive (early looks are normally inconclusive, so not a warning), pass → none.
 * The message is the judgement's decisive reason, prefixed with the versions so that Events of
 * successive revisions can be told apart in `kubectl describe`.
 */
export function verdictEvent(judgement: {
  summary: { verdict: string; reason: string };
  judgement?: { baseline?: string; candidate?: string };
}): KubeEvent | undefined {
  const { verdict, reason } = judgement.summary;
  const versions =
    judgement.judgement?.candidate && judgement.judgement.baseline
      ? `${judgement.judgement.candidate} vs ${judgement.judgement.baseline}: `
      : "";
  if (verdict === "fail")
    return { type: "Warning", reason: "ModelGateFailed", message: `${versions}${reason}` };
  if (verdict === "inconclusive") {
    return { type: "Normal", reason: "ModelGateInconclusive", message: `${versions}${reason}` };
  }
  return undefined;
}

/**
 * Fire-and-forget: the HTTP answer to Argo must not wait for the API server. KubeClient.emitEvent
 * already never rejects; the catch only guards against a client that does.
 */
export function emitVerdictEvent(
  kube: KubeClient | undefined,
  rollout: RolloutRef | undefined,
  judgement: Parameters<typeof verdictEvent>[0],
): Promise<void> | undefined {
  if (!kube || !rollout) return undefined;
  const event = verdictEvent(judgement);
  if (!event) return undefined;
  return kube.emitEvent(rollout, event).catch(() => undefined);
}
