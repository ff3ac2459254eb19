import { didYouMean } from "../closest-name.js";
import { dictionary } from "../safe-keys.js";
import { CSV_PREFIXES, EVENT_FIELDS, OUTCOME_FIELDS } from "./fields.js";
import type { Line } from "./lines.js";

/**
 * CSV files of events or outcomes, as `modelgate judge` and `modelgate ingest` read them: a header
 * row naming columns from the ingestion vocabulary (fields.ts) — score, label, decision, latencyMs,
 * error, ts, id, model, version, and `group.<attribute>` / `feature.<name>` for the `groups` and
 * `features` objects — then one record a row. An empty cell is a missing value; a cell that reads as
 * a number is a number (label/decision also take true/false, error takes true/false/1/0). Quoted
 * cells may hold commas and doubled quotes but not newlines. Rows become the objects POST
 * /v1/events (or /v1/outcomes) takes, so the one event parser validates them whatever the format.
 */

export type RecordKind = "events" | "outcomes";

/** Split one CSV line (RFC 4180 quoting within the line); a string is the error. */
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

/** Columns a CSV file of `kind` may have, for messages: plain fields, then the prefixed ones. */
export function csvColumns(kind: RecordKind): string[] {
  const fields: readonly string[] = kind === "events" ? EVENT_FIELDS : OUTCOME_FIELDS;
  return fields.map((f) =>
    f === "groups"
      ? `${CSV_PREFIXES.groups}<attribute>`
      : f === "features"
        ? `${CSV_PREFIXES.features}<name>`
        : f,
  );
}

/** Why a header cell is not a column of `kind`, or undefined when it is one. */
function columnError(column: string, kind: RecordKind): string | undefined {
  const fields: readonly string[] = kind === "events" ? EVENT_FIELDS : OUTCOME_FIELDS;
  for (const [field, prefix] of Object.entries(CSV_PREFIXES)) {
    if (column.startsWith(prefix)) {
      if (!fields.includes(field)) return `"${column}": ${kind} have no ${field}`;
      if (column.length === prefix.length)
        return `"${column}": names no ${field === "groups" ? "attribute" : "feature"}`;
      return undefined;
    }
  }
  if (fields.includes(column) && !(column in CSV_PREFIXES)) return undefined;
  const plain = fields.filter((f) => !(f in CSV_PREFIXES));
  return `unknown column "${column}"${didYouMean(column, plain)}`;
}

function cellValue(column: string, cell: string): unknown {
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

/** A CSV row as the JSON object the ingestion API takes. */
function csvRecord(header: string[], cells: string[]): Record<string, unknown> {
  // null-prototype maps: attribute and feature names come from the file
  const rec = dictionary<unknown>();
  header.forEach((column, k) => {
    const cell = cells[k] ?? "";
    if (cell === "") return;
    if (column.startsWith(CSV_PREFIXES.groups)) {
      rec.groups ??= Object.create(null);
      (rec.groups as Record<string, string>)[column.slice(CSV_PREFIXES.groups.length)] = cell;
    } else if (column.startsWith(CSV_PREFIXES.features)) {
      const n = Number(cell);
      rec.features ??= Object.create(null);
      (rec.features as Record<string, unknown>)[column.slice(CSV_PREFIXES.features.length)] = Number.isFinite(
        n,
      )
        ? n
        : cell;
    } else rec[column] = cellValue(column, cell);
  });
  return rec;
}

/** One item of a CSV read: the header's columns, a record, or an error naming the line. */
export type CsvItem =
  | { line: number; header: string[] }
  | { line: number; record: Record<string, unknown> }
  | { line: number; error: string };

/**
 * The rows of a CSV file of `kind` from its lines (lines.ts): the header first, then one record a
 * row. A bad header, a row that does not split or whose cell count differs from the header's, and a
 * line longer than the limit are errors of their line; the caller decides whether to stop.
 */
export async function* readCsv(lines: AsyncIterable<Line>, kind: RecordKind): AsyncGenerator<CsvItem> {
  let header: string[] | undefined;
  for await (const { line, text } of lines) {
    if (text === undefined) {
      yield { line, error: "line too long" };
      continue;
    }
    if (text.trim() === "") continue;
    const cells = splitCsvLine(text);
    if (typeof cells === "string") {
      yield { line, error: cells };
      continue;
    }
    if (!header) {
      const problems = cells.flatMap((c) => columnError(c, kind) ?? []);
      if (problems.length > 0) {
        yield { line, error: `${problems.join("; ")}; columns: ${csvColumns(kind).join(", ")}` };
        return;
      }
      const repeated = cells.find((c, k) => cells.indexOf(c) !== k);
      if (repeated !== undefined) {
        yield { line, error: `column "${repeated}" appears twice` };
        return;
      }
      header = cells;
      yield { line, header };
      continue;
    }
    if (cells.length !== header.length) {
      yield { line, error: `${cells.length} cells where the header has ${header.length}` };
      continue;
    }
    yield { line, record: csvRecord(header, cells) };
  }
}
