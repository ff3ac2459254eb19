import { type InputTable, isObject } from "./cloudevent-inputs.js";

/**
 * Protected attributes of payload-logger events. A logger sends the model's inputs, never a
 * `groups` field, so an operator names, per model, the input columns that hold each attribute
 * (setting MODELGATE_CLOUDEVENT_MODELS, docs/ingestion.md):
 *
 *   {"fraud": {"groups": {"region": {"instances": "region"},     v1 object instances: by key
 *                         "age_band": {"instances": 3},          v1 array instances: by position
 *                         "sex": {"inputs": "sex"}}}}            v2 input tensor [N] or [N,1]: by name
 *
 * A named `instances` column also finds Seldon's `data.names`. Each instance's value becomes its
 * events' group value (numbers and booleans as strings); a missing or non-scalar value leaves
 * that attribute out for that instance.
 */
export interface GroupSource {
  /** v1 instances: a key of object instances (or a Seldon column name), or a position in array instances */
  instances?: string | number;
  /** v2: the name of an input tensor of shape [N] or [N, 1] */
  inputs?: string;
}

/** attribute → where its value is read */
export type GroupMapping = Map<string, GroupSource>;

/** Per-model settings of payload-logger events. */
export interface CloudEventModelSettings {
  groups: GroupMapping;
}

export class CloudEventSettingsError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = "CloudEventSettingsError";
  }
}

const MODEL_KEYS = ["groups"];
const SOURCE_KEYS = ["instances", "inputs"];
const MAX_NAME = 128;
const MAX_VALUE = 256;
const RESERVED = new Set(["__proto__", "constructor", "prototype"]);

function checkName(name: string, path: string): void {
  if (name.length === 0 || name.length > MAX_NAME)
    throw new CloudEventSettingsError(path, "must be 1-128 characters");
  if (RESERVED.has(name)) throw new CloudEventSettingsError(path, `"${name}" is a reserved name`);
}

function onlyKeys(obj: Record<string, unknown>, known: string[], path: string): void {
  for (const k of Object.keys(obj)) {
    if (!known.includes(k)) {
      throw new CloudEventSettingsError(`${path}.${k}`, `unknown key (known: ${known.join(", ")})`);
    }
  }
}

function parseSource(v: unknown, path: string): GroupSource {
  if (!isObject(v)) throw new CloudEventSettingsError(path, 'must be an object like {"instances": "region"}');
  onlyKeys(v, SOURCE_KEYS, path);
  const source: GroupSource = {};
  if (v.instances !== undefined) {
    const c = v.instances;
    if (typeof c === "string") checkName(c, `${path}.instances`);
    else if (typeof c !== "number" || !Number.isInteger(c) || c < 0) {
      throw new CloudEventSettingsError(
        `${path}.instances`,
        "must be a column name or a position (integer >= 0)",
      );
    }
    source.instances = c;
  }
  if (v.inputs !== undefined) {
    if (typeof v.inputs !== "string")
      throw new CloudEventSettingsError(`${path}.inputs`, "must be a tensor name");
    checkName(v.inputs, `${path}.inputs`);
    source.inputs = v.inputs;
  }
  if (source.instances === undefined && source.inputs === undefined) {
    throw new CloudEventSettingsError(path, `needs one of ${SOURCE_KEYS.join(", ")}`);
  }
  return source;
}

/**
 * Validate the per-model settings (parsed JSON) strictly: every unknown key is an error naming
 * its path, e.g. `fraud.groups.region.colum: unknown key (known: instances, inputs)`.
 */
export function parseCloudEventModels(raw: unknown): Map<string, CloudEventModelSettings> {
  if (!isObject(raw))
    throw new CloudEventSettingsError("", 'must be a JSON object {"<model>": {"groups": {…}}}');
  const models = new Map<string, CloudEventModelSettings>();
  for (const [model, settings] of Object.entries(raw)) {
    checkName(model, model);
    if (!isObject(settings))
      throw new CloudEventSettingsError(model, 'must be an object like {"groups": {…}}');
    onlyKeys(settings, MODEL_KEYS, model);
    const groups: GroupMapping = new Map();
    if (settings.groups !== undefined) {
      if (!isObject(settings.groups)) {
        throw new CloudEventSettingsError(`${model}.groups`, "must be an object of attribute → source");
      }
      for (const [attribute, source] of Object.entries(settings.groups)) {
        const path = `${model}.groups.${attribute}`;
        checkName(attribute, path);
        groups.set(attribute, parseSource(source, path));
      }
    }
    models.set(model, { groups });
  }
  return models;
}

function groupValue(x: unknown): string | undefined {
  if (typeof x === "string") return x.length > 0 && x.length <= MAX_VALUE ? x : undefined;
  if (typeof x === "number") return Number.isFinite(x) ? String(x) : undefined;
  if (typeof x === "boolean") return String(x);
  return undefined;
}

function fromRow(row: unknown, source: GroupSource, names: string[] | undefined): unknown {
  const c = source.instances;
  if (c === undefined) return undefined;
  if (Array.isArray(row)) {
    const j = typeof c === "number" ? c : (names?.indexOf(c) ?? -1);
    return j >= 0 && j < row.length ? row[j] : undefined;
  }
  if (isObject(row) && typeof c === "string" && Object.hasOwn(row, c)) return row[c];
  return undefined;
}

/**
 * The group attributes of each instance of a request (null for an instance with none), or
 * undefined when the mapping finds nothing in this body.
 */
export function instanceGroups(
  table: InputTable,
  mapping: GroupMapping,
): Array<Record<string, string> | null> | undefined {
  const out: Array<Record<string, string> | null> = Array.from({ length: table.n }, () => null);
  let found = false;
  const set = (i: number, attribute: string, x: unknown) => {
    const value = groupValue(x);
    if (value === undefined) return;
    out[i] ??= Object.create(null) as Record<string, string>;
    out[i]![attribute] = value;
    found = true;
  };
  if (table.kind === "tensors") {
    const tensors = table.tensors();
    for (const [attribute, source] of mapping) {
      const t = source.inputs === undefined ? undefined : tensors?.find((x) => x.name === source.inputs);
      if (t?.k !== 1) continue;
      for (let i = 0; i < table.n; i++) set(i, attribute, t.data[i]);
    }
  } else {
    const rows = table.rows() ?? [];
    for (const [attribute, source] of mapping) {
      for (let i = 0; i < rows.length; i++) set(i, attribute, fromRow(rows[i], source, table.names));
    }
  }
  return found ? out : undefined;
}
