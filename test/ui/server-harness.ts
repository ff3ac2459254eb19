import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServiceMetrics } from "../../src/api/metrics.js";
import { type Config, loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import { type RunningServer, startServer } from "../../src/server.js";

/** The real server (embedded store, judge, /ui) on an ephemeral port and a temporary data dir. */
export async function startTestServer(overrides: Partial<Config> = {}): Promise<{
  server: RunningServer;
  dataDir: string;
  [Symbol.asyncDispose](): Promise<void>;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), "modelgate-ui-"));
  const config = { ...loadConfig({}), host: "127.0.0.1", port: 0, dataDir, ...overrides };
  const server = await startServer({
    config,
    logger: silentLogger,
    metrics: createServiceMetrics({ defaultMetrics: false }),
    handleSignals: false,
  });
  for (let i = 0; i < 400; i++) {
    if ((await fetch(`${server.url}/readyz`)).status === 200) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    server,
    dataDir,
    async [Symbol.asyncDispose]() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
