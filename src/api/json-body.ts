import type { RequestHandler } from "express";
import { parseJson, readBody } from "../ingest/body.js";
import { HttpError } from "./http-error.js";

/**
 * The JSON body of a judge request or a reference profile upload, read the way ingestion reads
 * its bodies (so every JSON body has the same limits): a declared Content-Length above `limit` is
 * refused at once and the bytes are counted as they arrive, so an oversized body is cut with a
 * 413 instead of being read to its end; nesting deeper than MAX_JSON_DEPTH is a 400 naming the
 * limit; any content type is read as JSON (Argo's web provider sends jsonBody without one). An
 * empty body leaves `req.body` undefined. The connection is closed after a refused body, since
 * the rest of it was never read.
 */
export function jsonBody(opts: { limit: number; hint: string }): RequestHandler {
  return async (req, res, next) => {
    const encoding = req.headers["content-encoding"];
    if (encoding && encoding !== "identity") {
      res.setHeader("Connection", "close");
      throw new HttpError(
        415,
        "unsupported_encoding",
        `content-encoding "${encoding}" is not supported; send identity`,
      );
    }
    let body: Buffer;
    try {
      body = await readBody(req, opts.limit, opts.hint);
    } catch (e) {
      res.setHeader("Connection", "close");
      throw e;
    }
    req.body = body.toString("utf8").trim() === "" ? undefined : parseJson(body);
    next();
  };
}
