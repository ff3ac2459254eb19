import type { RolloutRef } from "./kube-client.js";

/** DNS-1123 subdomain (Rollout names) and label (namespaces), as the API server validates them. */
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Parse the `rollout` argument templates pass ("namespace/name"). Returns undefined for an empty
 * value or a bare "/" (templates default both halves to "" when no Rollout is involved) and throws an Error
 * naming the problem for anything malformed, so the API can answer 400 instead of guessing.
 */
export function parseRolloutRef(raw: string | undefined): RolloutRef | undefined {
  // "/" is what a template sends when both rollout-namespace and rollout-name are left empty.
  if (raw === undefined || raw.trim() === "" || raw.trim() === "/") return undefined;
  const parts = raw.trim().split("/");
  if (parts.length !== 2) throw new Error(`rollout must be "namespace/name", got "${raw}"`);
  const [namespace, name] = parts as [string, string];
  if (namespace.length > 63 || !LABEL.test(namespace)) {
    throw new Error(`rollout namespace "${namespace}" is not a valid Kubernetes namespace`);
  }
  if (name.length > 253 || !SUBDOMAIN.test(name)) {
    throw new Error(`rollout name "${name}" is not a valid Kubernetes object name`);
  }
  return { namespace, name };
}
