import type { ExprDialect } from "./expr-check.js";

/**
 * The Argo Rollouts versions the emulation follows, read in argoproj/argo-rollouts (tags v1.9.1
 * b6bd3bc, v1.10.0-rc1 d1c2967, master 9f8d111), and what differs between them where a web
 * metric is measured. v1.9.1 stands for v1.8.0–v1.9.1: utils/evaluate/evaluate.go and
 * metricproviders/webmetric/webmetric.go are the same in all of them, and so is the expr they
 * link (antonmedv/expr v1.15.5) and client-go's util/jsonpath.
 */
export const ARGO_VERSIONS = ["v1.9.1", "v1.10.0-rc1", "master"] as const;
export type ArgoVersion = (typeof ARGO_VERSIONS)[number];

/** The latest release: what the emulation follows unless told otherwise. */
export const DEFAULT_ARGO_VERSION: ArgoVersion = "v1.9.1";

export interface ArgoBehaviour {
  /** antonmedv/expr v1.15.5 (go.mod of v1.9.1), expr-lang/expr v1.17.7 (v1.10.0-rc1), v1.17.8 (master) */
  expr: ExprDialect;
  /** formatEvalError (#4680): `could not evaluate successCondition "<expr>": <error>` */
  wrapsConditionErrors: boolean;
  /** #4770: a 2xx body that is not JSON goes through the conditions as a string, not Successful */
  evaluatesNonJsonBody: boolean;
}

export const ARGO_BEHAVIOUR: Record<ArgoVersion, ArgoBehaviour> = {
  "v1.9.1": { expr: "v1.15.5", wrapsConditionErrors: false, evaluatesNonJsonBody: false },
  "v1.10.0-rc1": { expr: "v1.17", wrapsConditionErrors: true, evaluatesNonJsonBody: false },
  master: { expr: "v1.17", wrapsConditionErrors: true, evaluatesNonJsonBody: true },
};
