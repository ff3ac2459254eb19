import { HttpError } from "../api/http-error.js";

/**
 * Read a whole request body, refusing more than `limit` bytes with a 413 that names the limit
 * (JSON arrays and CloudEvents are parsed whole; NDJSON is streamed instead, see lines.ts).
 */
export async function readBody(stream: AsyncIterable<Buffer | string>, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > limit) {
      throw new HttpError(
        413,
        "body_too_large",
        `request body exceeds the limit of ${limit} bytes (MODELGATE_MAX_BODY_BYTES); send NDJSON (application/x-ndjson) to stream larger batches`,
      );
    }
    parts.push(buf);
  }
  return Buffer.concat(parts, size);
}

/** Parse a JSON body, answering 400 naming the position of the syntax error. */
export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw new HttpError(400, "malformed_json", `malformed JSON body: ${(e as Error).message}`);
  }
}
