import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { parse, stringify } from "yaml";
import type { K8sObject } from "./kustomize.js";
import { ROOT } from "./kustomize.js";

/** Argo CRD schemas copied from ../shared/schemas/argo-rollouts (see SOURCE.txt there). */
const ARGO_SCHEMAS = join(ROOT, "test", "fixtures", "schemas", "argo-rollouts");
const ARGO_CRD_FILES: Record<string, string> = {
  Rollout: "rollout-crd.yaml",
  AnalysisTemplate: "analysis-template-crd.yaml",
  ClusterAnalysisTemplate: "cluster-analysis-template-crd.yaml",
  AnalysisRun: "analysis-run-crd.yaml",
  Experiment: "experiment-crd.yaml",
};
export const ARGO_KINDS = Object.keys(ARGO_CRD_FILES);

/**
 * The API server prunes fields a structural schema does not declare, and `kubectl apply
 * --validate=strict` rejects them. Reject them here too (additionalProperties: false wherever the
 * schema lists properties and does not preserve unknown fields), so a misspelt field fails the test
 * instead of silently vanishing in the cluster.
 */
function strictUnknownFields(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictUnknownFields);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === "description" ? v : strictUnknownFields(v);
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    out["x-kubernetes-preserve-unknown-fields"] !== true
  ) {
    out.additionalProperties = false;
  }
  return out;
}

const argoValidators = new Map<string, ValidateFunction>();

function argoValidator(kind: string): ValidateFunction {
  const hit = argoValidators.get(kind);
  if (hit) return hit;
  const file = ARGO_CRD_FILES[kind];
  if (!file) throw new Error(`no Argo CRD schema for kind ${kind}`);
  const crd = parse(readFileSync(join(ARGO_SCHEMAS, file), "utf8"));
  const version = crd.spec.versions.find((v: { name: string }) => v.name === "v1alpha1");
  const schema = strictUnknownFields(version.schema.openAPIV3Schema) as Record<string, unknown>;
  const ajv = new Ajv({ strict: false, allErrors: true });
  for (const f of ["int32", "int64", "date-time"]) ajv.addFormat(f, true);
  const validate = ajv.compile(schema);
  argoValidators.set(kind, validate);
  return validate;
}

/** Kubernetes core objects: the validators the kubernetes-models package generates from the OpenAPI spec. */
async function validateCore(obj: K8sObject): Promise<string[]> {
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
  const path = group
    ? `kubernetes-models/${group}/${version}/${obj.kind}`
    : `kubernetes-models/${version}/${obj.kind}`;
  let mod: Record<string, new (o: unknown) => { validate(): void }>;
  try {
    mod = await import(path);
  } catch {
    return [`kubernetes-models has no ${obj.apiVersion} ${obj.kind}`];
  }
  const Model = mod[obj.kind];
  if (!Model) return [`kubernetes-models has no ${obj.apiVersion} ${obj.kind}`];
  try {
    new Model(obj).validate();
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

export type Validation = {
  via: "argo-crd" | "kubernetes-models" | "promtool" | "structure";
  errors: string[];
};

/** Validate one object against the schema for its kind; kinds without a schema here are named by the caller. */
export async function validateObject(obj: K8sObject): Promise<Validation> {
  if (obj.apiVersion === "argoproj.io/v1alpha1") {
    const validate = argoValidator(obj.kind);
    const ok = validate(obj);
    return {
      via: "argo-crd",
      errors: ok
        ? []
        : (validate.errors ?? []).map(
            (e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`,
          ),
    };
  }
  return { via: "kubernetes-models", errors: await validateCore(obj) };
}

const PROMTOOL_INSTALL =
  "promtool is needed to check PromQL: apt-get install -y prometheus   (Debian's package ships promtool; .ci/run installs it)";

/** Runs promtool with its install hint when it is missing. */
function promtool(args: string[], cwd?: string): { ok: boolean; output: string } {
  const out = spawnSync("promtool", args, { encoding: "utf8", timeout: 120_000, cwd });
  if (out.error && (out.error as NodeJS.ErrnoException).code === "ENOENT") throw new Error(PROMTOOL_INSTALL);
  if (out.error) throw out.error;
  return { ok: out.status === 0, output: `${out.stdout}${out.stderr}` };
}

/**
 * `promtool test rules` (promtool's unit tests of alerting and recording rules) on rule groups:
 * the groups are written to `rules.yaml` beside each test file, so that test files name
 * `rule_files: [rules.yaml]` and always test the groups given, never a copy that could drift.
 * A test is a file path, or a name and a promtool test document (as an object).
 */
export function promtoolTestRules(
  groups: unknown[],
  tests: (string | { name: string; doc: unknown })[],
): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "modelgate-promtool-"));
  try {
    writeFileSync(join(dir, "rules.yaml"), stringify({ groups }));
    const names = tests.map((test, i) => {
      const name = `${i}-${typeof test === "string" ? basename(test) : test.name}`;
      writeFileSync(
        join(dir, name),
        typeof test === "string" ? readFileSync(test, "utf8") : stringify(test.doc),
      );
      return name;
    });
    return promtool(["test", "rules", ...names], dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `promtool check rules` on rule groups: parses every expression (and alert template) with the
 * real PromQL parser. Returns promtool's output; throws with install instructions without promtool.
 */
export function promtoolCheckRules(groups: unknown[]): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "modelgate-promtool-"));
  try {
    const file = join(dir, "rules.yaml");
    writeFileSync(file, stringify({ groups }));
    return promtool(["check", "rules", file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
