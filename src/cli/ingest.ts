import { createReadStream, existsSync, openSync, statSync } from "node:fs";
import { Readable, Transform } from "node:stream";
import { parseCommandLine } from "./command-line.js";
import { progressBar } from "./progress.js";
import type { CliIo, Command } from "./run.js";

const HELP = `modelgate ingest — send a file of events (or outcomes) to a running modelgate

Usage: modelgate ingest FILE [options]

Streams FILE as NDJSON (one JSON object a line, see docs/api.md) to POST /v1/events (or
/v1/outcomes), in one request whatever its size, showing progress (a bar on a terminal, a line
every 10% otherwise). The server validates every line; rejected lines are listed with their line
numbers. Exit code: 0 all accepted, 1 some lines rejected, 2 usage, file, connection or server error.

Options:
  --url URL        modelgate base URL (default $MODELGATE_URL or http://127.0.0.1:8080)
  --outcomes       the file holds delayed outcomes (POST /v1/outcomes)
  --token TOKEN    bearer token for the API (default $MODELGATE_API_TOKEN)
  --json           print the server's answer as JSON
  --help           show this help

Examples:
  modelgate ingest predictions.ndjson
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
}

const LISTED = 20;

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
    const url = `${base}/v1/${values.outcomes ? "outcomes" : "events"}`;
    const token = values.token ?? io.env.MODELGATE_API_TOKEN;

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
    const body = Readable.toWeb(input.pipe(counter)) as ReadableStream<Uint8Array>;
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
      for (const e of answer.errors.slice(0, LISTED)) {
        io.stdout(`${file}:${e.line}: ${e.field ? `${e.field}: ` : ""}${e.message}\n`);
      }
      const more = answer.rejected - Math.min(LISTED, answer.errors.length);
      if (more > 0) io.stdout(`… and ${more} more rejected lines\n`);
    }
    return answer.rejected > 0 ? 1 : 0;
  },
};
