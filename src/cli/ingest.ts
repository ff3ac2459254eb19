import { createReadStream, existsSync, openSync, statSync } from "node:fs";
import { Readable, Transform } from "node:stream";
import { type RecordKind, readCsv } from "../ingest/csv.js";
import { readLines } from "../ingest/lines.js";
import { isHttpUrl, parseCommandLine } from "./command-line.js";
import { detectFormat, EMPTY_FILE, PredictionsFileError } from "./predictions-file.js";
import { progressBar } from "./progress.js";
import type { CliIo, Command } from "./run.js";

const HELP = `modelgate ingest — send a file of events (or outcomes) to a running modelgate

Usage: modelgate ingest FILE [options]

Streams FILE to POST /v1/events (or /v1/outcomes) as NDJSON, in one request whatever its size,
showing progress (a bar on a terminal, a line every 10% otherwise). FILE is NDJSON (one JSON
object a line, see docs/api.md) or CSV with a header row (columns named like the JSON fields, plus
group.<attribute> and feature.<name>, as modelgate judge reads them; every row needs model and
version, outcomes a model); the format follows the extension (.csv, else NDJSON) unless --format
says. A CSV file is checked before anything is sent. The server validates every line; rejected
lines are listed with their line numbers in FILE. Exit code: 0 all accepted, 1 some lines
rejected, 2 usage, file, connection or server error.

Options:
  --url URL        modelgate base URL (default $MODELGATE_URL or http://127.0.0.1:8080)
  --outcomes       the file holds delayed outcomes (POST /v1/outcomes)
  --format csv|ndjson  file format when the extension does not tell
  --token TOKEN    bearer token for the API (default $MODELGATE_API_TOKEN)
  --json           print the server's answer as JSON
  --help           show this help

Examples:
  modelgate ingest predictions.ndjson
  modelgate ingest backfill.csv
  modelgate ingest labels.ndjson --outcomes --url http://modelgate.modelgate:8080
  kubectl port-forward -n modelgate svc/modelgate 8080 & modelgate ingest backfill.ndjson
`;

interface BatchAnswer {
  accepted: number;
  rejected: number;
  invalid?: number;
  outcomes?: Record<string, number>;
  errors: Array<{ line: number; field: string; message: string }>;
  errorsTruncated?: number;
  ignoredFields?: Record<string, number>;
}

const LISTED = 20;
const MAX_LINE_BYTES = 1 << 20;

/** Columns every CSV row sent to the server needs (the server has no default model or version). */
const REQUIRED_COLUMNS: Record<RecordKind, string[]> = { events: ["model", "version"], outcomes: ["model"] };

/**
 * Check a CSV file before sending it: a readable header of known columns with the required ones,
 * rows that split into as many cells, and at least one row. Throws PredictionsFileError naming
 * the line. Reads the file once in bounded memory.
 */
async function checkCsv(file: string, kind: RecordKind): Promise<void> {
  let rows = 0;
  for await (const item of readCsv(readLines(createReadStream(file), MAX_LINE_BYTES), kind)) {
    if ("error" in item) throw new PredictionsFileError(file, item.line, item.error);
    if ("header" in item) {
      const missing = REQUIRED_COLUMNS[kind].filter((c) => !item.header.includes(c));
      if (missing.length > 0) {
        throw new PredictionsFileError(
          file,
          item.line,
          `no ${missing.map((c) => `"${c}"`).join(" and ")} column${missing.length > 1 ? "s" : ""}: every row sent to the server names its ${missing.join(" and ")} (a file for modelgate judge may leave them out)`,
        );
      }
    } else rows++;
  }
  if (rows === 0) throw new PredictionsFileError(file, undefined, EMPTY_FILE);
}

/** true when the file holds something besides whitespace (stops at the first such byte). */
async function hasContent(file: string): Promise<boolean> {
  for await (const chunk of createReadStream(file)) {
    for (const byte of chunk as Buffer)
      if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return true;
  }
  return false;
}

/**
 * A checked CSV file as NDJSON lines: one JSON object per row and an empty line for the header
 * and every blank line, so the line numbers the server answers with are FILE's own.
 */
async function* csvAsNdjson(input: AsyncIterable<Buffer>, kind: RecordKind): AsyncGenerator<string> {
  let next = 1;
  for await (const item of readCsv(readLines(input, MAX_LINE_BYTES), kind)) {
    if ("error" in item) throw new PredictionsFileError("", item.line, item.error); // checked before
    const blank = "\n".repeat(item.line - next);
    next = item.line + 1;
    yield "record" in item ? `${blank}${JSON.stringify(item.record)}\n` : `${blank}\n`;
  }
}

export const ingestCommand: Command = {
  name: "ingest",
  summary: "stream a file of events or outcomes to a running server",
  async run(args: string[], io: CliIo): Promise<number> {
    const fail = (message: string) => {
      io.stderr(`modelgate ingest: ${message}\n`);
      return 2;
    };
    const parsed = parseCommandLine(
      args,
      {
        url: { type: "string" },
        outcomes: { type: "boolean" },
        format: { type: "string" },
        token: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean" },
      },
      io,
      HELP,
      (message) => fail(`${message}\n\n${HELP}`),
    );
    if (typeof parsed === "number") return parsed;
    const { values, positionals } = parsed;
    if (positionals.length !== 1) return fail(`expects exactly one FILE\n\n${HELP}`);
    const file = positionals[0];
    if (!existsSync(file) || !statSync(file).isFile()) return fail(`${file}: no such file`);
    const base = (values.url ?? io.env.MODELGATE_URL ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
    if (!isHttpUrl(base)) {
      return fail(
        `${values.url !== undefined ? "--url" : "MODELGATE_URL"} must be an http(s) URL, got "${base}"`,
      );
    }
    const kind: RecordKind = values.outcomes ? "outcomes" : "events";
    const url = `${base}/v1/${kind}`;
    const token = values.token ?? io.env.MODELGATE_API_TOKEN;
    let csv: boolean;
    try {
      csv = detectFormat(file, values.format) === "csv";
      if (csv) await checkCsv(file, kind);
      else if (!(await hasContent(file))) throw new PredictionsFileError(file, undefined, EMPTY_FILE);
    } catch (e) {
      if (e instanceof PredictionsFileError) return fail(e.message);
      throw e;
    }

    const total = statSync(file).size;
    const progress = progressBar(total, io.stderr, io.stderrIsTTY === true);
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sent += chunk.length;
        progress.update(sent);
        done(null, chunk);
      },
    });
    // opened now, so a failed request can close it before anything is read
    const input = createReadStream("", { fd: openSync(file, "r") });
    const counted = input.pipe(counter);
    const body = Readable.toWeb(
      csv ? Readable.from(csvAsNdjson(counted, kind)) : counted,
    ) as ReadableStream<Uint8Array>;
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/x-ndjson",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body,
        duplex: "half",
      } as RequestInit);
    } catch (e) {
      input.destroy();
      progress.finish();
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      return fail(`cannot reach ${url}: ${cause ?? (e as Error).message}`);
    }
    progress.finish();
    const text = await res.text();
    let answer: BatchAnswer | { error?: { message?: string } };
    try {
      answer = JSON.parse(text);
    } catch {
      return fail(`${url} answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
    if (!("accepted" in answer)) {
      return fail(`${url} answered ${res.status}: ${answer.error?.message ?? text.slice(0, 200)}`);
    }
    if (values.json) {
      io.stdout(`${JSON.stringify(answer)}\n`);
    } else {
      const extra = answer.outcomes
        ? `, outcomes ${Object.entries(answer.outcomes)
            .map(([k, n]) => `${k} ${n}`)
            .join(", ")}`
        : answer.invalid
          ? `, ${answer.invalid} with an out-of-range score (stored as invalid)`
          : "";
      io.stdout(`${file}: accepted ${answer.accepted}, rejected ${answer.rejected}${extra}\n`);
      const ignored = Object.entries(answer.ignoredFields ?? {});
      if (ignored.length > 0) {
        io.stdout(
          `${file}: fields not stored (the server ignores unknown fields): ${ignored.map(([f, n]) => `${f} on ${n} line${n === 1 ? "" : "s"}`).join(", ")}\n`,
        );
      }
      for (const e of answer.errors.slice(0, LISTED)) {
        io.stdout(`${file}:${e.line}: ${e.field ? `${e.field}: ` : ""}${e.message}\n`);
      }
      const more = answer.rejected - Math.min(LISTED, answer.errors.length);
      if (more > 0) io.stdout(`… and ${more} more rejected lines\n`);
    }
    return answer.rejected > 0 ? 1 : 0;
  },
};
