import { spawnSync } from "node:child_process";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const MANIFESTS = join(ROOT, "manifests");

/** Every kustomization the repository ships, relative to manifests/. */
export const KUSTOMIZATIONS = [
  "base",
  "templates",
  "cluster-templates",
  "monitoring",
  "examples/canary",
  "examples/shadow-istio",
  "examples/blue-green",
  "examples/experiment",
  "examples/cross-namespace-rbac",
  "examples/monitoring-settings",
  "examples/install",
  "examples/kube-prometheus-stack",
  // the example model server's Rollout (examples/model-server, outside manifests/)
  "../examples/model-server/deploy",
] as const;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are arbitrary YAML; tests narrow by kind
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  [k: string]: any;
}

const INSTALL = [
  "kubectl 1.21 or later is needed to build the kustomizations (kubectl kustomize, kustomize v4+).",
  "Install it: apt-get install -y kubectl   (from the Kubernetes project's apt repository),",
  "or any kubectl binary >= 1.21 on PATH. Debian's own kubernetes-client package (1.20) is too old.",
].join("\n");

const cache = new Map<string, K8sObject[]>();
let checkedVersion = false;

/**
 * The manifests use kustomize v4+ features (`labels`, `patches` with targets, generator labels).
 * kubectl 1.21+ embeds kustomize v4+; Debian bookworm's `kubernetes-client` is 1.20 (kustomize v2),
 * too old, so say so instead of failing on a confusing build error.
 */
function checkKustomizeVersion(): void {
  if (checkedVersion) return;
  const out = spawnSync("kubectl", ["version", "--client", "-o", "json"], {
    encoding: "utf8",
    timeout: 30_000,
  });
  if (out.error && (out.error as NodeJS.ErrnoException).code === "ENOENT") throw new Error(INSTALL);
  const version =
    (JSON.parse(out.stdout || "{}") as { kustomizeVersion?: string }).kustomizeVersion ?? "unknown";
  const major = Number(/^v(\d+)\./.exec(version)?.[1] ?? 0);
  if (major < 4) {
    throw new Error(
      `kubectl's kustomize is ${version}; these manifests need kustomize v4 or later (kubectl 1.21+).\n${INSTALL}`,
    );
  }
  checkedVersion = true;
}

/** `kubectl kustomize manifests/<dir>` parsed into objects; fails with install instructions without kubectl. */
export function build(dir: string): K8sObject[] {
  const hit = cache.get(dir);
  if (hit) return hit;
  checkKustomizeVersion();
  const out = spawnSync("kubectl", ["kustomize", join(MANIFESTS, dir)], {
    encoding: "utf8",
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (out.error && (out.error as NodeJS.ErrnoException).code === "ENOENT") throw new Error(INSTALL);
  if (out.error) throw out.error;
  if (out.status !== 0) {
    throw new Error(`kubectl kustomize ${relative(ROOT, join(MANIFESTS, dir))} failed:\n${out.stderr}`);
  }
  const objects = parseAllDocuments(out.stdout).map((d) => {
    if (d.errors.length > 0) throw new Error(`${dir}: ${d.errors[0]!.message}`);
    return d.toJS() as K8sObject;
  });
  cache.set(dir, objects);
  return objects;
}

export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function one(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1)
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ""}, found ${found.length}`);
  return found[0]!;
}
