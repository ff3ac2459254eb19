import type { Verdict } from "../gates/gate.js";
import type { AuditRecord } from "../judge/audit.js";
import { type AuditPayload, judgementId } from "../judge/history.js";
import type { JudgeResponse } from "../judge/judgement.js";
import type {
  CappedList,
  EvidenceGate,
  EvidenceJudgement,
  Role,
  RoleHistory,
  SubgroupTable,
} from "./document.js";
import { subgroupsFromFairnessMetrics } from "./subgroups.js";

/** Distinct names kept per list (counterpart versions, Rollouts, run keys); the rest are counted. */
export const LIST_CAP = 100;

const object = (x: unknown): Record<string, unknown> | undefined =>
  x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : undefined;
const number = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);
const text = (x: unknown): string => (typeof x === "string" ? x : "");
const VERDICTS: readonly Verdict[] = ["pass", "fail", "inconclusive"];
const verdictOf = (x: unknown): Verdict =>
  VERDICTS.includes(x as Verdict) ? (x as Verdict) : "inconclusive";

/**
 * The Rollout a judgement names, as "namespace/name": the judge records the request's `rollout`
 * (a "namespace/name" string, or an object with namespace and name); null when none was named.
 */
function rolloutOf(judgement: Record<string, unknown>): string | null {
  const r = judgement.rollout;
  if (typeof r === "string" && r.trim() !== "" && r.trim() !== "/") return r.trim();
  const o = object(r);
  if (o && typeof o.namespace === "string" && typeof o.name === "string") return `${o.namespace}/${o.name}`;
  return null;
}

function gateOf(raw: unknown): EvidenceGate {
  const g = object(raw) ?? {};
  const iv = Array.isArray(g.interval) && g.interval.length === 2 ? g.interval : null;
  const n = object(g.n) ?? {};
  return {
    verdict: verdictOf(g.verdict),
    metric: text(g.metric),
    value: number(g.value),
    threshold: number(g.threshold),
    interval: iv ? [number(iv[0]), number(iv[1])] : null,
    n: { baseline: number(n.baseline) ?? 0, candidate: number(n.candidate) ?? 0 },
    reason: text(g.reason),
    ...(g.judged === false ? { judged: false as const } : {}),
    ...needsOf(g.needs),
    ...sequentialOf(g.sequential),
  };
}

function needsOf(raw: unknown): Pick<EvidenceGate, "needs"> {
  const o = object(raw);
  const more = number(o?.more);
  return o && more !== null && more >= 0 && typeof o.unit === "string"
    ? { needs: { more, unit: o.unit } }
    : {};
}

function sequentialOf(raw: unknown): Pick<EvidenceGate, "sequential"> {
  const o = object(raw);
  const look = number(o?.look);
  const looks = number(o?.looks);
  const spending = o?.spending;
  if (!o || look === null || looks === null || (spending !== "obrien-fleming" && spending !== "pocock"))
    return {};
  return { sequential: { look, looks, spending } };
}

/**
 * A verified audit record read as a judgement of `version` of `model`, or undefined when the record
 * is about something else. Only what the evidence shows is kept (gate metrics stay in the log).
 */
export function judgementOfVersion(
  record: AuditRecord,
  model: string,
  version: string,
): { entry: EvidenceJudgement; response: JudgeResponse } | undefined {
  const payload = object(record.payload) as Partial<AuditPayload> | undefined;
  const response = object(payload?.response) as JudgeResponse | undefined;
  const j = object(response?.judgement);
  if (!response || !j || j.model !== model) return undefined;
  const isCandidate = j.candidate === version;
  const isBaseline = j.baseline === version;
  if (!isCandidate && !isBaseline) return undefined;
  const role: Role = isCandidate && isBaseline ? "both" : isCandidate ? "candidate" : "baseline";
  const summary = object(response.summary) ?? {};
  const gates: Record<string, EvidenceGate> = {};
  for (const [name, g] of Object.entries(object(response.gates) ?? {})) gates[name] = gateOf(g);
  return {
    response,
    entry: {
      seq: record.seq,
      prev: record.prev,
      hash: record.hash,
      id: judgementId(record.hash),
      at: text(j.at),
      role,
      against: text(isCandidate ? j.baseline : j.candidate),
      mode: j.mode === "shadow" ? "shadow" : "canary",
      rollout: rolloutOf(j),
      runKey: text(j.runKey),
      look: number(j.look) ?? 0,
      window: text(j.window),
      source: text(j.source),
      alpha: number(j.alpha) ?? 0,
      verdict: verdictOf(summary.verdict),
      score: number(summary.score),
      reason: text(summary.reason),
      gates,
    },
  };
}

class Capped {
  private readonly values = new Set<string>();
  private readonly extra = new Set<string>();
  private overflow = 0;

  add(value: string | null): void {
    if (value === null || value === "" || this.values.has(value)) return;
    if (this.values.size < LIST_CAP) this.values.add(value);
    // beyond the cap only a bounded number of names is remembered to count them distinctly
    else if (this.extra.size < 10 * LIST_CAP) this.extra.add(value);
    else this.overflow++;
  }

  toJSON(): CappedList {
    return { values: [...this.values], omitted: this.extra.size + this.overflow };
  }
}

class RoleTally {
  judgements = 0;
  first = "";
  last = "";
  private firstMs = Number.POSITIVE_INFINITY;
  private lastMs = Number.NEGATIVE_INFINITY;
  readonly verdicts: Record<Verdict, number> = { pass: 0, fail: 0, inconclusive: 0 };
  readonly against = new Capped();
  readonly rollouts = new Capped();
  readonly runKeys = new Capped();

  add(e: EvidenceJudgement): void {
    this.judgements++;
    const ms = Date.parse(e.at);
    if (Number.isFinite(ms) && ms < this.firstMs) [this.firstMs, this.first] = [ms, e.at];
    if (Number.isFinite(ms) && ms > this.lastMs) [this.lastMs, this.last] = [ms, e.at];
    this.verdicts[e.verdict]++;
    this.against.add(e.against);
    this.rollouts.add(e.rollout);
    this.runKeys.add(e.runKey);
  }

  toJSON(): RoleHistory | null {
    if (this.judgements === 0) return null;
    return {
      judgements: this.judgements,
      first: this.first,
      last: this.last,
      verdicts: { ...this.verdicts },
      against: this.against.toJSON(),
      rollouts: this.rollouts.toJSON(),
      runKeys: this.runKeys.toJSON(),
    };
  }
}

/**
 * What a pass over the audit log learns about one version in bounded memory: per role (candidate,
 * baseline) the number of judgements, first and last time, verdict counts and capped lists of
 * counterparts, Rollouts and run keys; the latest judgement in each role; the fairness figures of
 * the latest canary judgement with a fairness gate in each role; and one page of judgements.
 */
export class EvidenceCollector {
  readonly asCandidate = new RoleTally();
  readonly asBaseline = new RoleTally();
  private latestCandidate: EvidenceJudgement | undefined;
  private latestBaseline: EvidenceJudgement | undefined;
  private fairnessCandidate: SubgroupTable | undefined;
  private fairnessBaseline: SubgroupTable | undefined;
  /** judgements of the version up to `through` */
  matched = 0;
  readonly page: EvidenceJudgement[] = [];
  /** a judgement beyond the page exists */
  more = false;
  /** records up to `through` seen, and the hash of the last of them */
  covered = 0;
  coveredHead = "";

  constructor(
    private readonly model: string,
    private readonly version: string,
    private readonly window: { after: number; limit: number; through: number },
  ) {}

  add(record: AuditRecord): void {
    if (record.seq > this.window.through) return;
    this.covered = record.seq;
    this.coveredHead = record.hash;
    const found = judgementOfVersion(record, this.model, this.version);
    if (!found) return;
    const { entry, response } = found;
    this.matched++;
    if (entry.role !== "baseline") {
      this.asCandidate.add(entry);
      this.latestCandidate = entry;
    }
    if (entry.role !== "candidate") {
      this.asBaseline.add(entry);
      this.latestBaseline = entry;
    }
    const fairness = object(object(response.gates)?.fairness);
    if (fairness && entry.mode === "canary") {
      const ref = { id: entry.id, seq: entry.seq, at: entry.at, role: entry.role, window: entry.window };
      const table = subgroupsFromFairnessMetrics(fairness.metrics, entry.role, ref);
      if (table && entry.role !== "baseline") this.fairnessCandidate = table;
      else if (table) this.fairnessBaseline = table;
    }
    if (entry.seq <= this.window.after) return;
    if (this.page.length < this.window.limit) this.page.push(entry);
    else this.more = true;
  }

  latest(): EvidenceJudgement | null {
    return this.latestCandidate ?? this.latestBaseline ?? null;
  }

  /** The version's subgroup figures from the latest judgement as candidate, else as baseline. */
  subgroups(): SubgroupTable | null {
    return this.fairnessCandidate ?? this.fairnessBaseline ?? null;
  }
}
