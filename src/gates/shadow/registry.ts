import { accuracyGate } from "./accuracy.js";
import { agreementGate } from "./agreement.js";
import { shadowAucGate } from "./auc.js";
import { shadowErrorsGate } from "./errors.js";
import { shadowFairnessGate } from "./fairness.js";
import { shadowLatencyGate } from "./latency.js";
import { scoresGate } from "./scores.js";
import type { ShadowGate } from "./shadow-gate.js";

/**
 * Gates of shadow mode (`mode=shadow`), in the order they run and appear. They read the paired summary
 * of the two versions' answers to the same requests (src/shadow). Same request syntax as the canary
 * gates: `<gate>.<setting>`, `gates=agreement,fairness`, `/v1/judge/{gate}?mode=shadow`.
 */
export const SHADOW_GATES = {
  agreement: agreementGate,
  fairness: shadowFairnessGate,
  scores: scoresGate,
  latency: shadowLatencyGate,
  accuracy: accuracyGate,
  auc: shadowAucGate,
  errors: shadowErrorsGate,
} as const satisfies Record<string, ShadowGate<unknown>>;

export const SHADOW_GATE_NAMES = Object.keys(SHADOW_GATES);
