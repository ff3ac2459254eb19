import type { PairSide } from "./paired-summary.js";

/**
 * The entries the pairing index keeps while they wait (an answer for its pair, a pair for its label)
 * and their persisted form: snapshots hold up to maxPending + maxAwaitingLabel of them, so they are
 * written as tuples (about half the size of the objects: 5.8 MB instead of 14.4 MB for 50,000 pairs).
 */
export interface PendingAnswer {
  version: string;
  ts: number;
  // the answer's side of a pair, flat: one object per waiting answer (most expire unpaired), the
  // PairSide is built only when it pairs (sideOf)
  score: number | undefined;
  decision: 0 | 1 | undefined;
  latencyMs: number | undefined;
  error: boolean | undefined;
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
  a.score ?? null,
  a.decision ?? null,
  a.latencyMs ?? null,
  a.error ? 1 : 0,
  a.label ?? null,
  a.groups ?? null,
];

function side(score: Maybe<number>, decision: Maybe<0 | 1>): PairSide {
  const s: PairSide = {};
  if (score !== null) s.score = score;
  if (decision !== null) s.decision = decision;
  return s;
}

/** The PairSide of a waiting answer (only the fields it has). */
export function sideOf(a: PendingAnswer): PairSide {
  const s: PairSide = {};
  if (a.score !== undefined) s.score = a.score;
  if (a.decision !== undefined) s.decision = a.decision;
  if (a.latencyMs !== undefined) s.latencyMs = a.latencyMs;
  if (a.error) s.error = true;
  return s;
}

export function pendingFromTuple(t: PendingTuple): PendingAnswer {
  const a: PendingAnswer = {
    version: t[2],
    ts: t[3],
    score: t[4] ?? undefined,
    decision: t[5] ?? undefined,
    latencyMs: t[6] ?? undefined,
    error: t[7] === 1 ? true : undefined,
  };
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
