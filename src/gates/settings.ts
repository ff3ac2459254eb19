import { didYouMean } from "../closest-name.js";
import { GateConfigError } from "./config-parse.js";

/**
 * Which settings a gate accepts. Each gate (canary or shadow) declares the fields its parseConfig
 * reads in `settings`; the judge itself reads `weight` of every gate. A name outside both is a typo
 * that would otherwise be ignored and leave the gate at its default tolerance, so it is refused
 * before any config is parsed, naming the field, the gate's settings and the closest one.
 */
export const JUDGE_SETTINGS: readonly string[] = ["weight"];

export interface DeclaresSettings {
  readonly settings: readonly string[];
}

/** The settings `<gate>.<name>` may use: the gate's own, then the judge's. */
export function knownSettings(gate: DeclaresSettings): string[] {
  return [...gate.settings, ...JUDGE_SETTINGS];
}

/**
 * Throws GateConfigError naming `<gateName>.<setting>` for the first setting `gate` does not know;
 * the message lists the gate's settings and suggests the closest one.
 */
export function checkSettingNames(
  gateName: string,
  gate: DeclaresSettings,
  settings: Iterable<string>,
): void {
  const known = knownSettings(gate);
  for (const setting of settings) {
    if (known.includes(setting)) continue;
    throw new GateConfigError(
      `${gateName}.${setting}`,
      `unknown setting of the ${gateName} gate${didYouMean(setting, known)}; its settings: ${known.join(", ")}`,
    );
  }
}
