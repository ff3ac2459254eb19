import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..", "..");

export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** everything the process wrote on stderr (its JSON log lines) */
  stderr(): string;
  /** resident set size of the process now, bytes (Linux /proc) */
  rssBytes(): number;
  /** the most resident memory the process has held since it started, bytes (VmHWM, Linux /proc) */
  peakRssBytes(): number;
  /** exit code and signal once it exits */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Spawn the real service as users run it: `node --import tsx src/cli/main.ts serve --port 0`,
 * read its URL from the "modelgate listening" log line, and wait for /readyz.
 */
export async function spawnServer(opts: {
  dataDir: string;
  env?: Record<string, string>;
  args?: string[];
  readyHeaders?: Record<string, string>;
  /** how node starts the CLI (default: the sources through tsx; bench/memory.ts runs the built dist/) */
  entry?: string[];
}): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [
      ...(opts.entry ?? ["--import", "tsx", "src/cli/main.ts"]),
      "serve",
      // a flag given twice is refused, so a test's own --port, --host or --data-dir replaces the default
      ...(opts.args?.includes("--port") ? [] : ["--port", "0"]),
      ...(opts.args?.includes("--host") ? [] : ["--host", "127.0.0.1"]),
      ...(opts.args?.includes("--data-dir") ? [] : ["--data-dir", opts.dataDir]),
      ...(opts.args ?? []),
    ],
    { cwd: ROOT, env: { ...process.env, ...opts.env }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let err = "";
  child.stderr!.setEncoding("utf8");
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    // a server that does not start is stopped, not left running behind the error
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start within 30 s:\n${err}`));
    }, 30_000);
    child.stderr!.on("data", (chunk: string) => {
      err += chunk;
      const m = /"msg":"modelgate listening","url":"([^"]+)"/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${err}`));
    });
  });
  for (let i = 0; ; i++) {
    const r = await fetch(`${url}/readyz`, { headers: opts.readyHeaders }).catch(() => undefined);
    if (r?.status === 200) break;
    if (i > 1200) {
      child.kill("SIGKILL");
      throw new Error(`server at ${url} never became ready:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  let exitedFlag = false;
  void exited.then(() => {
    exitedFlag = true;
  });
  return {
    url,
    pid: child.pid!,
    child,
    stderr: () => err,
    rssBytes: () => procStatusBytes(child.pid!, "VmRSS"),
    peakRssBytes: () => procStatusBytes(child.pid!, "VmHWM"),
    exited,
    alive: () => !exitedFlag,
    async [Symbol.asyncDispose]() {
      if (!exitedFlag) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

/** A memory figure of a process from /proc/<pid>/status (Linux), bytes. */
function procStatusBytes(pid: number, field: "VmRSS" | "VmHWM"): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** POST JSON with a timeout; network errors and timeouts come back as status 0 with the error. */
export async function request(
  url: string,
  init: { method?: string; body?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
  // biome-ignore lint/suspicious/noExplicitAny: answers are read ad hoc by the tests
): Promise<{ status: number; json: any; error?: string }> {
  try {
    const r = await fetch(url, {
      method: init.method ?? "GET",
      body: init.body,
      headers: init.headers,
      signal: AbortSignal.timeout(init.timeoutMs ?? 15_000),
    });
    const text = await r.text();
    let json: unknown = text;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status: r.status, json };
  } catch (e) {
    return { status: 0, json: undefined, error: String((e as Error).cause ?? e) };
  }
}
