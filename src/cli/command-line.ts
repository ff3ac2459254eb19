import { type ParseArgsConfig, parseArgs } from "node:util";
import type { CliIo } from "./run.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * parseArgs, strict (an unknown option is an error naming it), that also refuses a value option
 * given twice: parseArgs would keep the last value and silently drop the first.
 */
export function parseOptions<const O extends Options>(args: string[], options: O, allowPositionals = false) {
  const parsed = parseArgs({ args, options, allowPositionals, strict: true, tokens: true });
  const seen = new Set<string>();
  for (const t of parsed.tokens) {
    if (t.kind !== "option" || options[t.name]?.type !== "string" || options[t.name]?.multiple) continue;
    if (seen.has(t.name)) throw new TypeError(`Option '--${t.name}' is given twice`);
    seen.add(t.name);
  }
  return parsed;
}

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
  const parse = () => parseOptions(args, options, true);
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

/** An absolute http: or https: URL (a base URL flag; anything else fails later with a vaguer error). */
export function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}
