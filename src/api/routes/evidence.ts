import { Router } from "express";
import {
  AuditChainBroken,
  type EvidenceDeps,
  EvidenceNotFound,
  EvidenceRangeError,
  evidencePage,
} from "../../evidence/build.js";
import { HttpError } from "../http-error.js";

export const MAX_EVIDENCE_PAGE = 5000;
const DEFAULT_EVIDENCE_PAGE = 1000;
const PARAMS = ["limit", "after", "through"] as const;

export interface EvidenceRouterOptions extends EvidenceDeps {
  /** false while the store replays its log (its counts would be partial): 503 not_ready */
  ready?: () => boolean;
}

function integerParam(
  query: Record<string, unknown>,
  name: (typeof PARAMS)[number],
  min: number,
  max: number,
): number | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  const n = typeof raw === "string" && /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(Number.isSafeInteger(n) && n >= min && n <= max)) {
    throw new HttpError(
      400,
      "bad_request",
      `${name}: must be an integer in [${min}, ${max}], got ${JSON.stringify(raw)}`,
      name,
    );
  }
  return n;
}

/**
 * `GET /v1/models/{model}/versions/{version}/evidence` (scope read, like the judgement history):
 * the version's evidence document (src/evidence/document.ts, docs/evidence.schema.json), one page of
 * judgements at a time (`limit`, default 1000, at most 5000; `after` = the previous page's
 * `page.next`; `through` = the first page's `chain.records`, so that later pages describe the same
 * records). The audit log is verified first: 409 audit_chain_broken naming the record when it does
 * not verify; 404 when neither the log nor the store knows the version; 400 naming an unknown or bad
 * query parameter.
 */
export function evidenceRouter(opts: EvidenceRouterOptions): Router {
  const router = Router();
  router.get("/v1/models/:model/versions/:version/evidence", async (req, res) => {
    const query = req.query as Record<string, unknown>;
    for (const key of Object.keys(query)) {
      if (!(PARAMS as readonly string[]).includes(key)) {
        throw new HttpError(
          400,
          "bad_request",
          `${key}: unknown parameter; accepted: ${PARAMS.join(", ")}`,
          key,
        );
      }
    }
    const limit = integerParam(query, "limit", 1, MAX_EVIDENCE_PAGE) ?? DEFAULT_EVIDENCE_PAGE;
    const after = integerParam(query, "after", 0, Number.MAX_SAFE_INTEGER) ?? 0;
    const through = integerParam(query, "through", 1, Number.MAX_SAFE_INTEGER);
    if (opts.ready && !opts.ready()) {
      throw new HttpError(503, "not_ready", "the store is still replaying its log; ask again shortly");
    }
    try {
      const document = await evidencePage(
        { model: String(req.params.model), version: String(req.params.version), after, limit, through },
        opts,
      );
      res.json(document);
    } catch (e) {
      if (e instanceof AuditChainBroken) throw new HttpError(409, "audit_chain_broken", e.message);
      if (e instanceof EvidenceNotFound) throw new HttpError(404, "not_found", e.message, "version");
      if (e instanceof EvidenceRangeError) throw new HttpError(400, "bad_request", e.message, e.field);
      throw e;
    }
  });
  return router;
}
