import { type ParseArgsConfig, parseArgs } from "node:util";
import type { CliIo } from "./run.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * The start every positional subcommand (audit, ingest) shares: parse strictly, turn a parse error
 * into the command's usage answer, and answer --help (`help` must be among the options) with the
 * help text on stdout and exit code 0. Returns the parsed command line, or the exit code when the
 * command is already done. `usage` formats and prints the error the command's own way.
 */
export function parseCommandLine<const O extends Options>(
  args: string[],
  options: O,
  io: CliIo,
  help: string,
  usage: (message: string) => number,
) {
  const parse = () => parseArgs({ args, options, allowPositionals: true, strict: true });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (e) {
    return usage((e as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.stdout(help);
    return 0;
  }
  return parsed;
}
