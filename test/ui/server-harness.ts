import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../../src/config.js";
import type { RunningServer } from "../../src/server.js";
import { startInProcess } from "../helpers/in-process-server.js";

/** The real server (embedded store, judge, /ui) on an ephemeral port and a temporary data dir. */
export async function startTestServer(overrides: Partial<Config> = {}): Promise<{
  server: RunningServer;
  dataDir: string;
  [Symbol.asyncDispose](): Promise<void>;
}> {
  const dataDir = mkdtempSync(join(tmpdir(), "modelgate-ui-"));
  const server = await startInProcess(dataDir, overrides);
  return {
    server,
    dataDir,
    async [Symbol.asyncDispose]() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
