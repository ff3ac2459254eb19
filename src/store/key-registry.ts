import type { FieldError } from "../ingest/event.js";
import { dictionary, isReservedName, reservedNameMessage } from "../safe-keys.js";

/** Cardinality limits of the embedded store: what bounds its memory besides buckets × bins. */
export interface StoreLimits {
  maxModels: number;
  maxVersionsPerModel: number;
  maxGroupAttributes: number;
  maxGroupValues: number;
  maxFeatures: number;
  maxCategories: number;
}

/** A rejected line because a cardinality limit was reached; `limit` names the setting. */
export interface LimitError extends FieldError {
  limit: string;
}

interface ModelKeys {
  versions: Set<string>;
  groups: Map<string, Set<string>>;
  features: Map<string, { kind: "numeric" | "categorical"; categories: Set<string> }>;
}

export interface KeyRegistryJSON {
  [model: string]: {
    versions: string[];
    groups: Record<string, string[]>;
    features: Record<string, { kind: "numeric" | "categorical"; categories: string[] }>;
  };
}

interface Keyed {
  model: string;
  version?: string;
  groups?: Record<string, string>;
  features?: Record<string, number | string>;
}

/**
 * Every model, version, group value, feature and category the store has ever admitted (within
 * retention). `admit` checks the limits and registers the keys of one record, or names the
 * limit it would break and registers nothing; `register` (replay) registers without checking.
 */
export class KeyRegistry {
  readonly models = new Map<string, ModelKeys>();

  constructor(readonly limits: StoreLimits) {}

  admit(r: Keyed): LimitError | FieldError | undefined {
    const L = this.limits;
    const m = this.models.get(r.model);
    // Reserved names are refused by every parser; checked again here, where every ingestion path
    // (events, outcomes, CloudEvents) meets, and only for keys not yet known (the common case of
    // known keys costs nothing more).
    if (!m && isReservedName(r.model)) return reserved("model", r.model);
    if (!m && this.models.size >= L.maxModels) {
      return limit("model", `model limit of ${L.maxModels} reached (MODELGATE_MAX_MODELS)`, "maxModels");
    }
    let isNew = !m;
    if (r.version !== undefined && !m?.versions.has(r.version)) {
      if (isReservedName(r.version)) return reserved("version", r.version);
      isNew = true;
      if ((m?.versions.size ?? 0) >= L.maxVersionsPerModel) {
        return limit(
          "version",
          `version limit of ${L.maxVersionsPerModel} per model reached for "${r.model}" (MODELGATE_MAX_VERSIONS_PER_MODEL)`,
          "maxVersionsPerModel",
        );
      }
    }
    let newAttributes = 0;
    const groups = r.groups;
    // for-in, not Object.entries: no array per record on the ingestion path
    for (const attr in groups) {
      const value = groups[attr];
      const values = m?.groups.get(attr);
      if (!values?.has(value)) {
        if (isReservedName(attr)) return reserved(`groups.${attr}`, attr);
        if (isReservedName(value)) return reserved(`groups.${attr}`, value);
        isNew = true;
      }
      if (!values) {
        newAttributes++;
        if ((m?.groups.size ?? 0) + newAttributes > L.maxGroupAttributes) {
          return limit(
            `groups.${attr}`,
            `group attribute limit of ${L.maxGroupAttributes} per model reached (MODELGATE_MAX_GROUP_ATTRIBUTES)`,
            "maxGroupAttributes",
          );
        }
      } else if (!values.has(value) && values.size >= L.maxGroupValues) {
        return limit(
          `groups.${attr}`,
          `group value limit of ${L.maxGroupValues} for "${attr}" reached (MODELGATE_MAX_GROUP_VALUES)`,
          "maxGroupValues",
        );
      }
    }
    let newFeatures = 0;
    const features = r.features;
    for (const fname in features) {
      const value = features[fname];
      const kind = typeof value === "number" ? "numeric" : "categorical";
      const f = m?.features.get(fname);
      if (!f && isReservedName(fname)) return reserved(`features.${fname}`, fname);
      if (!f || (kind === "categorical" && !f.categories.has(value as string))) isNew = true;
      if (!f) {
        newFeatures++;
        if ((m?.features.size ?? 0) + newFeatures > L.maxFeatures) {
          return limit(
            `features.${fname}`,
            `feature limit of ${L.maxFeatures} per model reached (MODELGATE_MAX_FEATURES)`,
            "maxFeatures",
          );
        }
      } else if (f.kind !== kind) {
        return {
          field: `features.${fname}`,
          message: `was ${f.kind} in earlier events, got a ${kind} value`,
        };
      } else if (
        kind === "categorical" &&
        !f.categories.has(value as string) &&
        f.categories.size >= L.maxCategories
      ) {
        return limit(
          `features.${fname}`,
          `category limit of ${L.maxCategories} for feature "${fname}" reached (MODELGATE_MAX_CATEGORIES)`,
          "maxCategories",
        );
      }
    }
    // the common case, every key already known, costs lookups only
    if (isNew) this.register(r);
    return undefined;
  }

  register(r: Keyed): void {
    let m = this.models.get(r.model);
    if (!m) {
      m = { versions: new Set(), groups: new Map(), features: new Map() };
      this.models.set(r.model, m);
    }
    if (r.version !== undefined) m.versions.add(r.version);
    for (const [attr, value] of Object.entries(r.groups ?? {})) {
      let values = m.groups.get(attr);
      if (!values) {
        values = new Set();
        m.groups.set(attr, values);
      }
      values.add(value);
    }
    for (const [fname, value] of Object.entries(r.features ?? {})) {
      let f = m.features.get(fname);
      if (!f) {
        f = { kind: typeof value === "number" ? "numeric" : "categorical", categories: new Set() };
        m.features.set(fname, f);
      }
      if (typeof value === "string" && f.kind === "categorical") f.categories.add(value);
    }
  }

  /** Forget a version whose data fell out of retention (frees its slot). */
  dropVersion(model: string, version: string): void {
    const m = this.models.get(model);
    if (!m) return;
    m.versions.delete(version);
    if (m.versions.size === 0) this.models.delete(model);
  }

  toJSON(): KeyRegistryJSON {
    const out: KeyRegistryJSON = dictionary();
    for (const [model, m] of this.models) {
      out[model] = {
        versions: [...m.versions],
        groups: Object.fromEntries([...m.groups].map(([a, v]) => [a, [...v]])),
        features: Object.fromEntries(
          [...m.features].map(([n, f]) => [n, { kind: f.kind, categories: [...f.categories] }]),
        ),
      };
    }
    return out;
  }

  static fromJSON(limits: StoreLimits, j: KeyRegistryJSON): KeyRegistry {
    const r = new KeyRegistry(limits);
    for (const [model, m] of Object.entries(j)) {
      r.models.set(model, {
        versions: new Set(m.versions),
        groups: new Map(Object.entries(m.groups).map(([a, v]) => [a, new Set(v)])),
        features: new Map(
          Object.entries(m.features).map(([n, f]) => [
            n,
            { kind: f.kind, categories: new Set(f.categories) },
          ]),
        ),
      });
    }
    return r;
  }
}

function reserved(field: string, name: string): FieldError {
  return { field, message: reservedNameMessage(name) };
}

function limit(field: string, message: string, name: string): LimitError {
  return { field, message, limit: name };
}

export function isLimitError(e: FieldError): e is LimitError {
  return "limit" in e;
}
