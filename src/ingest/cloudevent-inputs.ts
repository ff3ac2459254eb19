/**
 * The inputs of a logged inference request: how many instances it asked predictions for, and
 * the feature row of each when the inputs are tabular. Bodies: v1 `{"instances": [...]}` (or a
 * row-wise `{"inputs": [...]}`), v2 open inference `{"inputs": [tensor, ...]}`, Seldon
 * `{"data": {"names", "ndarray" | "tensor"}}`.
 */

export type FeatureRow = Record<string, number | string>;

/** A v2 tensor of shape [N] or [N, k], its data flattened row-major. */
export interface Tensor {
  name: string;
  n: number;
  k: number;
  data: unknown[];
}

/** A request body seen as a table: rows (v1, Seldon) or column tensors (v2), `n` instances. */
export type InputTable =
  | { kind: "rows"; n: number; rows: () => unknown[] | undefined; names?: string[] }
  | { kind: "tensors"; n: number; tensors: () => Tensor[] | undefined };

const MAX_KEY = 128;
const MAX_VALUE = 256;
/** Names that would reach an object's prototype; such a column is skipped, never stored. */
const RESERVED = new Set(["__proto__", "constructor", "prototype"]);

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Flatten nested arrays at most `depth` levels deep (a [N, k] tensor's data may be flat or
 * nested once); undefined when nested deeper, so a hostile body cannot drive a deep recursion.
 */
export function flatten(v: unknown, depth: number): unknown[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: unknown[] = [];
  const walk = (a: unknown[], d: number): boolean => {
    for (const x of a) {
      if (!Array.isArray(x)) out.push(x);
      else if (d <= 1 || !walk(x, d - 1)) return false;
    }
    return true;
  };
  return walk(v, depth) ? out : undefined;
}

/** The [N] or [N, k] shape of a tensor object, or undefined. */
export function shapeOf(t: Record<string, unknown>): { n: number; k: number } | undefined {
  if (!Array.isArray(t.shape)) return undefined;
  const shape = t.shape as unknown[];
  const n = shape[0];
  const k = shape.length === 1 ? 1 : shape.length === 2 ? shape[1] : undefined;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0) return undefined;
  if (typeof k !== "number" || !Number.isInteger(k) || k < 1) return undefined;
  return { n, k };
}

function tensorOf(t: unknown): Tensor | undefined {
  if (!isObject(t) || typeof t.name !== "string") return undefined;
  const shape = shapeOf(t);
  const data = shape ? flatten(t.data, 2) : undefined;
  if (!shape || !data || data.length !== shape.n * shape.k) return undefined;
  return { name: t.name, ...shape, data };
}

function seldonRows(data: Record<string, unknown>): InputTable | undefined {
  const names =
    Array.isArray(data.names) && data.names.every((x) => typeof x === "string") ? data.names : undefined;
  if (Array.isArray(data.ndarray)) {
    const rows = data.ndarray;
    return { kind: "rows", n: rows.length, rows: () => rows, ...(names ? { names } : {}) };
  }
  const t = data.tensor;
  if (!isObject(t) || !Array.isArray(t.values)) return undefined;
  const shape = shapeOf(t);
  const values = t.values as unknown[];
  if (!shape || values.length !== shape.n * shape.k) return undefined;
  const rows = () => Array.from({ length: shape.n }, (_, i) => values.slice(i * shape.k, (i + 1) * shape.k));
  return { kind: "rows", n: shape.n, rows, ...(names ? { names } : {}) };
}

/** The table a request body holds, without expanding it (its size is checked first). */
export function inputTable(body: unknown): InputTable | undefined {
  if (!isObject(body)) return undefined;
  const inputs = body.inputs;
  if (Array.isArray(inputs) && inputs.length > 0 && inputs.every((t) => isObject(t) && "data" in t)) {
    const first = isObject(inputs[0]) ? shapeOf(inputs[0]) : undefined;
    if (!first) return undefined;
    const tensors = () => {
      const ts = inputs.map(tensorOf);
      return ts.every((t): t is Tensor => t !== undefined && t.n === first.n) ? ts : undefined;
    };
    return { kind: "tensors", n: first.n, tensors };
  }
  const rows = Array.isArray(body.instances) ? body.instances : Array.isArray(inputs) ? inputs : undefined;
  if (rows) return { kind: "rows", n: rows.length, rows: () => rows };
  return isObject(body.data) ? seldonRows(body.data) : undefined;
}

const scalar = (x: unknown): x is number | string =>
  (typeof x === "number" && Number.isFinite(x)) || (typeof x === "string" && x.length <= MAX_VALUE);
const usableName = (k: string) => k.length > 0 && k.length <= MAX_KEY && !RESERVED.has(k);

/** One feature row of a v1 instance (flat array or flat object), or undefined if not tabular. */
function rowOf(instance: unknown, names: string[] | undefined, maxFeatures: number): FeatureRow | undefined {
  const row: FeatureRow = Object.create(null);
  if (Array.isArray(instance)) {
    if (instance.length > maxFeatures) return undefined;
    for (let j = 0; j < instance.length; j++) {
      const x = instance[j];
      if (!scalar(x)) return undefined;
      const name = names?.[j] ?? String(j);
      if (usableName(name)) row[name] = x;
    }
  } else if (isObject(instance)) {
    const entries = Object.entries(instance);
    if (entries.length > maxFeatures) return undefined;
    for (const [k, x] of entries) if (scalar(x) && usableName(k)) row[k] = x;
  } else if (scalar(instance)) row["0"] = instance;
  else return undefined;
  return row;
}

/** v2 tensors → rows: a [N] or [N,1] tensor is one feature, [N,k] is k features `name[j]`. */
function tensorRows(tensors: Tensor[], n: number, maxFeatures: number): FeatureRow[] | undefined {
  if (tensors.reduce((w, t) => w + t.k, 0) > maxFeatures) return undefined;
  const rows: FeatureRow[] = Array.from({ length: n }, () => Object.create(null));
  for (const t of tensors) {
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < t.k; j++) {
        const x = t.data[i * t.k + j];
        const name = t.k === 1 ? t.name : `${t.name}[${j}]`;
        if (scalar(x) && usableName(name)) rows[i][name] = x;
      }
    }
  }
  return rows;
}

/**
 * Feature rows of a table (one per instance), or undefined when the inputs are not tabular
 * (images, nested arrays) or wider than `maxFeatures`: the predictions still count, without
 * features.
 */
export function featureRows(table: InputTable, maxFeatures: number): FeatureRow[] | undefined {
  if (table.kind === "tensors") {
    const tensors = table.tensors();
    return tensors ? tensorRows(tensors, table.n, maxFeatures) : undefined;
  }
  const list = table.rows();
  if (!list) return undefined;
  const rows = list.map((x) => rowOf(x, table.names, maxFeatures));
  return rows.every((r) => r !== undefined) ? (rows as FeatureRow[]) : undefined;
}
