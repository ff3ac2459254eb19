import type { FeatureRow } from "./cloudevent-inputs.js";
import type { PredictionEvent } from "./event.js";

/**
 * The two halves of a logged inference (a request event and a response event sharing an id)
 * and the prediction events they make. Whichever half arrives first waits for the other (see
 * src/store/pending-requests.ts); these builders are pure, so the store can build the same
 * events live and from its log.
 */
export interface RequestHalf {
  id: string;
  model: string;
  /** undefined when only the response names it (a v2 body's `model_version`) */
  version?: string;
  /** epoch ms: `ce-time` when sent, else the arrival time */
  ts: number;
  /** whether `ts` is the event's own `ce-time` (latency is measured only between two of those) */
  stamped: boolean;
  /** instances the request asked predictions for (1 when the body shape is unknown) */
  instances: number;
  features?: FeatureRow[];
  groups?: Array<Record<string, string> | null>;
}

export interface ResponseHalf {
  id: string;
  model: string;
  version?: string;
  ts: number;
  stamped: boolean;
  /** latency measured by the sender (`x-modelgate-latency-ms`) */
  latencyMs?: number;
  /** a body `{"error": …}` */
  failed?: boolean;
  /** one per prediction; null: not readable as a score (an invalid prediction) */
  scores?: Array<number | null>;
}

const eventId = (id: string, n: number, i: number) => (n === 1 ? id : `${id}#${i}`);

/**
 * Latency of a pair: the sender's own figure when it sent one, else response time − request
 * time when both events carry `ce-time` and the difference is not negative. From KServe 0.18
 * those are the times the agent received the request and the model's answer (the model's
 * latency as the pod saw it); before 0.18, and from Seldon 1.x, they are send times, so the
 * difference also holds the logger's queueing (docs/ingestion.md).
 */
function latencyOf(response: ResponseHalf, request: RequestHalf | undefined): number | undefined {
  if (response.latencyMs !== undefined) return response.latencyMs;
  if (!request?.stamped || !response.stamped) return undefined;
  const d = response.ts - request.ts;
  return d >= 0 ? d : undefined;
}

/**
 * The events of an answered request: one per prediction, with the request's features and
 * groups (matched by position when the counts agree), filed at the request's time. A failed
 * answer is one error per instance of the request (1 when the request is unknown). The version
 * is the request's, else the response's; the caller makes sure one of them has it.
 */
export function answeredEvents(response: ResponseHalf, request: RequestHalf | undefined): PredictionEvent[] {
  const version = request?.version ?? response.version;
  if (version === undefined) throw new Error("answeredEvents: neither half names a version");
  const latencyMs = latencyOf(response, request);
  const base = {
    model: response.model,
    version,
    ts: request?.ts ?? response.ts,
    ...(latencyMs !== undefined ? { latencyMs } : {}),
  };
  if (response.failed) {
    const n = Math.max(1, request?.instances ?? 1);
    return Array.from({ length: n }, (_, i) => ({ ...base, id: eventId(response.id, n, i), error: true }));
  }
  const scores = response.scores ?? [];
  const n = scores.length;
  const features = request?.features?.length === n ? request.features : undefined;
  const groups = request?.groups?.length === n ? request.groups : undefined;
  return scores.map((score, i) => {
    const f = features?.[i];
    const g = groups?.[i];
    return {
      ...base,
      id: eventId(response.id, n, i),
      ...(score !== null ? { score } : { invalid: true, error: false }),
      ...(f && Object.keys(f).length > 0 ? { features: f } : {}),
      ...(g ? { groups: g } : {}),
    };
  });
}

/**
 * The events of a request that got no answer in time: KServe's and Seldon's loggers send no
 * response event for a failed request, so one error per instance, filed at the request's time.
 */
export function unansweredEvents(request: RequestHalf & { version: string }): PredictionEvent[] {
  const n = Math.max(1, request.instances);
  return Array.from({ length: n }, (_, i) => ({
    model: request.model,
    version: request.version,
    ts: request.ts,
    id: eventId(request.id, n, i),
    error: true,
  }));
}
