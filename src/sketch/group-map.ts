import { dictionary } from "../safe-keys.js";

/**
 * Per-group counts keyed attribute → value → counts, as CohortSummary keeps GroupCounts (fairness) and
 * PairedSummary keeps GroupFlips (shadow fairness). Both merge by adding counts value by value and
 * serialise to nested plain objects; the walking lives here once, the counts' own arithmetic (`add`)
 * and shape (`empty`) stay with their owner.
 */
export type GroupMap<T> = Map<string, Map<string, T>>;

export type GroupMapJSON<T> = Record<string, Record<string, T>>;

/** The counts of one group, created empty on first use. */
export function groupEntry<T>(groups: GroupMap<T>, attribute: string, value: string, empty: () => T): T {
  let byValue = groups.get(attribute);
  if (!byValue) {
    byValue = new Map();
    groups.set(attribute, byValue);
  }
  let g = byValue.get(value);
  if (!g) {
    g = empty();
    byValue.set(value, g);
  }
  return g;
}

/** Add every group of `from` (a map or its JSON) into `into`, creating the groups it lacks. */
export function mergeGroupMap<T>(
  into: GroupMap<T>,
  from: GroupMap<T> | GroupMapJSON<T>,
  empty: () => T,
  add: (into: T, from: T) => unknown,
): void {
  const attributes = from instanceof Map ? from : Object.entries(from);
  for (const [attribute, byValue] of attributes) {
    const values = byValue instanceof Map ? byValue : Object.entries(byValue);
    for (const [value, counts] of values) add(groupEntry(into, attribute, value, empty), counts);
  }
}

/** Nested plain objects, each group's counts copied so that the JSON is a snapshot. */
export function groupMapToJSON<T extends object>(groups: GroupMap<T>): GroupMapJSON<T> {
  // null prototype: an attribute is data whatever its name
  const json: GroupMapJSON<T> = dictionary();
  for (const [attribute, byValue] of groups) {
    json[attribute] = Object.fromEntries([...byValue].map(([value, counts]) => [value, { ...counts }]));
  }
  return json;
}
