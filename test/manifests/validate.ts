import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

/**
 * `promtool check rules` on rule groups: parses every expression (and alert template) with the
 * real PromQL parser. Returns promtool's output; throws with install instructions without promtool.
 */
export function promtoolCheckRules(groups: unknown[]): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "modelgate-promtool-"));
  try {
    const file = join(dir, "rules.yaml");
    writeFileSync(file, stringify({ groups }));
    const out = spawnSync("promtool", ["check", "rules", file], { encoding: "utf8", timeout: 60_000 });
    if (out.error && (out.error as NodeJS.ErrnoException).code === "ENOENT")
      throw new Error(PROMTOOL_INSTALL);
    if (out.error) throw out.error;
    return { ok: out.status === 0, output: `${out.stdout}${out.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
