import { CohortSummary } from "../../src/sketch/cohort-summary.js";
import { mulberry32, type RandomSource, randomNormal } from "../../src/stats/random.js";

/** Seeded synthetic cohort summaries for gate and judge tests. */
export function seeded(seed: number): RandomSource {
  return mulberry32(seed);
}

/** n events with log-normal latencies (median ms, log-sd sigma), times `scale`. */
export function latencyCohort(
  random: RandomSource,
  n: number,
  opts: { median?: number; sigma?: number; scale?: number } = {},
): CohortSummary {
  const s = new CohortSummary();
  addLatencies(s, random, n, opts);
  return s;
}

export function addLatencies(
  s: CohortSummary,
  random: RandomSource,
  n: number,
  opts: { median?: number; sigma?: number; scale?: number } = {},
): CohortSummary {
  const median = opts.median ?? 100;
  const sigma = opts.sigma ?? 0.5;
  const scale = opts.scale ?? 1;
  for (let i = 0; i < n; i++) s.latency.add(scale * median * Math.exp(randomNormal(random, 0, sigma)));
  s.events += n;
  return s;
}

/** A cohort with only event, error and invalid counts (what the errors gate reads). */
export function countCohort(events: number, errors = 0, invalid = 0): CohortSummary {
  const s = new CohortSummary();
  s.events = events;
  s.errors = errors;
  s.invalid = invalid;
  return s;
}

/** Add n Bernoulli(rate) events to the error count. */
export function addErrors(s: CohortSummary, random: RandomSource, n: number, rate: number): CohortSummary {
  let errors = 0;
  for (let i = 0; i < n; i++) if (random() < rate) errors++;
  s.events += n;
  s.errors += errors;
  return s;
}
