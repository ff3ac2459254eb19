import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { type CliIo, runCli } from "../../src/cli/run.js";

export const ROOT = join(import.meta.dirname, "..", "..");

/** Run the CLI in-process with captured output. */
export async function cli(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; tty?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    env: opts.env ?? {},
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    stderrIsTTY: opts.tty ?? false,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr };
}

/** Run the real CLI as a child process (node --import tsx src/cli/main.ts), for exit codes. */
export function cliProcess(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "src", "cli", "main.ts"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "" },
    timeout: 60_000,
  });
  if (out.error) throw out.error;
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}
