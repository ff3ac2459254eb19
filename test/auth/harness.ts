import { mkdtempSync, rmSync } from "node:fs";
import { get as httpsGet } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServiceMetrics } from "../../src/api/metrics.js";
import { loadConfig } from "../../src/config.js";
import { createLogger, type Logger } from "../../src/log.js";
import { type RunningServer, startServer } from "../../src/server.js";

/** Test tokens: one per scope, plus a two-scope one. */
export const TOKENS = {
  kserve: { scopes: "ingest", token: "ingest-token-0123456789abcdef" },
  argo: { scopes: "judge", token: "judge-token-0123456789abcdef" },
  viewer: { scopes: "read", token: "read-token-0123456789abcdef" },
  ops: { scopes: "admin", token: "admin-token-0123456789abcdef" },
  ci: { scopes: "judge,read", token: "ci-token-0123456789abcdef" },
} as const;

export const tokenLines = () =>
  Object.entries(TOKENS)
    .map(([name, t]) => `${name} ${t.scopes} ${t.token}`)
    .join("\n");

export const bearer = (name: keyof typeof TOKENS) => ({ authorization: `Bearer ${TOKENS[name].token}` });

/** An in-process server (real HTTP on 127.0.0.1) on a temporary data dir; logs captured. */
export async function startTestServer(
  env: Record<string, string> = {},
  flags: Record<string, string> = {},
): Promise<{
  server: RunningServer;
  url: string;
  dataDir: string;
  logs: string[];
  logger: Logger;
  [Symbol.asyncDispose](): Promise<void>;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), "modelgate-auth-"));
  const logs: string[] = [];
  const logger = createLogger("debug", (l) => logs.push(l));
  const config = { ...loadConfig(env, flags), host: "127.0.0.1", port: 0, dataDir };
  const server = await startServer({
    config,
    logger,
    metrics: createServiceMetrics({ defaultMetrics: false }),
    handleSignals: false,
  });
  await waitReady(server.url);
  return {
    server,
    url: server.url,
    dataDir,
    logs,
    logger,
    async [Symbol.asyncDispose]() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Status of GET url; over HTTPS any certificate is accepted (the TLS tests check it themselves). */
function probe(url: string, init: RequestInit): Promise<number> {
  if (!url.startsWith("https:")) return fetch(url, init).then((r) => r.status);
  return new Promise((resolve, reject) => {
    httpsGet(url, { rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on("error", reject);
  });
}

export async function waitReady(url: string, init: RequestInit = {}): Promise<void> {
  for (let i = 0; i < 400; i++) {
    try {
      if ((await probe(`${url}/readyz`, init)) === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${url} did not become ready`);
}
