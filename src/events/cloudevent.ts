import type { Verdict } from "../gates/gate.js";
import type { JudgeResponse } from "../judge/judgement.js";

/** The CloudEvents type of every event modelgate sends. */
export const JUDGEMENT_EVENT_TYPE = "dev.modelgate.judgement.v1";
/** Structured mode (CloudEvents HTTP binding §3.2): the whole event is the JSON body. */
export const CLOUDEVENTS_JSON = "application/cloudevents+json; charset=utf-8";

/**
 * Why an event was sent: `verdict` when a run's verdict first became pass or fail, and
 * `reference-drift` when its drift gate first failed against the uploaded reference profile.
 */
export type EventTrigger = "verdict" | "reference-drift";

export interface JudgementEventData {
  trigger: EventTrigger;
  summary: JudgeResponse["summary"];
  judgement: JudgeResponse["judgement"];
  gates: Record<string, { verdict: Verdict; reason: string }>;
}

/** A CloudEvent 1.0 in its JSON format (the attributes modelgate sets). */
export interface JudgementCloudEvent {
  specversion: "1.0";
  id: string;
  source: string;
  type: typeof JUDGEMENT_EVENT_TYPE;
  subject: string;
  time: string;
  datacontenttype: "application/json";
  data: JudgementEventData;
}

/**
 * The event for one judgement and trigger. `id` is the judgement's id (a prefix of its audit
 * record's hash) with the trigger, so (source, id) is unique and stable: a consumer that sees
 * an id twice can drop the second. `subject` names the judged version the way the evidence API
 * does; `time` is when the judgement was made. Only the summary, the judgement metadata and each
 * gate's verdict and reason are carried, not the gates' numbers.
 */
export function judgementCloudEvent(
  response: JudgeResponse,
  trigger: EventTrigger,
  source: string,
): JudgementCloudEvent {
  const j = response.judgement;
  const gates: JudgementEventData["gates"] = {};
  for (const [name, g] of Object.entries(response.gates))
    gates[name] = { verdict: g.verdict, reason: g.reason };
  return {
    specversion: "1.0",
    id: `${j.id}.${trigger}`,
    source,
    type: JUDGEMENT_EVENT_TYPE,
    subject: `models/${j.model}/versions/${j.candidate}`,
    time: j.at,
    datacontenttype: "application/json",
    data: { trigger, summary: response.summary, judgement: j, gates },
  };
}
