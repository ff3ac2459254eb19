import { auditCommand } from "./audit.js";
import { evidenceCommand } from "./evidence.js";
import { ingestCommand } from "./ingest.js";
import { judgeCommand } from "./judge.js";
import { planCommand } from "./plan.js";
import { serveCommand } from "./serve.js";
import { templateCommand } from "./template.js";

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** stderr is a terminal: progress bars redraw in place instead of printing lines */
  stderrIsTTY?: boolean;
  /** epoch ms now (default Date.now) */
  clock?: () => number;
}

export interface Command {
  name: string;
  summary: string;
  run(args: string[], io: CliIo): Promise<number>;
}

const COMMANDS: Command[] = [
  serveCommand,
  judgeCommand,
  ingestCommand,
  templateCommand,
  planCommand,
  auditCommand,
  evidenceCommand,
];

export const ROOT_HELP = () => `modelgate — an anytime-valid canary judge for ML model rollouts

Usage: modelgate <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join("\n")}

Run 'modelgate <command> --help' for a command's options and examples.
`;

/** Dispatch a command line; returns the exit code (0 ok, 1 fail verdict, 2 usage/inconclusive). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout(ROOT_HELP());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.stderr(`modelgate: unknown command "${name}"\n\n${ROOT_HELP()}`);
    return 2;
  }
  return cmd.run(rest, io);
}
