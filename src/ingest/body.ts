import type { IncomingHttpHeaders } from "node:http";
import { HttpError } from "../api/http-error.js";

/**
 * Deepest nesting of arrays and objects accepted in any JSON body (events, CloudEvents, judge
 * requests, reference profiles). Real payloads nest a handful of levels (a v2 tensor of rank 4
 * inside `outputs` is 6); a body nested thousands deep exists only to overflow the stack of the
 * recursive code that later walks it (JSON.stringify, flattening a tensor).
 */
export const MAX_JSON_DEPTH = 64;

const DEFAULT_HINT =
  "(MODELGATE_MAX_BODY_BYTES); send NDJSON (application/x-ndjson) to stream larger batches";

/**
 * Read a whole request body, refusing more than `limit` bytes with a 413 that names the limit
 * (JSON arrays and CloudEvents are parsed whole; NDJSON is streamed instead, see lines.ts). A
 * declared Content-Length above the limit is refused before a byte is read, and the bytes are
 * counted as they arrive, so an oversized body is never read to its end. `hint` follows the
 * limit in the message (which setting raises it, what to do instead).
 */
export async function readBody(
  stream: AsyncIterable<Buffer | string> & { headers?: IncomingHttpHeaders },
  limit: number,
  hint = DEFAULT_HINT,
): Promise<Buffer> {
  const tooLarge = () =>
    new HttpError(413, "body_too_large", `request body exceeds the limit of ${limit} bytes ${hint}`);
  const declared = Number(stream.headers?.["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > limit) throw tooLarge();
    parts.push(buf);
  }
  return Buffer.concat(parts, size);
}

/**
 * Whether a parsed JSON value nests arrays/objects deeper than `limit` (a top-level object or
 * array is depth 1), walked with an explicit stack: a value too deep for recursion is exactly
 * what this must survive. V8's JSON.parse is itself iterative, so parsing first is safe; the walk
 * costs a few per cent of the parse.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const v = stack.pop();
    const depth = depths.pop() as number;
    if (typeof v !== "object" || v === null) continue;
    if (depth > limit) return true;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const child of children) {
      if (typeof child === "object" && child !== null) {
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/**
 * Parse a JSON body: 400 `json_too_deep` naming the limit when it nests deeper than
 * MAX_JSON_DEPTH, 400 `malformed_json` naming the position of a syntax error otherwise.
 */
export function parseJson(body: Buffer): unknown {
  let value: unknown;
  try {
    value = JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw new HttpError(400, "malformed_json", `malformed JSON body: ${(e as Error).message}`);
  }
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
    throw new HttpError(
      400,
      "json_too_deep",
      `JSON body nests arrays/objects more than ${MAX_JSON_DEPTH} levels deep (the limit for every JSON body)`,
      "body",
    );
  }
  return value;
}
