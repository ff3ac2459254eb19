import type { GateRegistry } from "../gates/registry.js";
import { checkSettingNames, type DeclaresSettings } from "../gates/settings.js";
import { SHADOW_GATES } from "../gates/shadow/registry.js";

type SettingsRegistry = Readonly<Record<string, DeclaresSettings>>;

/**
 * Refuse unknown gate settings in a raw judge request (body and query merged, or the CLI's fields)
 * before it is parsed: every `<gate>.<setting>` key and every field of a `<gate>: {…}` object, for
 * every gate of the request's mode — also gates the request does not run, so a typo in a setting
 * the per-gate route ignores is still a 400. It runs on the raw request rather than on the parsed
 * gate fields because only here are all gates' settings present and a gate's own `minSamples` told
 * apart from the shared one the judge folds in. Unknown gate names and malformed fields are left
 * to parseJudgeRequest. Throws GateConfigError naming `<gate>.<setting>`.
 */
export function checkRequestGateSettings(
  raw: Record<string, unknown>,
  registries: { registry: GateRegistry; shadowRegistry?: SettingsRegistry },
): void {
  const shadow = typeof raw.mode === "string" && raw.mode.trim() === "shadow";
  const gates: SettingsRegistry = shadow ? (registries.shadowRegistry ?? SHADOW_GATES) : registries.registry;
  for (const [key, value] of Object.entries(raw)) {
    const dot = key.indexOf(".");
    if (dot > 0) {
      const gate = key.slice(0, dot);
      if (Object.hasOwn(gates, gate)) checkSettingNames(gate, gates[gate], [key.slice(dot + 1)]);
    } else if (
      Object.hasOwn(gates, key) &&
      typeof value === "object" &&
      value !== null &&
      !Array.isArray(value)
    ) {
      checkSettingNames(key, gates[key], Object.keys(value));
    }
  }
}
