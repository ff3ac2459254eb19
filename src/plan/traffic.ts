/**
 * From counts to wall-clock time. A canary receives `weight` of `rate` requests per second, the
 * baseline the rest; a share `labelRate` of events gets its label `labelDelayMs` after the event. So
 * by time t after the start the candidate has rate·weight·t events and
 * rate·weight·labelRate·(t − delay)⁺ labelled outcomes, and the baseline (1 − weight)/weight times as
 * many of each.
 */

/** What a gate counts: events (latency, errors, scores, decisions) or labelled outcomes (AUC). */
export type Unit = "events" | "labelled";

export interface Traffic {
  /** requests per second, both arms together */
  rate: number;
  /** the candidate's share of requests, in (0, 1) */
  weight: number;
  /** share of events that get a label, in (0, 1] */
  labelRate: number;
  /** time from an event to its label, ms */
  labelDelayMs: number;
}

/** Baseline count over candidate count (9 for a 10% canary). */
export function baselineRatio(traffic: Traffic): number {
  return (1 - traffic.weight) / traffic.weight;
}

/** The candidate's count per second once counting has started. */
export function candidatePerSecond(traffic: Traffic, unit: Unit): number {
  const events = traffic.rate * traffic.weight;
  return unit === "labelled" ? events * traffic.labelRate : events;
}

const delayOf = (traffic: Traffic, unit: Unit) => (unit === "labelled" ? traffic.labelDelayMs : 0);

/** Time (ms from the start) at which the candidate has n of `unit`. */
export function timeToReach(traffic: Traffic, unit: Unit, n: number): number {
  return delayOf(traffic, unit) + (1000 * n) / candidatePerSecond(traffic, unit);
}

/** The candidate's count of `unit` at time t (ms from the start). */
export function countAt(traffic: Traffic, unit: Unit, t: number): number {
  return (Math.max(0, t - delayOf(traffic, unit)) * candidatePerSecond(traffic, unit)) / 1000;
}

/** One unit's count as a function of time and back. */
export interface CountCurve {
  countAt(t: number): number;
  timeToReach(n: number): number;
}

export function countCurve(traffic: Traffic, unit: Unit): CountCurve {
  return { countAt: (t) => countAt(traffic, unit, t), timeToReach: (n) => timeToReach(traffic, unit, n) };
}
