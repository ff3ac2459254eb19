import { createServiceMetrics } from "../api/metrics.js";
import { ConfigError, loadConfig, SETTINGS, settingsHelp } from "../config.js";
import { createLogger } from "../log.js";
import { parseOptions } from "./command-line.js";
import type { CliIo, Command } from "./run.js";

const HELP = `modelgate serve — run the judge service

Usage: modelgate serve [options]

Every option can also be set by its environment variable; a flag wins over the variable.

Options:
${settingsHelp()}
  --help                         show this help

Examples:
  modelgate serve                                   # embedded store in ./data, port 8080
  modelgate serve --port 9000 --data-dir /var/lib/modelgate
  MODELGATE_SOURCE=prometheus MODELGATE_PROMETHEUS_URL=http://prometheus:9090 modelgate serve
`;

export const serveCommand: Command = {
  name: "serve",
  summary: "run the HTTP service (Argo Rollouts web provider, ingestion, report pages)",
  async run(args: string[], io: CliIo): Promise<number> {
    let flags: Record<string, string | undefined>;
    try {
      const parsed = parseOptions(args, {
        help: { type: "boolean" },
        ...Object.fromEntries(SETTINGS.map((s) => [s.flag, { type: "string" as const }])),
      });
      if (parsed.values.help) {
        io.stdout(HELP);
        return 0;
      }
      flags = parsed.values as Record<string, string | undefined>;
    } catch (e) {
      io.stderr(`modelgate serve: ${(e as Error).message}\n\n${HELP}`);
      return 2;
    }
    let config: ReturnType<typeof loadConfig>;
    try {
      config = loadConfig(io.env, flags);
    } catch (e) {
      if (e instanceof ConfigError) {
        io.stderr(`modelgate serve: invalid setting ${e.message}\n`);
        return 2;
      }
      throw e;
    }
    const logger = createLogger(config.logLevel);
    const { startServer } = await import("../server.js");
    let server: Awaited<ReturnType<typeof startServer>>;
    try {
      server = await startServer({ config, logger, metrics: createServiceMetrics() });
    } catch (e) {
      // a bad tokens/TLS file, a busy port, an unreadable data dir: one line, no stack trace
      const err = e as NodeJS.ErrnoException;
      const what = err.code === "EADDRINUSE" ? `port ${config.port} is already in use` : err.message;
      io.stderr(`modelgate serve: cannot start: ${what}\n`);
      return 2;
    }
    // The address it is bound to, as it is: 0.0.0.0 says every interface (a pod, a container),
    // and then where a client on this machine reaches it.
    logger.info("modelgate listening", {
      url: server.listening,
      ...(server.allInterfaces ? { interfaces: "all", localUrl: server.url } : {}),
      dataDir: config.dataDir,
    });
    await server.closed;
    return 0;
  },
};
