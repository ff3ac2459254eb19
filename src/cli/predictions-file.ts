import { createReadStream, existsSync, statSync } from "node:fs";
import { extname } from "node:path";
import { type PredictionEvent, parseEvent } from "../ingest/event.js";
import { readLines } from "../ingest/lines.js";
import { dictionary } from "../safe-keys.js";

/**
 * Offline predictions files for `modelgate judge`: NDJSON (one event object a line, the fields of
 * POST /v1/events; model and version may be left out) or CSV with a header row. CSV columns:
 * score, label, decision, latencyMs (or latency_ms), error, ts, id, `group.<attribute>` and
 * `feature.<name>` (a cell that reads as a number is a numeric feature). An empty cell is a
 * missing value. Quoted cells may hold commas and doubled quotes but not newlines.
 *
 * Every row is validated by the same parser as the ingestion API; the first bad row stops the
 * read with an error naming the file, the line and the field.
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

/** Split one CSV line (RFC 4180 quoting within the line). */
export function splitCsvLine(text: string): string[] | string {
  const out: string[] = [];
  let cell = "";
  let i = 0;
  let quoted = false;
  while (i <= text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === undefined) return "unterminated quoted cell";
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === "") quoted = true;
    else if (ch === "," || ch === undefined) {
      out.push(cell.trim());
      cell = "";
    } else cell += ch;
    i++;
  }
  return out;
}

const KNOWN = new Set([
  "score",
  "label",
  "decision",
  "latencyMs",
  "latency_ms",
  "error",
  "ts",
  "id",
  "model",
  "version",
]);

function csvValue(column: string, cell: string): unknown {
  if (column === "id" || column === "model" || column === "version") return cell;
  if (column === "ts") return /^\d+$/.test(cell) ? Number(cell) : cell;
  if (column === "error") {
    const v = cell.toLowerCase();
    if (v === "true" || v === "1") return true;
    if (v === "false" || v === "0") return false;
    return cell;
  }
  if (column === "label" || column === "decision") {
    const v = cell.toLowerCase();
    if (v === "true") return 1;
    if (v === "false") return 0;
  }
  const n = Number(cell);
  return cell !== "" && Number.isFinite(n) ? n : cell;
}

/** Turn a CSV row into an event object (the shape POST /v1/events takes). */
function csvRecord(header: string[], cells: string[]): Record<string, unknown> {
  const rec = dictionary<unknown>();
  header.forEach((col, k) => {
    const cell = cells[k] ?? "";
    if (cell === "") return;
    if (col.startsWith("group.")) {
      rec.groups = { ...(rec.groups as object), [col.slice(6)]: cell };
    } else if (col.startsWith("feature.")) {
      const n = Number(cell);
      rec.features = { ...(rec.features as object), [col.slice(8)]: Number.isFinite(n) ? n : cell };
    } else {
      rec[col === "latency_ms" ? "latencyMs" : col] = csvValue(col, cell);
    }
  });
  return rec;
}

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
  let header: string[] | undefined;
  for await (const { line, text } of readLines(createReadStream(path), opts.maxLineBytes ?? 1 << 20)) {
    if (text === undefined) throw new PredictionsFileError(path, line, "line too long");
    if (text.trim() === "") continue;
    let raw: unknown;
    if (format === "csv") {
      const cells = splitCsvLine(text);
      if (typeof cells === "string") throw new PredictionsFileError(path, line, cells);
      if (!header) {
        const unknown = cells.filter((c) => !KNOWN.has(c) && !/^(group|feature)\.[^.].*$/.test(c));
        if (unknown.length > 0) {
          throw new PredictionsFileError(
            path,
            line,
            `unknown column${unknown.length > 1 ? "s" : ""} ${unknown.map((c) => `"${c}"`).join(", ")}; expected score, label, decision, latencyMs, error, ts, id, group.<attribute>, feature.<name>`,
          );
        }
        header = cells;
        continue;
      }
      if (cells.length !== header.length) {
        throw new PredictionsFileError(
          path,
          line,
          `${cells.length} cells where the header has ${header.length}`,
        );
      }
      raw = csvRecord(header, cells);
    } else {
      try {
        raw = JSON.parse(text);
      } catch (e) {
        throw new PredictionsFileError(path, line, `not valid JSON (${(e as Error).message})`);
      }
    }
    const rec =
      raw !== null && typeof raw === "object" && !Array.isArray(raw)
        ? (raw as Record<string, unknown>)
        : undefined;
    if (!rec) throw new PredictionsFileError(path, line, "a row must be a JSON object");
    const parsed = parseEvent({ ...rec, model: opts.model, version: opts.version }, opts.now);
    if (!parsed.ok) {
      const { field, message } = parsed.error;
      throw new PredictionsFileError(path, line, field ? `${field}: ${message}` : message);
    }
    yield { line, event: parsed.value, timed: rec.ts !== undefined && rec.ts !== null };
  }
  if (format === "csv" && !header)
    throw new PredictionsFileError(path, undefined, "empty file (no header row)");
}
