import type { PairSide } from "./paired-summary.js";

/**
 * The entries the pairing index keeps while they wait (an answer for its pair, a pair for its label)
 * and their persisted form: snapshots hold up to maxPending + maxAwaitingLabel of them, so they are
 * written as tuples (about half the size of the objects: 5.8 MB instead of 14.4 MB for 50,000 pairs).
 */
export interface PendingAnswer {
  version: string;
  ts: number;
  side: PairSide;
  label?: 0 | 1;
  groups?: Record<string, string>;
}

/** A pair counted without its label; `baseline` is the lexicographically first version (storage orientation). */
export interface AwaitingPair {
  baselineVersion: string;
  candidateVersion: string;
  bucket: number;
  baseline: PairSide;
  candidate: PairSide;
}

type Maybe<T> = T | null;
/** [key, expires, version, ts, score, decision, latencyMs, error, label, groups] */
export type PendingTuple = [
  string,
  number,
  string,
  number,
  Maybe<number>,
  Maybe<0 | 1>,
  Maybe<number>,
  0 | 1,
  Maybe<0 | 1>,
  Maybe<Record<string, string>>,
];
/** [key, expires, baselineVersion, candidateVersion, bucket, scores, decisions (baseline, candidate)] */
export type AwaitingTuple = [
  string,
  number,
  string,
  string,
  number,
  Maybe<number>,
  Maybe<number>,
  Maybe<0 | 1>,
  Maybe<0 | 1>,
];

export const pendingTuple = (key: string, a: PendingAnswer, expires: number): PendingTuple => [
  key,
  expires,
  a.version,
  a.ts,
  a.side.score ?? null,
  a.side.decision ?? null,
  a.side.latencyMs ?? null,
  a.side.error ? 1 : 0,
  a.label ?? null,
  a.groups ?? null,
];

function side(
  score: Maybe<number>,
  decision: Maybe<0 | 1>,
  latencyMs?: Maybe<number>,
  error?: 0 | 1,
): PairSide {
  const s: PairSide = {};
  if (score !== null) s.score = score;
  if (decision !== null) s.decision = decision;
  if (latencyMs !== undefined && latencyMs !== null) s.latencyMs = latencyMs;
  if (error === 1) s.error = true;
  return s;
}

export function pendingFromTuple(t: PendingTuple): PendingAnswer {
  const a: PendingAnswer = { version: t[2], ts: t[3], side: side(t[4], t[5], t[6], t[7]) };
  if (t[8] !== null) a.label = t[8];
  if (t[9] !== null) a.groups = t[9];
  return a;
}

export const awaitingTuple = (key: string, p: AwaitingPair, expires: number): AwaitingTuple => [
  key,
  expires,
  p.baselineVersion,
  p.candidateVersion,
  p.bucket,
  p.baseline.score ?? null,
  p.candidate.score ?? null,
  p.baseline.decision ?? null,
  p.candidate.decision ?? null,
];

export const awaitingFromTuple = (t: AwaitingTuple): AwaitingPair => ({
  baselineVersion: t[2],
  candidateVersion: t[3],
  bucket: t[4],
  baseline: side(t[5], t[7]),
  candidate: side(t[6], t[8]),
});
