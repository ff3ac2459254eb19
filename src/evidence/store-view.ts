import type { EmbeddedStore } from "../store/embedded-store.js";
import type { StoredVersion } from "./build.js";

/**
 * The embedded store's view of one version for the evidence: its lifetime counts and the summary
 * merged from every bucket it still retains. Undefined when the store holds nothing of it.
 * Cost: O(retained buckets of the version).
 */
export function storedVersions(
  store: EmbeddedStore,
): (model: string, version: string) => StoredVersion | undefined {
  return (model, version) => {
    const info = store.versions(model)?.find((v) => v.version === version);
    if (!info) return undefined;
    return {
      counts: {
        events: info.events,
        scored: info.scored,
        labelled: info.labelled,
        errors: info.errors,
        firstTs: info.firstTs,
        lastTs: info.lastTs,
      },
      summary: store.cohort(model, version, undefined, Number.POSITIVE_INFINITY),
    };
  };
}
