import { join } from "node:path";
import { verifyAuditFile } from "../judge/audit-file.js";
import { parseCommandLine } from "./command-line.js";
import type { CliIo, Command } from "./run.js";

const HELP = `modelgate audit verify — check the hash chain of the judgement audit log

Usage: modelgate audit verify [--data-dir DIR | --file PATH] [--json]

Every judgement the service answers is appended to <data-dir>/judge/audit.jsonl, each record
carrying the hash of the one before. verify recomputes every hash: a changed, removed or
reordered record breaks the chain from that line on. Exit code: 0 intact, 1 broken, 2 usage
error or no log.

Options:
  --data-dir DIR   the service's data directory (default $MODELGATE_DATA_DIR or ./data)
  --file PATH      an audit log file, e.g. a copy taken off the volume
  --json           print the result as JSON
  --help           show this help

Examples:
  modelgate audit verify --data-dir /var/lib/modelgate
  # in the cluster (manifests/base): the pod's MODELGATE_DATA_DIR is /var/lib/modelgate
  kubectl -n modelgate exec deploy/modelgate -- node dist/src/cli/main.js audit verify
  kubectl -n modelgate exec deploy/modelgate -- cat /var/lib/modelgate/judge/audit.jsonl > audit.jsonl
  modelgate audit verify --file audit.jsonl
`;

export const auditCommand: Command = {
  name: "audit",
  summary: "verify the hash-chained judgement audit log",
  async run(args: string[], io: CliIo): Promise<number> {
    const usage = (message: string) => {
      io.stderr(`modelgate audit: ${message}\n\n${HELP}`);
      return 2;
    };
    const parsed = parseCommandLine(
      args,
      {
        "data-dir": { type: "string" },
        file: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean" },
      },
      io,
      HELP,
      usage,
    );
    if (typeof parsed === "number") return parsed;
    const { values, positionals } = parsed;
    if (positionals[0] !== "verify" || positionals.length > 1) {
      return usage(
        positionals.length === 0
          ? "missing subcommand: verify"
          : `unknown subcommand "${positionals.join(" ")}"`,
      );
    }
    if (values.file && values["data-dir"]) return usage("give --data-dir or --file, not both");
    const path =
      values.file ??
      join(values["data-dir"] ?? io.env.MODELGATE_DATA_DIR ?? "./data", "judge", "audit.jsonl");
    let result: ReturnType<typeof verifyAuditFile>;
    try {
      result = verifyAuditFile(path);
    } catch (e) {
      io.stderr(`modelgate audit: ${(e as Error).message}\n`);
      return 2;
    }
    if (values.json) io.stdout(`${JSON.stringify({ file: path, ...result })}\n`);
    else if (result.ok) io.stdout(`${path}: intact, ${result.records} records, head ${result.head}\n`);
    else {
      io.stdout(
        `${path}:${result.error?.line}: BROKEN: ${result.error?.message}; ${result.records} records verified before it (last good hash ${result.head})\n`,
      );
    }
    return result.ok ? 0 : 1;
  },
};
