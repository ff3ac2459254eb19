import type { PredictionEvent } from "../../src/ingest/event.js";
import { mulberry32, randomNormal } from "../../src/stats/random.js";

export interface PairedTrafficOptions {
  n: number;
  seed: number;
  model?: string;
  baseline?: string;
  candidate?: string;
  /** values of the "region" attribute, assigned round-robin */
  regions?: string[];
  /** region whose candidate decisions are flipped with probability flipRate ("*": every region) */
  flipRegion?: string;
  flipRate?: number;
  /** how much weaker the candidate's signal is (0 = identical scores) */
  aucDrop?: number;
  /** own noise of the candidate's score (0 = identical scores when aucDrop is 0) */
  candidateNoise?: number;
  latencyShiftMs?: number;
  /** sd (ms) of the candidate's own latency noise on top of the request's cost (0: none) */
  latencyNoiseMs?: number;
  /** share of requests on which the candidate alone errors (no score) */
  candidateErrorRate?: number;
  /** attach labels to the events (false: send them later as outcomes) */
  labels?: boolean;
  ts?: number;
  idPrefix?: string;
}

export interface PairedTraffic {
  baseline: PredictionEvent[];
  candidate: PredictionEvent[];
  labels: Array<{ id: string; label: 0 | 1 }>;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Seeded synthetic shadow traffic: every request answered by both versions (same model and id).
 * Scores share the request's latent value; decisions are explicit (score ≥ 0.5), optionally flipped in
 * one region for the candidate; latencies share the request's cost.
 */
export function pairedTraffic(o: PairedTrafficOptions): PairedTraffic {
  const random = mulberry32(o.seed);
  const model = o.model ?? "fraud";
  const regions = o.regions ?? ["north", "south", "east"];
  const ts = o.ts ?? Date.parse("2026-11-25T11:00:00Z");
  const out: PairedTraffic = { baseline: [], candidate: [], labels: [] };
  for (let i = 0; i < o.n; i++) {
    const id = `${o.idPrefix ?? "r"}${i}`;
    const region = regions[i % regions.length];
    const label: 0 | 1 = random() < 0.3 ? 1 : 0;
    const latent = randomNormal(random) + 1.5 * label;
    const baselineScore = sigmoid(latent + randomNormal(random, 0, 0.3));
    const candidateScore =
      (o.aucDrop ?? 0) === 0 && (o.candidateNoise ?? 0) === 0
        ? baselineScore
        : sigmoid(latent - (o.aucDrop ?? 0) * label + randomNormal(random, 0, o.candidateNoise ?? 0.3));
    const baselineDecision: 0 | 1 = baselineScore >= 0.5 ? 1 : 0;
    let candidateDecision: 0 | 1 = candidateScore >= 0.5 ? 1 : 0;
    if ((o.flipRegion === "*" || region === o.flipRegion) && random() < (o.flipRate ?? 0))
      candidateDecision = candidateDecision === 1 ? 0 : 1;
    const cost = 40 * Math.exp(0.3 * randomNormal(random));
    const common = { model, id, ts: ts + i, groups: { region }, ...(o.labels ? { label } : {}) };
    out.baseline.push({
      ...common,
      version: o.baseline ?? "stable",
      score: baselineScore,
      decision: baselineDecision,
      latencyMs: cost,
    });
    // drawn only when asked for, so that traffic without it keeps its seeded values
    const noise = (o.latencyNoiseMs ?? 0) > 0 ? randomNormal(random, 0, o.latencyNoiseMs) : 0;
    const candidateLatency = cost + (o.latencyShiftMs ?? 0) + noise;
    out.candidate.push(
      // drawn only when asked for, so that traffic without errors keeps its seeded values
      (o.candidateErrorRate ?? 0) > 0 && random() < (o.candidateErrorRate ?? 0)
        ? { ...common, version: o.candidate ?? "challenger", error: true, latencyMs: candidateLatency }
        : {
            ...common,
            version: o.candidate ?? "challenger",
            score: candidateScore,
            decision: candidateDecision,
            latencyMs: candidateLatency,
          },
    );
    out.labels.push({ id, label });
  }
  return out;
}
