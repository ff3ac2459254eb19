import { createReadStream, existsSync, statSync } from "node:fs";
import { extname } from "node:path";
import { readCsv } from "../ingest/csv.js";
import { type PredictionEvent, parseEvent } from "../ingest/event.js";
import { type Line, readLines } from "../ingest/lines.js";

/**
 * Offline predictions files for `modelgate judge`: NDJSON (one event object a line, the fields of
 * POST /v1/events; model and version may be left out, the command sets them) or CSV with a header
 * row (src/ingest/csv.ts: the same field names as columns, `group.<attribute>`, `feature.<name>`).
 *
 * Every row is validated by the same parser as the ingestion API, with the same vocabulary (a field
 * or column it does not know is an error); the first bad row stops the read with an error naming
 * the file, the line and the field. A file without rows is an error too, in either format.
 */
export class PredictionsFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    message: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ""}: ${message}`);
    this.name = "PredictionsFileError";
  }
}

export type FileFormat = "csv" | "ndjson";

export function detectFormat(path: string, given?: string): FileFormat {
  if (given === "csv" || given === "ndjson") return given;
  if (given !== undefined)
    throw new PredictionsFileError(path, undefined, `unknown format "${given}" (csv or ndjson)`);
  return extname(path).toLowerCase() === ".csv" ? "csv" : "ndjson";
}

/** What a file without a single row says, whatever its format (and whichever command reads it). */
export const EMPTY_FILE = "empty file (no rows)";

export interface PredictionRow {
  line: number;
  event: PredictionEvent;
  /** the row gave its own timestamp */
  timed: boolean;
}

/**
 * Stream the rows of a predictions file as validated events of (model, version). Rows without a
 * timestamp get `now`. Memory is one line at a time. Throws PredictionsFileError.
 */
export async function* readPredictions(
  path: string,
  opts: { model: string; version: string; now: number; format?: string; maxLineBytes?: number },
): AsyncGenerator<PredictionRow> {
  if (!existsSync(path) || !statSync(path).isFile())
    throw new PredictionsFileError(path, undefined, "no such file");
  const format = detectFormat(path, opts.format);
  const lines = readLines(createReadStream(path), opts.maxLineBytes ?? 1 << 20);
  let rows = 0;
  for await (const { line, rec } of format === "csv" ? csvRows(path, lines) : ndjsonRows(path, lines)) {
    const parsed = parseEvent({ ...rec, model: opts.model, version: opts.version }, opts.now);
    if (!parsed.ok) {
      const { field, message } = parsed.error;
      throw new PredictionsFileError(path, line, field ? `${field}: ${message}` : message);
    }
    rows++;
    yield { line, event: parsed.value, timed: rec.ts !== undefined && rec.ts !== null };
  }
  if (rows === 0) throw new PredictionsFileError(path, undefined, EMPTY_FILE);
}

type RawRow = { line: number; rec: Record<string, unknown> };

async function* csvRows(path: string, lines: AsyncIterable<Line>): AsyncGenerator<RawRow> {
  for await (const item of readCsv(lines, "events")) {
    if ("error" in item) throw new PredictionsFileError(path, item.line, item.error);
    if ("record" in item) yield { line: item.line, rec: item.record };
  }
}

async function* ndjsonRows(path: string, lines: AsyncIterable<Line>): AsyncGenerator<RawRow> {
  for await (const { line, text } of lines) {
    if (text === undefined) throw new PredictionsFileError(path, line, "line too long");
    if (text.trim() === "") continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new PredictionsFileError(path, line, `not valid JSON (${(e as Error).message})`);
    }
    if (raw === null || typeof raw !== "object" || Array.isArray(raw))
      throw new PredictionsFileError(path, line, "a row must be a JSON object");
    yield { line, rec: raw as Record<string, unknown> };
  }
}
