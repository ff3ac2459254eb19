import type { Request, Response } from "express";
import { HttpError } from "../api/http-error.js";
import type { EmbeddedStore, InputRecord } from "../store/embedded-store.js";
import { StoreNotReady } from "../store/embedded-store.js";
import { BatchResult } from "./batch-result.js";
import { parseJson, readBody } from "./body.js";
import type { UnknownFields } from "./fields.js";
import { readLineBlocks } from "./lines.js";

const NDJSON = new Set([
  "application/x-ndjson",
  "application/ndjson",
  "application/jsonl",
  "application/x-jsonlines",
]);
/** array elements handed to the store per durable transaction */
const CHUNK = 4096;
/**
 * NDJSON bytes handed to the store per durable transaction while streaming (~6,000 events of
 * 165 bytes): one SQLite commit (fsync) per block, so larger blocks amortise it; the block is
 * also what the request holds in memory.
 */
const BLOCK_BYTES = 1 << 20;

export interface BatchLimits {
  maxBodyBytes: number;
  maxLineBytes: number;
  /** a field outside the vocabulary (fields.ts): reject its line (default) or ignore and count it */
  unknownEventFields?: UnknownFields;
}

export function mediaType(req: Request): string | undefined {
  return req.headers["content-type"]?.split(";")[0].trim().toLowerCase() || undefined;
}

/**
 * Ingest a JSON array (or one object), or an NDJSON stream, of events or outcomes, and answer.
 * NDJSON is read in blocks of whole lines and committed every BLOCK_BYTES, so a body of any
 * size streams in bounded memory; a JSON array is parsed whole and limited to maxBodyBytes.
 */
export async function ingestBatch(
  req: Request,
  res: Response,
  store: EmbeddedStore,
  kind: "events" | "outcomes",
  limits: BatchLimits,
): Promise<void> {
  const type = mediaType(req);
  const encoding = req.headers["content-encoding"];
  if (encoding && encoding !== "identity") {
    throw new HttpError(
      415,
      "unsupported_encoding",
      `content-encoding "${encoding}" is not supported; send identity`,
    );
  }
  if (!store.ready) throw new HttpError(503, "not_ready", new StoreNotReady().message);
  const ingest = (records: InputRecord[], result: BatchResult) =>
    kind === "events" ? store.ingestEvents(records, result) : store.ingestOutcomes(records, result);
  const result = new BatchResult(limits.unknownEventFields);
  try {
    if (type !== undefined && NDJSON.has(type)) {
      for await (const b of readLineBlocks(req, limits.maxLineBytes, BLOCK_BYTES)) {
        if (b.kind === "lines") store.ingestLines(kind, b.buf, b.firstLine, limits.maxLineBytes, result);
        else ingest([{ line: b.line, tooLong: limits.maxLineBytes }], result);
      }
      // an empty body still checks readiness and closing, as the per-record path does
      ingest([], result);
    } else if (type === "application/json" || type?.endsWith("+json")) {
      let body: Buffer;
      try {
        body = await readBody(req, limits.maxBodyBytes);
      } catch (e) {
        res.setHeader("Connection", "close");
        throw e;
      }
      const parsed = parseJson(body);
      const items = Array.isArray(parsed) ? parsed : [parsed];
      for (let i = 0; i < items.length; i += CHUNK) {
        ingest(
          items.slice(i, i + CHUNK).map((value, j) => ({ line: i + j + 1, value })),
          result,
        );
      }
    } else {
      throw new HttpError(
        415,
        "unsupported_media_type",
        `content-type "${type ?? ""}" is not supported; send application/json (an array) or application/x-ndjson`,
      );
    }
  } catch (e) {
    if (e instanceof StoreNotReady) throw new HttpError(503, "not_ready", e.message);
    throw e;
  }
  res.status(result.status()).json(result.toJSON(kind));
}
