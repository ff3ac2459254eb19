import { existsSync } from "node:fs";
import type { Agent } from "node:http";
import {
  ApiException,
  type ConfigurationOptions,
  CoreV1Api,
  type CoreV1Event,
  CustomObjectsApi,
  KubeConfig,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from "@kubernetes/client-node";
import type { Config } from "../config.js";
import type { Logger } from "../log.js";

/** The two pod-template hashes a Rollout is moving between, and its uid (for Events). */
export interface RolloutVersions {
  /** status.stableRS: the stable ReplicaSet's pod-template-hash (the baseline) */
  stable: string;
  /** status.currentPodHash: the hash of the current (canary/preview) pod template (the candidate) */
  canary: string;
  uid?: string;
}

export interface RolloutRef {
  namespace: string;
  name: string;
  /** without it emitEvent looks the Rollout up: `kubectl describe` matches Events by uid */
  uid?: string;
}

export interface KubeEvent {
  type: "Warning" | "Normal";
  reason: "ModelGateFailed" | "ModelGateInconclusive" | string;
  message: string;
}

/**
 * What modelgate asks of Kubernetes. Both calls are best effort: a missing Rollout, missing RBAC
 * (403), an unreachable or slow API server never throw, because a judgement must still answer Argo.
 */
export interface KubeClient {
  resolveRollout(namespace: string, name: string): Promise<RolloutVersions | undefined>;
  emitEvent(ref: RolloutRef, e: KubeEvent): Promise<void>;
}

export interface KubeClientOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** bound on one API call, ms; Argo's whole measurement has 10 s by default */
  timeoutMs?: number;
  clock?: () => number;
  /** reportingInstance of the Events: the pod name */
  instance?: string;
}

export const ROLLOUT_GROUP = "argoproj.io";
export const ROLLOUT_VERSION = "v1alpha1";
export const DEFAULT_KUBE_TIMEOUT_MS = 2_000;
/** core/v1 puts no hard limit on message, but events.k8s.io caps `note` at 1 KiB; stay under both */
const MAX_MESSAGE = 1024;

class KubeTimeoutError extends Error {
  constructor(ms: number) {
    super(`Kubernetes API did not answer within ${ms} ms`);
    this.name = "KubeTimeoutError";
  }
}

/**
 * Run one client-node call with a deadline. client-node 1.x sends through node-fetch without an
 * abort signal, so a middleware captures the per-request agent the KubeConfig attaches and the
 * deadline destroys it: the socket closes and nothing is left hanging behind the judgement.
 */
async function withTimeout<T>(ms: number, call: (options: ConfigurationOptions) => Promise<T>): Promise<T> {
  let agent: Agent | undefined;
  let expired = false;
  // The object-style API runs call-time middleware as client-node's internal Observable stub,
  // which only needs toPromise(); its constructor is not exported, so build the shape here.
  const observable = <V>(value: () => Promise<V>) => ({ toPromise: value });
  const capture = {
    pre: (ctx: RequestContext) =>
      observable(async () => {
        if (expired) throw new KubeTimeoutError(ms);
        agent = ctx.getAgent() as Agent | undefined;
        return ctx;
      }),
    post: (rsp: ResponseContext) => observable(async () => rsp),
  } as unknown as ObservableMiddleware;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expired = true;
      agent?.destroy();
      reject(new KubeTimeoutError(ms));
    }, ms);
  });
  try {
    return await Promise.race([call({ middleware: [capture], middlewareMergeStrategy: "append" }), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function describeFailure(err: unknown): { status?: number; detail: string } {
  if (err instanceof ApiException) {
    const body = typeof err.body === "string" ? err.body : JSON.stringify(err.body);
    let detail = body;
    try {
      detail = (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      // not a Status object: keep the raw body
    }
    return { status: err.code, detail: detail.slice(0, 300) };
  }
  return { detail: err instanceof Error ? err.message : String(err) };
}

export function createKubeClient(opts: KubeClientOptions): KubeClient {
  const { kubeConfig, logger } = opts;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_KUBE_TIMEOUT_MS;
  const clock = opts.clock ?? Date.now;
  const instance = opts.instance ?? "modelgate";
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  let seq = 0;

  const getRollout = async (namespace: string, name: string, purpose: string) => {
    try {
      return (await withTimeout(timeoutMs, (options) =>
        custom.getNamespacedCustomObject(
          { group: ROLLOUT_GROUP, version: ROLLOUT_VERSION, namespace, plural: "rollouts", name },
          options,
        ),
      )) as { metadata?: { uid?: string }; status?: { stableRS?: string; currentPodHash?: string } };
    } catch (err) {
      const { status, detail } = describeFailure(err);
      const hint =
        status === 403
          ? "grant get on rollouts.argoproj.io to modelgate's ServiceAccount (manifests/base/role.yaml)"
          : status === 404
            ? "no such Rollout: check the rollout argument (namespace/name)"
            : undefined;
      logger.warn("could not read Rollout", {
        rollout: `${namespace}/${name}`,
        purpose,
        status,
        error: detail,
        ...(hint ? { hint } : {}),
      });
      return undefined;
    }
  };

  return {
    async resolveRollout(namespace, name) {
      const rollout = await getRollout(namespace, name, "resolve versions");
      const stable = rollout?.status?.stableRS;
      const canary = rollout?.status?.currentPodHash;
      if (!rollout) return undefined;
      if (!stable || !canary) {
        // A Rollout's first revision has no stable ReplicaSet yet: there is nothing to compare.
        logger.warn("Rollout has no stable and current pod hash yet", {
          rollout: `${namespace}/${name}`,
          stableRS: stable ?? null,
          currentPodHash: canary ?? null,
        });
        return undefined;
      }
      return { stable, canary, ...(rollout.metadata?.uid ? { uid: rollout.metadata.uid } : {}) };
    },

    async emitEvent(ref, e) {
      let uid = ref.uid;
      if (!uid) {
        uid = (await getRollout(ref.namespace, ref.name, "event uid"))?.metadata?.uid;
        // Without a uid the Event would still be stored but `kubectl describe` would not show it.
        if (!uid) return;
      }
      const now = new Date(clock());
      // client-go names Events "<object>.<unix nanos in hex>"; the sequence keeps two in one ms apart.
      const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(seq++ % 1_000_000);
      const body: CoreV1Event = {
        metadata: { name: `${ref.name}.${nanos.toString(16)}`, namespace: ref.namespace },
        involvedObject: {
          apiVersion: `${ROLLOUT_GROUP}/${ROLLOUT_VERSION}`,
          kind: "Rollout",
          namespace: ref.namespace,
          name: ref.name,
          uid,
        },
        type: e.type,
        reason: e.reason,
        message: e.message.length > MAX_MESSAGE ? `${e.message.slice(0, MAX_MESSAGE - 1)}…` : e.message,
        source: { component: "modelgate" },
        reportingComponent: "modelgate",
        reportingInstance: instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      };
      try {
        await withTimeout(timeoutMs, (options) =>
          core.createNamespacedEvent({ namespace: ref.namespace, body }, options),
        );
      } catch (err) {
        const { status, detail } = describeFailure(err);
        logger.warn("could not emit Event on Rollout", {
          rollout: `${ref.namespace}/${ref.name}`,
          reason: e.reason,
          status,
          error: detail,
          ...(status === 403
            ? { hint: "grant create on events to modelgate's ServiceAccount (manifests/base/role.yaml)" }
            : {}),
        });
      }
    },
  };
}

const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/**
 * The KubeClient the service runs with, or undefined when it has no credentials: in a pod it uses
 * the ServiceAccount (in-cluster config); elsewhere only an explicit MODELGATE_KUBECONFIG
 * (`settings.kubeconfig`), so that a laptop's KUBECONFIG is never used by surprise. Says which
 * once, at start. `settings.kubeTimeoutMs` (MODELGATE_KUBE_TIMEOUT_MS) bounds each API call.
 * `env` is read for the pod's own variables only (KUBERNETES_SERVICE_HOST/PORT, HOSTNAME).
 */
export function createKubeClientFromEnv(
  logger: Logger,
  settings: Pick<Config, "kubeconfig" | "kubeTimeoutMs">,
  env: NodeJS.ProcessEnv = process.env,
  fileExists: (path: string) => boolean = existsSync,
): KubeClient | undefined {
  const timeoutMs = settings.kubeTimeoutMs;
  const kubeConfig = new KubeConfig();
  let source: string;
  try {
    if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && fileExists(SERVICE_ACCOUNT_TOKEN)) {
      kubeConfig.loadFromCluster();
      source = "in-cluster ServiceAccount";
    } else if (settings.kubeconfig) {
      kubeConfig.loadFromFile(settings.kubeconfig);
      if (!kubeConfig.getCurrentCluster()) throw new Error("it has no current context/cluster");
      source = `kubeconfig ${settings.kubeconfig}`;
    } else {
      logger.info(
        "no Kubernetes credentials (not in a pod, MODELGATE_KUBECONFIG unset): rollout=namespace/name lookups and Events on Rollouts are off",
      );
      return undefined;
    }
  } catch (err) {
    logger.warn("Kubernetes configuration unusable: rollout lookups and Events on Rollouts are off", {
      error: err instanceof Error ? err.message : String(err),
    });
    return undefined;
  }
  logger.info("Kubernetes client on", {
    source,
    server: kubeConfig.getCurrentCluster()?.server,
    timeoutMs,
  });
  return createKubeClient({ kubeConfig, logger, timeoutMs, instance: env.HOSTNAME || "modelgate" });
}
