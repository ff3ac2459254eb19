import { existsSync } from "node:fs";
import { type AuditVerification, GENESIS } from "../judge/audit.js";
import type { CohortSummary } from "../sketch/cohort-summary.js";
import { scanAuditFile } from "./audit-reader.js";
import { EvidenceCollector, judgementOfVersion } from "./collect.js";
import type { EvidenceDocument, EvidenceJudgement, Traffic } from "./document.js";
import { subgroupsFromCohort } from "./subgroups.js";

/** What the embedded store holds about one version: lifetime counts and the retained summary. */
export interface StoredVersion {
  counts: {
    events: number;
    scored: number;
    labelled: number;
    errors: number;
    firstTs: number | null;
    lastTs: number | null;
  };
  summary: CohortSummary | undefined;
}

export interface EvidenceDeps {
  /** the judgement audit log (<data-dir>/judge/audit.jsonl); a missing file is an empty log */
  auditPath: string;
  /** the store's view of a version; absent when there is no embedded store to ask */
  store?: (model: string, version: string) => StoredVersion | undefined;
  clock: () => number;
}

export interface EvidenceQuery {
  model: string;
  version: string;
  /** list judgements whose audit record comes after this sequence number (0: from the start) */
  after: number;
  /** at most this many judgements */
  limit: number;
  /** cover only records 1…through (every page of one paginated read names the first page's) */
  through?: number;
}

/** The audit log fails verification: nothing is answered from it. */
export class AuditChainBroken extends Error {
  constructor(
    readonly path: string,
    readonly verification: AuditVerification,
  ) {
    const e = verification.error;
    super(
      `the judgement audit log fails verification at line ${e?.line} (record ${verification.records + 1}): ${e?.message}; ${verification.records} records verified before it, last good hash ${verification.head}. No evidence is given from a log that does not verify: see \`modelgate audit verify\``,
    );
    this.name = "AuditChainBroken";
  }
}

/** Neither the audit log nor the store knows the version. */
export class EvidenceNotFound extends Error {
  constructor(model: string, version: string, message?: string) {
    super(
      message ??
        `no judgement of model "${model}" version "${version}" in the audit log, and no events of it in the store`,
    );
    this.name = "EvidenceNotFound";
  }
}

/** `through` names a record the log does not have. */
export class EvidenceRangeError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "EvidenceRangeError";
  }
}

const iso = (ts: number | null) => (ts === null ? null : new Date(ts).toISOString());

function traffic(stored: StoredVersion | undefined): Traffic | null {
  if (!stored) return null;
  const c = stored.counts;
  return {
    firstEvent: iso(c.firstTs),
    lastEvent: iso(c.lastTs),
    events: c.events,
    scored: c.scored,
    labelled: c.labelled,
    errors: c.errors,
  };
}

async function collect(query: EvidenceQuery, deps: EvidenceDeps, limit: number) {
  const collector = new EvidenceCollector(query.model, query.version, {
    after: query.after,
    limit,
    through: query.through ?? Number.POSITIVE_INFINITY,
  });
  const scan = existsSync(deps.auditPath)
    ? await scanAuditFile(deps.auditPath, (r) => collector.add(r))
    : { verification: { ok: true, records: 0, head: GENESIS }, bytes: 0 };
  const v = scan.verification;
  if (!v.ok) throw new AuditChainBroken(deps.auditPath, v);
  if (query.through !== undefined && query.through > v.records) {
    throw new EvidenceRangeError(
      "through",
      `through: the audit log has ${v.records} records, there is no record ${query.through}`,
    );
  }
  const stored = deps.store?.(query.model, query.version);
  if (collector.matched === 0 && !stored) throw new EvidenceNotFound(query.model, query.version);
  const storeTable = stored?.summary ? subgroupsFromCohort(stored.summary) : undefined;
  const document: EvidenceDocument = {
    kind: "modelgate.evidence",
    schemaVersion: 1,
    model: query.model,
    version: query.version,
    generatedAt: new Date(deps.clock()).toISOString(),
    chain: {
      verified: true,
      genesis: GENESIS,
      records: collector.covered,
      head: collector.covered === 0 ? GENESIS : collector.coveredHead,
      verifiedRecords: v.records,
      verifiedHead: v.head,
    },
    seen: {
      traffic: traffic(stored),
      asCandidate: collector.asCandidate.toJSON(),
      asBaseline: collector.asBaseline.toJSON(),
    },
    latest: collector.latest(),
    subgroups: { fromJudgement: collector.subgroups(), fromStore: storeTable ?? null },
    judgements: collector.page,
    page: {
      after: query.after,
      limit,
      next: collector.more ? (collector.page.at(-1)?.seq ?? query.after) : null,
    },
  };
  return { document, bytes: scan.bytes, matched: collector.matched };
}

/**
 * One page of the evidence: the whole audit log is verified (a broken chain throws AuditChainBroken
 * naming the record) and summarised in one streaming pass, keeping at most `limit` judgements.
 * Cost: O(log size) time, O(limit + groups) memory.
 */
export async function evidencePage(query: EvidenceQuery, deps: EvidenceDeps): Promise<EvidenceDocument> {
  return (await collect(query, deps, query.limit)).document;
}

/**
 * The whole evidence with every judgement, for writers that stream (the CLI): a first pass verifies
 * and summarises the log; `head` gets the document without judgements; a second pass over exactly
 * the bytes the first one read hands each judgement to `judgement` in log order, verifying again, and
 * throws AuditChainBroken if the log changed in between. Memory stays bounded whatever the history.
 */
export async function streamEvidence(
  query: Omit<EvidenceQuery, "after" | "limit">,
  deps: EvidenceDeps,
  sink: { head(document: EvidenceDocument): void; judgement(entry: EvidenceJudgement): void },
): Promise<EvidenceDocument> {
  const { document, bytes, matched } = await collect({ ...query, after: 0, limit: 0 }, deps, 0);
  // one page holding every judgement
  const all = { ...document, page: { after: 0, limit: matched, next: null } };
  sink.head(all);
  const through = document.chain.records;
  if (through === 0) return all;
  let headAtThrough = GENESIS;
  const again = await scanAuditFile(
    deps.auditPath,
    (record) => {
      if (record.seq > through) return;
      if (record.seq === through) headAtThrough = record.hash;
      const found = judgementOfVersion(record, query.model, query.version);
      if (found) sink.judgement(found.entry);
    },
    { untilBytes: bytes },
  );
  if (!again.verification.ok) throw new AuditChainBroken(deps.auditPath, again.verification);
  if (headAtThrough !== document.chain.head) {
    throw new AuditChainBroken(deps.auditPath, {
      ok: false,
      records: again.verification.records,
      head: again.verification.head,
      error: {
        line: through,
        message: "the log changed while it was read (record hashes differ between two passes)",
      },
    });
  }
  return all;
}
