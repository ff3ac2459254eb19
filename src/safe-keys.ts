/**
 * Names a client chooses (models, versions, group attributes and values, features, gates, gate
 * settings, sources) end up as keys. On a plain JavaScript object three of them are not data:
 * `__proto__` is the prototype accessor (writing it replaces the object's prototype, reading it
 * returns Object.prototype), and `constructor` / `prototype` lead from any object to the shared
 * built-ins (`x.constructor.prototype` is Object.prototype). A key that reaches a plain object
 * under one of these names can pollute every object in the process. They are therefore refused
 * wherever a name is accepted, one check shared by every parser, and every map keyed by input is a
 * `Map` or a null-prototype object (`dictionary()`), so that other inherited names (`toString`,
 * `hasOwnProperty`) are plain data.
 *
 * Lives at the root of src/ because ingestion, the judge, the gates' reference profiles and the
 * store all use it, and none of them may depend on another for it.
 */
export const RESERVED_NAMES: readonly string[] = ["__proto__", "constructor", "prototype"];

const reserved = new Set(RESERVED_NAMES);

/** True for the names that are never accepted as a model, version, group, feature, gate or setting. */
export function isReservedName(name: string): boolean {
  return reserved.has(name);
}

/** The message every parser gives for a reserved name (the field is named by the caller). */
export function reservedNameMessage(name: string): string {
  return `"${name}" is a reserved name (${RESERVED_NAMES.join(", ")} are never accepted as names)`;
}

/** An empty object without a prototype: any string, inherited names included, is only data in it. */
export function dictionary<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Own enumerable entries of a JSON-like object, copied into a null-prototype object. */
export function ownDictionary<T>(source: Readonly<Record<string, T>>): Record<string, T> {
  const out = dictionary<T>();
  for (const key of Object.keys(source)) out[key] = source[key];
  return out;
}
