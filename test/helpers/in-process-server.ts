import { createServiceMetrics } from "../../src/api/metrics.js";
import { type Config, loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import { type RunningServer, startServer } from "../../src/server.js";

/**
 * The real server (store, sources, judge, routers) in this process on an ephemeral 127.0.0.1 port,
 * with its store in `dataDir`; resolves once /readyz answers 200 (the store has replayed its log).
 * The caller closes it (`await server.close()`).
 */
export async function startInProcess(
  dataDir: string,
  overrides: Partial<Config> = {},
): Promise<RunningServer> {
  const config: Config = { ...loadConfig({}), host: "127.0.0.1", port: 0, dataDir, ...overrides };
  const server = await startServer({
    config,
    logger: silentLogger,
    metrics: createServiceMetrics({ defaultMetrics: false }),
    handleSignals: false,
  });
  for (let i = 0; ; i++) {
    if ((await fetch(`${server.url}/readyz`)).status === 200) return server;
    if (i > 400) {
      await server.close();
      throw new Error(`server at ${server.url} did not become ready within 10 s`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
