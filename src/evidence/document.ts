import type { Verdict } from "../gates/gate.js";
import type { SpendingFunction } from "../stats/alpha-spending.js";

/**
 * The evidence document for one model version (GET /v1/models/{model}/versions/{version}/evidence
 * and `modelgate evidence`): what an auditor or a model card needs about how the version was
 * checked. Its JSON schema is docs/evidence.schema.json; keep the two in step.
 */
export interface EvidenceDocument {
  kind: "modelgate.evidence";
  schemaVersion: 1;
  model: string;
  version: string;
  /** ISO time the document was made */
  generatedAt: string;
  chain: ChainProof;
  seen: Seen;
  /** the latest judgement of the version as candidate (else as baseline), for the model card's evaluation */
  latest: EvidenceJudgement | null;
  subgroups: { fromJudgement: SubgroupTable | null; fromStore: SubgroupTable | null };
  /** judgements of the version, oldest first (one page of them over HTTP) */
  judgements: EvidenceJudgement[];
  page: PageInfo;
}

/**
 * The audit log was verified from its first record before anything was answered. The document
 * covers records 1…`records`, whose last hash is `head`; `verifiedRecords` ≥ `records` were checked
 * (records appended after the first page of a paginated read are verified but not covered).
 */
export interface ChainProof {
  verified: true;
  /** hash every chain starts from (judge/audit.ts GENESIS) */
  genesis: string;
  records: number;
  head: string;
  verifiedRecords: number;
  verifiedHead: string;
}

export interface Seen {
  /** what the embedded store holds about the version's traffic; null without a store or when it holds none */
  traffic: Traffic | null;
  asCandidate: RoleHistory | null;
  asBaseline: RoleHistory | null;
}

export interface Traffic {
  firstEvent: string | null;
  lastEvent: string | null;
  events: number;
  scored: number;
  labelled: number;
  errors: number;
}

/** Lists of names, capped so that a version judged against very many others stays small. */
export interface CappedList {
  values: string[];
  /** distinct names beyond the cap, not listed */
  omitted: number;
}

export interface RoleHistory {
  judgements: number;
  /** ISO times of the first and last judgement in this role */
  first: string;
  last: string;
  verdicts: Record<Verdict, number>;
  /** the other version of each judgement (candidates when this is the baseline, and vice versa) */
  against: CappedList;
  /** "namespace/name" of the Argo Rollouts named by the requests */
  rollouts: CappedList;
  runKeys: CappedList;
}

export interface EvidenceGate {
  verdict: Verdict;
  metric: string;
  value: number | null;
  threshold: number | null;
  interval: [number | null, number | null] | null;
  n: { baseline: number; candidate: number };
  reason: string;
  /** present (false) when the gate had nothing to judge in either cohort */
  judged?: false;
  /** inconclusive only: about how much more candidate data the deciding claim needed */
  needs?: { more: number; unit: string };
  /** with a declared look schedule: the look, the schedule's length and its spending function */
  sequential?: { look: number; looks: number; spending: SpendingFunction };
}

export type Role = "candidate" | "baseline" | "both";

export interface EvidenceJudgement {
  /** the audit record: its sequence number, the hash of the record before it, and its own hash */
  seq: number;
  prev: string;
  hash: string;
  id: string;
  at: string;
  role: Role;
  /** the other version judged (the version itself when judged against itself) */
  against: string;
  mode: "canary" | "shadow";
  rollout: string | null;
  runKey: string;
  look: number;
  window: string;
  source: string;
  alpha: number;
  verdict: Verdict;
  score: number | null;
  reason: string;
  gates: Record<string, EvidenceGate>;
}

export interface SubgroupRow {
  group: string;
  /** decisions in the group */
  n: number;
  /** whether the fairness gate judged the group (enough decisions); null for store figures */
  judged: boolean | null;
  selectionRate: number | null;
  selectionRateInterval: [number, number] | null;
  tpr: number | null;
  tprInterval: [number, number] | null;
  fpr: number | null;
  fprInterval: [number, number] | null;
}

export interface SubgroupAttribute {
  attribute: string;
  /** demographic parity ratio: min / max selection rate over the judged groups */
  parityRatio: number | null;
  parityRatioInterval: [number, number] | null;
  /** the fairness gate's verdict for the attribute; null for store figures */
  verdict: Verdict | null;
  groups: SubgroupRow[];
}

export interface SubgroupTable {
  basis: "judgement" | "store";
  /** how the figures were obtained and what their intervals mean, in words */
  method: string;
  /** the judgement the figures come from (basis "judgement") */
  judgement: { id: string; seq: number; at: string; role: Role; window: string } | null;
  /** event times the store's figures cover (basis "store") */
  window: { from: string | null; to: string | null } | null;
  attributes: SubgroupAttribute[];
}

export interface PageInfo {
  /** judgements with seq > after are listed */
  after: number;
  limit: number;
  /** `after` for the next page, null on the last */
  next: number | null;
}
