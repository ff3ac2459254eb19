import { aucGate } from "./auc.js";
import { driftGate } from "./drift.js";
import { errorsGate } from "./errors.js";
import { fairnessGate } from "./fairness.js";
import type { Gate } from "./gate.js";
import { latencyGate } from "./latency.js";

/**
 * The typed registry of gates: adding a gate is a file beside this one, one line in GATES, a test
 * and a doc page. Order matters: it is the order gates run in, appear in responses, and the order
 * in which the judge picks the decisive gate's reason when several gates agree.
 *
 * Each entry is a pure, stateless object (no I/O, no clock), so a shared const is safe.
 *
 * How the judge calls a gate: `parseConfig(raw)` receives the gate's own fields with the gate
 * prefix removed (request `latency.maxRatio` or `{ "latency": { "maxRatio": … } }` → `raw.maxRatio`)
 * plus the shared `minSamples` when the request gives one for all gates; `evaluate` receives the
 * gate's share of alpha (Bonferroni split across the requested gates).
 */
export const GATES = {
  drift: driftGate,
  latency: latencyGate,
  auc: aucGate,
  fairness: fairnessGate,
  errors: errorsGate,
} as const satisfies Record<string, Gate<unknown>>;

export type GateName = keyof typeof GATES;

/** Registered gate names, in registry order. */
export const GATE_NAMES = Object.keys(GATES) as GateName[];

export function isGateName(name: string): name is GateName {
  return Object.hasOwn(GATES, name);
}

/** A registry the judge and routes can be given (tests pass a subset or fakes). */
export type GateRegistry = Readonly<Record<string, Gate<unknown>>>;
