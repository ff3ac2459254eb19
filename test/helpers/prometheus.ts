import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const PROMETHEUS_BIN = "/usr/bin/prometheus";

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
  /** instant query at `time` (default now); throws on an API error */
  query(
    promql: string,
    timeMs?: number,
  ): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A port free on 127.0.0.1 right now (Prometheus binds it a moment later). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Start Debian's Prometheus on 127.0.0.1 (free port, temporary TSDB, scrape interval 1 s)
 * scraping `targets` ("127.0.0.1:port"). Fails, never skips, when the binary is missing.
 * `stop()` (or `await using`) kills it and deletes the TSDB; a process exit hook kills it too.
 */
export async function startPrometheus(
  targets: string[],
  opts: { readyTimeoutMs?: number; port?: number } = {},
): Promise<RunningPrometheus> {
  if (!existsSync(PROMETHEUS_BIN)) {
    throw new Error(`${PROMETHEUS_BIN} not found: install it with "apt-get install -y prometheus"`);
  }
  const dir = await mkdtemp(join(tmpdir(), "modelgate-prom-"));
  const config = [
    "global:",
    "  scrape_interval: 1s",
    "  scrape_timeout: 1s",
    "  evaluation_interval: 1s",
    "scrape_configs:",
    "  - job_name: modelgate-test",
    "    static_configs:",
    `      - targets: [${targets.map((t) => JSON.stringify(t)).join(", ")}]`,
    "",
  ].join("\n");
  await writeFile(join(dir, "prometheus.yml"), config);
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  let stderr = "";
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=1h",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  child.stderr?.on("data", (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      process.removeListener("exit", killOnExit);
      if (!exited) {
        const gone = new Promise<void>((r) => child.once("exit", () => r()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await gone;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`prometheus exited during start-up: ${stderr}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready within the deadline: ${stderr}`);
    }
    await sleep(100);
  }

  const query: RunningPrometheus["query"] = async (promql, timeMs = Date.now()) => {
    const body = new URLSearchParams({ query: promql, time: (timeMs / 1000).toFixed(3) });
    const res = await fetch(`${url}/api/v1/query`, { method: "POST", body });
    const json = (await res.json()) as { status: string; error?: string; data: { result: unknown } };
    if (json.status !== "success") throw new Error(`prometheus query failed: ${json.error}`);
    return json.data.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
  };
  return { url, stop, query, [Symbol.asyncDispose]: stop };
}

/** Poll until `check` is true, at most `timeoutMs`; throws naming `what` otherwise. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}
