import { rm } from "node:fs/promises";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createApp } from "./api/app.js";
import { type FaultReporter, faultReporter } from "./api/faults.js";
import { createLimits, serverTimeouts } from "./api/limits.js";
import type { ServiceMetrics } from "./api/metrics.js";
import { adminRouter } from "./api/routes/admin.js";
import { evidenceRouter } from "./api/routes/evidence.js";
import { createJudgeRouter } from "./api/routes/judge.js";
import { createReferenceRouter, loadReferenceProfile } from "./api/routes/reference.js";
import { createUiRouter } from "./api/routes/ui.js";
import { AdminAudit } from "./auth/admin-audit.js";
import { authMiddleware } from "./auth/middleware.js";
import { readTls, watchTls } from "./auth/tls.js";
import { TokenSource } from "./auth/token-source.js";
import type { Config } from "./config.js";
import { systemScheduler } from "./events/delivery.js";
import { verdictEventsFromConfig } from "./events/verdict-events.js";
import { storedVersions } from "./evidence/store-view.js";
import { fileAuditStorage } from "./judge/audit-file.js";
import { JudgementHistory } from "./judge/history.js";
import { createKubeClientFromEnv } from "./k8s/kube-client.js";
import type { Logger } from "./log.js";
import { createEmbeddedSource } from "./sources/embedded.js";
import { lifetimeCohorts, registerCohortExporter } from "./sources/exporter.js";
import { PrometheusSource, prometheusOptionsFromConfig } from "./sources/prometheus.js";
import type { Source } from "./sources/source.js";
import { EmbeddedStore, storeOptionsFromConfig } from "./store/embedded-store.js";
import { ingestionRouters } from "./store/routers.js";

export interface RunningServer {
  /** where a client on this machine reaches the server (loopback when bound to every interface) */
  url: string;
  /** the address it is bound to, as a URL: http://0.0.0.0:8080 when it listens on every interface */
  listening: string;
  /** true when bound to every interface (0.0.0.0 or ::), not one address */
  allInterfaces: boolean;
  port: number;
  /** stop accepting, finish in-flight requests, flush the store */
  close(): Promise<void>;
  /** resolves once the server has shut down (SIGTERM/SIGINT or close()) */
  closed: Promise<void>;
}

/**
 * Wire the configured parts together and listen. This is the only place that builds the real
 * dependencies (store, sources, Kubernetes client) and hands them to createApp.
 */
export async function startServer(opts: {
  config: Config;
  logger: Logger;
  metrics: ServiceMetrics;
  /**
   * true (default): the server owns the process — SIGTERM/SIGINT shut it down, and errors that
   * escape all request handling are logged and counted instead of ending it. false when embedded
   * (tests starting it in their own process).
   */
  handleSignals?: boolean;
}): Promise<RunningServer> {
  const { config, logger, metrics } = opts;
  const report = faultReporter(logger, metrics);
  // Tokens first: a malformed tokens file stops the start before anything is opened.
  const tokens = new TokenSource({
    inline: config.tokens,
    file: config.tokensFile,
    logger,
    watchIntervalMs: config.reloadIntervalMs,
  });
  const tls =
    config.tlsCertFile && config.tlsKeyFile
      ? { certFile: config.tlsCertFile, keyFile: config.tlsKeyFile }
      : undefined;
  const limits = createLimits({
    maxConcurrent: config.maxConcurrentRequests,
    requestTimeoutMs: config.requestTimeoutMs,
    logger,
    reportFault: report,
  });
  // Opening loads the last snapshot; the log written after it is replayed once listening
  // (/readyz answers 503 and ingestion refuses writes until then).
  const store = EmbeddedStore.open({ ...storeOptionsFromConfig(config), logger, reportFault: report });
  const sources: Record<string, Source> = { embedded: createEmbeddedSource(store) };
  if (config.prometheusUrl) sources.prometheus = new PrometheusSource(prometheusOptionsFromConfig(config));
  // /metrics exports the store's cohorts in the naming contract, for Prometheus to sum over replicas
  registerCohortExporter(
    metrics.registry,
    lifetimeCohorts({
      list: () => store.listCohorts(),
      buckets: (model, version) => store.state.models.get(model)?.versions.get(version)?.buckets,
    }),
    config.prometheusNaming,
  );
  // Judgement history and look counts replay from the hash-chained audit log in the data dir.
  const auditPath = join(config.dataDir, "judge", "audit.jsonl");
  // Verdict CloudEvents (MODELGATE_EVENT_SINKS): built before the history so that its replay
  // tells them what was sent before this start.
  const events = verdictEventsFromConfig(config, {
    logger,
    clock: Date.now,
    scheduler: systemScheduler(),
    random: Math.random,
    registry: metrics.registry,
  });
  const torn = (log: string) => (bytes: number) =>
    logger.warn(`cut a record torn by a crash from the end of the ${log} audit log`, { bytes });
  const history = new JudgementHistory(
    fileAuditStorage(auditPath, torn("judgement")),
    undefined,
    events && ((response) => events.seen(response)),
  );
  if (!history.integrity.ok) {
    logger.error("judgement audit log failed verification", { error: history.integrity.error });
  }
  // Reference profiles (e.g. the training set's distributions) for the drift gate, one file per model.
  const referenceDir = join(config.dataDir, "reference");
  const judge = createJudgeRouter({
    referenceProfile: (model) => loadReferenceProfile(referenceDir, model),
    sources,
    defaultSource: config.source,
    history,
    maxBodyBytes: config.maxBodyBytes,
    metricsRegistry: metrics.registry,
    kube: createKubeClientFromEnv(logger, config),
    events,
    ready: () => store.ready,
  });
  const app = createApp({
    config,
    logger,
    metrics,
    ready: () => store.ready,
    guards: [
      limits.middleware,
      authMiddleware({
        tokens: () => tokens.current(),
        logger,
        metrics: config.metricsAuth,
        cloudEvents: config.cloudEventsAuth,
        ui: config.uiAuth,
      }),
    ],
    routers: [
      ...ingestionRouters({ store, config }),
      judge,
      evidenceRouter({ auditPath, store: storedVersions(store), clock: Date.now, ready: () => store.ready }),
      createReferenceRouter({
        dir: referenceDir,
        maxBodyBytes: Math.max(config.maxBodyBytes, 16 * 1024 * 1024),
      }),
      createUiRouter({ history, sources, catalog: store, bucketMs: config.bucketSeconds * 1000 }),
      adminRouter({
        store,
        audit: new AdminAudit(fileAuditStorage(join(config.dataDir, "admin", "audit.jsonl"), torn("admin"))),
        logger,
        erasers: { reference: (model) => eraseReferenceProfile(referenceDir, model) },
      }),
    ],
  });
  const timeouts = serverTimeouts(config);
  const server = tls
    ? createHttpsServer({ ...timeouts, ...readTls(tls) }, app)
    : createHttpServer(timeouts, app);
  const stopTls = tls
    ? watchTls(server as ReturnType<typeof createHttpsServer>, tls, {
        intervalMs: config.reloadIntervalMs,
        logger,
      })
    : () => {};
  server.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  // Started: from here on nothing a request does may end the process (failures above stay fatal).
  const stopLastResort = opts.handleSignals !== false ? installLastResort(report) : () => {};
  const replayed = store.replay().then(
    () => store.startSnapshots(),
    (e) => logger.error("embedded store replay failed", { error: String(e) }),
  );
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // Graceful: refuse new connections, let in-flight requests finish (answers say
      // Connection: close), cut what is left after shutdownTimeoutMs, then flush the store.
      limits.drain();
      const stopped = new Promise<void>((r) => server.close(() => r()));
      const cut = setTimeout(() => {
        logger.warn("shutdown timeout: closing remaining connections", { inFlight: limits.inFlight() });
        server.closeAllConnections();
      }, config.shutdownTimeoutMs);
      await stopped;
      clearTimeout(cut);
      // judgements answered during the drain may have queued events: bounded by the flush timeout
      await events?.close();
      await replayed;
      store.close();
      tokens.close();
      stopTls();
      stopLastResort();
      resolveClosed();
    })();
    return closing;
  };
  if (opts.handleSignals !== false) {
    for (const sig of ["SIGTERM", "SIGINT"] as const) {
      process.once(sig, () => {
        logger.info("shutting down", { signal: sig });
        void close();
      });
    }
  }
  const scheme = tls ? "https" : "http";
  const bound = (server.address() as AddressInfo).address;
  const allInterfaces = bound === "0.0.0.0" || bound === "::";
  const urlHost = (h: string) => (h.includes(":") ? `[${h}]` : h);
  const local = allInterfaces ? (bound === "::" ? "::1" : "127.0.0.1") : bound;
  return {
    url: `${scheme}://${urlHost(local)}:${port}`,
    listening: `${scheme}://${urlHost(bound)}:${port}`,
    allInterfaces,
    port,
    close,
    closed,
  };
}

/**
 * The process-level last line of defence: an exception or rejected promise that escaped every
 * handler (a bug in a hook, a timer or a stream callback) is logged and counted, and the service
 * keeps answering rather than exiting under every rollout that depends on it. Returns the
 * uninstaller.
 */
function installLastResort(report: FaultReporter): () => void {
  const onException = (e: unknown) => report("process_uncaught_exception", e);
  const onRejection = (e: unknown) => report("process_unhandled_rejection", e);
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  return () => {
    process.off("uncaughtException", onException);
    process.off("unhandledRejection", onRejection);
  };
}

/** Erase a model's uploaded reference profile; true when there was one. */
async function eraseReferenceProfile(dir: string, model: string): Promise<boolean> {
  const profile = await loadReferenceProfile(dir, model);
  if (!profile) return false;
  await rm(join(dir, `${model}.json`), { force: true });
  return true;
}
