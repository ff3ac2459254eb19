import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../config.js";
import { AuditChainBroken, type EvidenceDeps, EvidenceNotFound, streamEvidence } from "../evidence/build.js";
import type { EvidenceDocument, EvidenceJudgement } from "../evidence/document.js";
import { markdownHead, markdownJudgement, markdownTail } from "../evidence/markdown.js";
import { storedVersions } from "../evidence/store-view.js";
import { EmbeddedStore, storeOptionsFromConfig } from "../store/embedded-store.js";
import type { Journal } from "../store/journal.js";
import { parseCommandLine } from "./command-line.js";
import type { CliIo, Command } from "./run.js";

const HELP = `modelgate evidence — what modelgate knows about one model version, for a model card or an audit

Usage: modelgate evidence --model M --version V [--format md|json] [--data-dir DIR | --url URL]

Writes, for the version: when it was first and last judged and as what (candidate or baseline,
against which versions, from which Argo Rollout), its traffic in the store, every judgement of it
(verdict, each gate's value, anytime-valid interval and reason), the subgroup table (selection rate,
TPR, FPR per group with intervals, parity ratio: as judged by the fairness gate, and recomputed from
the store), and the audit-chain proof (each judgement's audit record with its hash and the chain head
it leads to). The Markdown has "Evaluation" and "Change history" sections ready to paste into a model
card; the JSON follows docs/evidence.schema.json.

The judgement audit log is verified from its first record before anything is written; if it does
not verify, nothing is written and the broken record is named. Exit code: 0 written, 1 the audit
log does not verify (refused), 2 usage error, unknown version, or data / server not reachable.

Options:
  --model NAME      the model (required)
  --version NAME    the version, e.g. a pod-template-hash (required)
  --format md|json  Markdown (default) or JSON
  --data-dir DIR    read the service's data directory: <DIR>/judge/audit.jsonl and the store
                    (default $MODELGATE_DATA_DIR or ./data); reads only, never writes
  --url URL         ask a running modelgate instead (GET /v1/models/{model}/versions/{version}/evidence,
                    page by page)
  --token TOKEN     bearer token with scope read, with --url (default $MODELGATE_API_TOKEN)
  --help            show this help

Examples:
  modelgate evidence --model fraud --version 6b7f9c --data-dir /var/lib/modelgate > evidence.md
  modelgate evidence --model fraud --version 6b7f9c --format json --url http://127.0.0.1:8080 | jq .subgroups
  kubectl port-forward -n modelgate svc/modelgate 8080 & modelgate evidence --model fraud --version 6b7f9c --url http://127.0.0.1:8080
`;

/** Judgements per request when reading from a server (its maximum page). */
const PAGE = 5000;

/** The audit log does not verify (exit 1). */
class Refused extends Error {}
/** The server could not be reached or did not answer as expected (exit 2). */
class ServerError extends Error {}

/** Writes the document as it arrives: the head, each judgement, the tail. */
interface Writer {
  head(d: EvidenceDocument): void;
  judgement(e: EvidenceJudgement): void;
  end(): void;
}

function markdownWriter(out: (s: string) => void): Writer {
  let head: EvidenceDocument | undefined;
  let n = 0;
  return {
    head(d) {
      head = d;
      out(markdownHead(d));
    },
    judgement(e) {
      out(`\n${markdownJudgement(e, ++n)}`);
    },
    end() {
      if (head) out(markdownTail(head));
    },
  };
}

/** JSON written in pieces: every field of the document, its judgements one a line, then `page`. */
function jsonWriter(out: (s: string) => void): Writer {
  let n = 0;
  return {
    head(d) {
      const { judgements: _j, page: _p, ...rest } = d;
      out(`${JSON.stringify(rest).slice(0, -1)},"judgements":[`);
    },
    judgement(e) {
      out(`${n++ === 0 ? "\n" : ",\n"}${JSON.stringify(e)}`);
    },
    end() {
      out(`${n > 0 ? "\n" : ""}],"page":${JSON.stringify({ after: 0, limit: n, next: null })}}\n`);
    },
  };
}

/** Read the data directory directly: the audit log, and the store when there is one (opened read-only in effect). */
async function fromDataDir(
  dir: string,
  model: string,
  version: string,
  io: CliIo,
  writer: Writer,
): Promise<void> {
  const auditPath = join(dir, "judge", "audit.jsonl");
  const dbPath = join(dir, "modelgate.db");
  if (!existsSync(auditPath) && !existsSync(dbPath)) {
    throw new EvidenceNotFound(
      model,
      version,
      `no modelgate data in ${dir} (neither judge/audit.jsonl nor modelgate.db)`,
    );
  }
  let store: EmbeddedStore | undefined;
  try {
    if (existsSync(dbPath)) {
      const config = loadConfig(io.env, { "data-dir": dir });
      store = EmbeddedStore.open(storeOptionsFromConfig(config));
      await store.replay();
    }
    const deps: EvidenceDeps = {
      auditPath,
      store: store ? storedVersions(store) : undefined,
      clock: io.clock ?? Date.now,
    };
    await streamEvidence({ model, version }, deps, writer);
    writer.end();
  } finally {
    // Not store.close(): that writes a snapshot, and this command only reads (the service may be
    // running on the same directory). The database handle is closed as is.
    (store as unknown as { journal: Journal } | undefined)?.journal.close();
  }
}

async function getJson(url: string, token: string | undefined): Promise<{ status: number; body: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message;
    throw new ServerError(`cannot reach ${url}: ${cause ?? (e as Error).message}`);
  }
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    throw new ServerError(
      `${url} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`,
    );
  }
}

/** Page through a running service; every page after the first covers the same records (`through`). */
async function fromServer(
  base: string,
  token: string | undefined,
  model: string,
  version: string,
  writer: Writer,
): Promise<void> {
  const path = `${base}/v1/models/${encodeURIComponent(model)}/versions/${encodeURIComponent(version)}/evidence`;
  let first: EvidenceDocument | undefined;
  let after = 0;
  for (;;) {
    const through = first ? `&through=${first.chain.records}` : "";
    const url = `${path}?limit=${PAGE}&after=${after}${through}`;
    const { status, body } = await getJson(url, token);
    const error = (body as { error?: { code?: string; message?: string } }).error;
    if (status === 409 && error?.code === "audit_chain_broken")
      throw new Refused(`${base}: ${error.message}`);
    if (status === 404) throw new EvidenceNotFound(model, version, error?.message);
    if (status !== 200)
      throw new ServerError(`${url} answered ${status}: ${error?.message ?? JSON.stringify(body)}`);
    const page = body as EvidenceDocument;
    if (!first) {
      first = page;
      writer.head(page);
    } else if (page.chain.head !== first.chain.head) {
      throw new Refused(
        `${base}: the audit chain head changed between pages (${first.chain.head} then ${page.chain.head})`,
      );
    }
    for (const e of page.judgements) writer.judgement(e);
    if (page.page.next === null) break;
    after = page.page.next;
  }
  writer.end();
}

export const evidenceCommand: Command = {
  name: "evidence",
  summary: "a model version's judgements, subgroups and audit proof, as Markdown or JSON",
  async run(args: string[], io: CliIo): Promise<number> {
    const fail = (message: string) => {
      io.stderr(`modelgate evidence: ${message}\n`);
      return 2;
    };
    const parsed = parseCommandLine(
      args,
      {
        model: { type: "string" },
        version: { type: "string" },
        format: { type: "string" },
        "data-dir": { type: "string" },
        url: { type: "string" },
        token: { type: "string" },
        help: { type: "boolean" },
      },
      io,
      HELP,
      (message) => fail(`${message}\n\n${HELP}`),
    );
    if (typeof parsed === "number") return parsed;
    const { values, positionals } = parsed;
    if (positionals.length > 0) return fail(`unexpected argument "${positionals[0]}"\n\n${HELP}`);
    const model = values.model?.trim();
    const version = values.version?.trim();
    if (!model) return fail(`--model is required\n\n${HELP}`);
    if (!version) return fail(`--version is required\n\n${HELP}`);
    const format = values.format ?? "md";
    if (format !== "md" && format !== "json") return fail(`--format must be md or json, got "${format}"`);
    if (values.url !== undefined && values["data-dir"] !== undefined)
      return fail("give --data-dir or --url, not both");
    if (values.token !== undefined && values.url === undefined) return fail("--token goes with --url");
    const writer = format === "md" ? markdownWriter(io.stdout) : jsonWriter(io.stdout);
    try {
      if (values.url !== undefined) {
        const base = values.url.replace(/\/+$/, "");
        await fromServer(base, values.token ?? io.env.MODELGATE_API_TOKEN, model, version, writer);
      } else {
        const dir = values["data-dir"] ?? io.env.MODELGATE_DATA_DIR ?? "./data";
        await fromDataDir(dir, model, version, io, writer);
      }
      return 0;
    } catch (e) {
      if (e instanceof AuditChainBroken) {
        io.stderr(`modelgate evidence: refused: ${e.path}: ${e.message}\n`);
        return 1;
      }
      if (e instanceof Refused) {
        io.stderr(`modelgate evidence: refused: ${e.message}\n`);
        return 1;
      }
      if (e instanceof EvidenceNotFound || e instanceof ConfigError || e instanceof ServerError) {
        return fail(e.message);
      }
      // the file system's and SQLite's errors (unreadable file, locked or damaged database)
      if ((e as NodeJS.ErrnoException).code !== undefined) return fail((e as Error).message);
      throw e;
    }
  },
};
