/**
 * Service configuration: every setting has a flag, an environment variable and a default.
 * `loadConfig` validates once at start and throws ConfigError naming the bad setting, so a
 * misconfigured pod fails fast with a message instead of misbehaving later.
 */
import { parseTokens } from "./auth/tokens.js";
import {
  type CloudEventModelSettings,
  CloudEventSettingsError,
  parseCloudEventModels,
} from "./ingest/cloudevent-groups.js";
import { type NamingContract, NamingError, parseNaming } from "./sources/naming.js";

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = "ConfigError";
  }
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** how long summaries are kept, seconds */
  retentionSeconds: number;
  /** width of a summary time bucket, seconds */
  bucketSeconds: number;
  /** default source for judgements: "embedded" or "prometheus" */
  source: "embedded" | "prometheus";
  prometheusUrl: string | undefined;
  prometheusTimeoutMs: number;
  /** Prometheus auth: a bearer token (inline or a file re-read at each query) or basic auth */
  prometheusBearerToken: string | undefined;
  prometheusBearerTokenFile: string | undefined;
  prometheusUsername: string | undefined;
  prometheusPassword: string | undefined;
  prometheusPasswordFile: string | undefined;
  /** naming contract overrides (docs/prometheus.md); defaults when unset */
  prometheusNaming: NamingContract;
  maxBodyBytes: number;
  logLevel: "debug" | "info" | "warn" | "error";
  /** embedded store: score at or above which a prediction counts as a positive decision */
  decisionThreshold: number;
  /** embedded store: what an out-of-range score is: an invalid prediction (counted) or a rejected line */
  outOfRangeScores: "invalid" | "reject";
  /** ingestion: a field outside the vocabulary rejects its line, or is ignored and counted in the answer */
  unknownEventFields: "reject" | "ignore";
  /** embedded store cardinality limits */
  maxModels: number;
  maxVersionsPerModel: number;
  maxGroupAttributes: number;
  maxGroupValues: number;
  maxFeatures: number;
  maxCategories: number;
  /** largest NDJSON line, bytes */
  maxLineBytes: number;
  /** how long a prediction waits for its delayed outcome, seconds */
  joinTtlSeconds: number;
  /** most predictions waiting for an outcome (oldest evicted first) */
  joinMaxEntries: number;
  /** shadow mode: seconds an answer with an id waits for the other version's answer to the same id */
  pairingTtlSeconds: number;
  /** shadow mode: most answers waiting for their pair (oldest counted unpaired first) */
  pairingMaxPending: number;
  /** how long a KServe/Seldon request CloudEvent waits for its response, seconds; then it counts as an error */
  cloudEventTtlSeconds: number;
  /** how long a response CloudEvent that arrived before its request waits for it, seconds */
  cloudEventResponseWaitSeconds: number;
  /** most predictions (or request instances) one CloudEvent may expand to */
  cloudEventMaxPredictions: number;
  /** per-model settings of payload-logger events (group attributes read from inputs); undefined = none */
  cloudEventModels: ReadonlyMap<string, CloudEventModelSettings> | undefined;
  /** seconds between snapshots of the embedded store (the log is truncated at each) */
  snapshotSeconds: number;
  /** bearer tokens inline, "<name> <scopes> <token>" entries (docs/security.md); prefer tokensFile */
  tokens: string | undefined;
  /** file of bearer tokens (a mounted Secret), reloaded when it changes */
  tokensFile: string | undefined;
  /** who may read /metrics: open, or a token with this scope */
  metricsAuth: "open" | "read" | "admin";
  /** who may post to /v1/cloudevents: an ingest token, or anyone (KServe's logger sends no headers) */
  cloudEventsAuth: "ingest" | "open";
  /** who may see the /ui report pages: a read token, or anyone (browsers send no bearer token) */
  uiAuth: "read" | "open";
  /** TLS: PEM certificate chain and key files (both or neither), reloaded when they change */
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  /** how often tokens and TLS files are checked for changes, ms */
  reloadIntervalMs: number;
  /** most requests handled at once; beyond, 503 overloaded */
  maxConcurrentRequests: number;
  /** a request must be received and answered within this, ms */
  requestTimeoutMs: number;
  /** a request's headers must arrive within this, ms (slow-client protection) */
  headersTimeoutMs: number;
  /** on SIGTERM, how long in-flight requests may take before connections are cut, ms */
  shutdownTimeoutMs: number;
  /** URLs that receive a CloudEvent when a run's verdict first becomes pass or fail (docs/operations.md) */
  eventSinks: string[] | undefined;
  /** the CloudEvents `source` attribute of those events */
  eventSource: string;
  /** most events waiting per sink besides the one being delivered (beyond: the oldest dropped) */
  eventQueueSize: number;
  /** delivery attempts per event and sink before it counts as failed */
  eventMaxAttempts: number;
  /** first retry delay, ms; doubled per attempt with full jitter, up to eventRetryMaxMs */
  eventRetryInitialMs: number;
  eventRetryMaxMs: number;
  /** one delivery attempt must be answered within this, ms */
  eventTimeoutMs: number;
  /** on shutdown, how long undelivered events may still be tried, ms */
  eventFlushTimeoutMs: number;
  /** kubeconfig file for the Kubernetes API outside a pod (in a pod: its ServiceAccount) */
  kubeconfig: string | undefined;
  /** timeout of one Kubernetes API call, ms */
  kubeTimeoutMs: number;
}

interface Setting {
  key: keyof Config;
  flag: string;
  env: string;
  help: string;
  parse: (raw: string, name: string) => unknown;
  default: unknown;
  /** how help shows a default that is not a plain value (an object parsed from JSON) */
  defaultHelp?: string;
}

const int =
  (min: number, max = Number.MAX_SAFE_INTEGER) =>
  (raw: string, name: string) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(name, `must be an integer in [${min}, ${max}], got "${raw}"`);
    }
    return n;
  };
/** A number strictly between min and max (a probability threshold: 0 and 1 would select all or none). */
const between = (min: number, max: number) => (raw: string, name: string) => {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n <= min || n >= max) {
    throw new ConfigError(name, `must be a number in (${min}, ${max}), got "${raw}"`);
  }
  return n;
};
const oneOf =
  (...values: string[]) =>
  (raw: string, name: string) => {
    if (!values.includes(raw))
      throw new ConfigError(name, `must be one of ${values.join(", ")}, got "${raw}"`);
    return raw;
  };
const str = (raw: string, name: string) => {
  if (raw.trim() === "") throw new ConfigError(name, "must not be empty");
  return raw;
};
const url = (raw: string, name: string) => {
  try {
    const u = new URL(raw);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("protocol");
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, "");
};

/**
 * Comma-separated http(s) URLs: an entry that is empty, not such a URL, carries credentials or
 * repeats another is named by its position (and, unless it may hold a secret, its text).
 */
const urlList = (raw: string, name: string) => {
  const entries = raw.split(",").map((e) => e.trim());
  const seen = new Map<string, number>();
  entries.forEach((entry, i) => {
    const which = `entry ${i + 1}`;
    if (entry === "") throw new ConfigError(name, `${which} is empty`);
    let u: URL;
    try {
      u = new URL(entry);
    } catch {
      throw new ConfigError(name, `${which} ("${entry}") is not a URL`);
    }
    if (u.username || u.password) {
      throw new ConfigError(
        name,
        `${which} carries credentials in the URL (user:password@), which are not sent`,
      );
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new ConfigError(name, `${which} ("${entry}") must be an http or https URL`);
    }
    const first = seen.get(u.href);
    if (first !== undefined) throw new ConfigError(name, `${which} repeats entry ${first}`);
    seen.set(u.href, i + 1);
  });
  return entries;
};

export const SETTINGS: Setting[] = [
  {
    key: "host",
    flag: "host",
    env: "MODELGATE_HOST",
    help: "address to listen on",
    parse: str,
    default: "0.0.0.0",
  },
  {
    key: "port",
    flag: "port",
    env: "MODELGATE_PORT",
    help: "port to listen on",
    parse: int(0, 65535),
    default: 8080,
  },
  {
    key: "dataDir",
    flag: "data-dir",
    env: "MODELGATE_DATA_DIR",
    help: "directory of the embedded store (created if missing)",
    parse: str,
    default: "./data",
  },
  {
    key: "retentionSeconds",
    flag: "retention",
    env: "MODELGATE_RETENTION_SECONDS",
    help: "seconds of summaries to keep",
    parse: int(60),
    default: 86_400,
  },
  {
    key: "bucketSeconds",
    flag: "bucket",
    env: "MODELGATE_BUCKET_SECONDS",
    help: "width of a summary time bucket, seconds",
    parse: int(1, 3600),
    default: 60,
  },
  {
    key: "source",
    flag: "source",
    env: "MODELGATE_SOURCE",
    help: "default source of judgements: embedded | prometheus",
    parse: oneOf("embedded", "prometheus"),
    default: "embedded",
  },
  {
    key: "prometheusUrl",
    flag: "prometheus-url",
    env: "MODELGATE_PROMETHEUS_URL",
    help: "Prometheus base URL, e.g. http://prometheus:9090",
    parse: url,
    default: undefined,
  },
  {
    key: "prometheusTimeoutMs",
    flag: "prometheus-timeout-ms",
    env: "MODELGATE_PROMETHEUS_TIMEOUT_MS",
    help: "timeout of one PromQL query, ms",
    parse: int(100, 60_000),
    default: 5_000,
  },
  ...(
    [
      ["prometheusBearerToken", "prometheus-bearer-token", "BEARER_TOKEN", "bearer token for Prometheus"],
      [
        "prometheusBearerTokenFile",
        "prometheus-bearer-token-file",
        "BEARER_TOKEN_FILE",
        "file holding the bearer token",
      ],
      ["prometheusUsername", "prometheus-username", "USERNAME", "basic auth user for Prometheus"],
      ["prometheusPassword", "prometheus-password", "PASSWORD", "basic auth password for Prometheus"],
      [
        "prometheusPasswordFile",
        "prometheus-password-file",
        "PASSWORD_FILE",
        "file holding the basic auth password",
      ],
    ] as const
  ).map(([key, flag, env, help]) => ({
    key,
    flag,
    env: `MODELGATE_PROMETHEUS_${env}`,
    help,
    parse: str,
    default: undefined,
  })),
  {
    key: "prometheusNaming",
    flag: "prometheus-naming",
    env: "MODELGATE_PROMETHEUS_NAMING",
    help: "JSON overrides of the Prometheus naming contract (metric and label names)",
    parse: (raw: string, name: string) => {
      try {
        return parseNaming(JSON.parse(raw), name);
      } catch (err) {
        if (err instanceof NamingError) throw new ConfigError(err.field, err.reason);
        throw new ConfigError(name, `must be JSON: ${(err as Error).message}`);
      }
    },
    default: parseNaming(undefined),
    defaultHelp: "the built-in names of docs/prometheus.md",
  },
  {
    key: "maxBodyBytes",
    flag: "max-body-bytes",
    env: "MODELGATE_MAX_BODY_BYTES",
    help: "largest accepted request body (JSON arrays; NDJSON streams are limited per line)",
    parse: int(1024),
    default: 10 * 1024 * 1024,
  },
  {
    key: "logLevel",
    flag: "log-level",
    env: "MODELGATE_LOG_LEVEL",
    help: "debug | info | warn | error",
    parse: oneOf("debug", "info", "warn", "error"),
    default: "info",
  },
  {
    key: "decisionThreshold",
    flag: "decision-threshold",
    env: "MODELGATE_DECISION_THRESHOLD",
    help: "score (a probability) at or above which an event without a decision counts as positive, in (0, 1)",
    parse: between(0, 1),
    default: 0.5,
  },
  {
    key: "outOfRangeScores",
    flag: "out-of-range-scores",
    env: "MODELGATE_OUT_OF_RANGE_SCORES",
    help: "invalid (count as invalid predictions) | reject (reject the line)",
    parse: oneOf("invalid", "reject"),
    default: "invalid",
  },
  {
    key: "unknownEventFields",
    flag: "unknown-event-fields",
    env: "MODELGATE_UNKNOWN_EVENT_FIELDS",
    help: "reject (the line, naming the field) | ignore (store the line without it, counted in the answer's ignoredFields)",
    parse: oneOf("reject", "ignore"),
    default: "reject",
  },
  {
    key: "maxModels",
    flag: "max-models",
    env: "MODELGATE_MAX_MODELS",
    help: "most models the embedded store keeps",
    parse: int(1),
    default: 100,
  },
  {
    key: "maxVersionsPerModel",
    flag: "max-versions-per-model",
    env: "MODELGATE_MAX_VERSIONS_PER_MODEL",
    help: "most versions per model",
    parse: int(1),
    default: 50,
  },
  {
    key: "maxGroupAttributes",
    flag: "max-group-attributes",
    env: "MODELGATE_MAX_GROUP_ATTRIBUTES",
    help: "most group attributes (e.g. region) per model",
    parse: int(0),
    default: 20,
  },
  {
    key: "maxGroupValues",
    flag: "max-group-values",
    env: "MODELGATE_MAX_GROUP_VALUES",
    help: "most values per group attribute per model",
    parse: int(1),
    default: 100,
  },
  {
    key: "maxFeatures",
    flag: "max-features",
    env: "MODELGATE_MAX_FEATURES",
    help: "most feature names per model",
    parse: int(0),
    default: 200,
  },
  {
    key: "maxCategories",
    flag: "max-categories",
    env: "MODELGATE_MAX_CATEGORIES",
    help: "most categories per categorical feature",
    parse: int(1),
    default: 200,
  },
  {
    key: "maxLineBytes",
    flag: "max-line-bytes",
    env: "MODELGATE_MAX_LINE_BYTES",
    help: "largest NDJSON line, bytes",
    parse: int(256),
    default: 64 * 1024,
  },
  {
    key: "joinTtlSeconds",
    flag: "join-ttl",
    env: "MODELGATE_JOIN_TTL_SECONDS",
    help: "seconds a prediction with an id waits for its delayed outcome",
    parse: int(1),
    default: 86_400,
  },
  {
    key: "joinMaxEntries",
    flag: "join-max-entries",
    env: "MODELGATE_JOIN_MAX_ENTRIES",
    help: "most predictions waiting for an outcome (oldest evicted first)",
    parse: int(0),
    default: 200_000,
  },
  {
    key: "pairingTtlSeconds",
    flag: "pairing-ttl",
    env: "MODELGATE_PAIRING_TTL_SECONDS",
    help: "shadow mode: seconds an answer waits for the other version's answer to the same id",
    parse: int(1),
    default: 300,
  },
  {
    key: "pairingMaxPending",
    flag: "pairing-max-pending",
    env: "MODELGATE_PAIRING_MAX_PENDING",
    help: "shadow mode: most answers waiting for their pair (oldest counted unpaired first); 0 = pairing off",
    parse: int(0),
    default: 50_000,
  },
  {
    key: "cloudEventTtlSeconds",
    flag: "cloudevent-ttl",
    env: "MODELGATE_CLOUDEVENT_TTL_SECONDS",
    help: "seconds a request CloudEvent waits for its response; unanswered then, it counts as an error of its version",
    parse: int(1),
    default: 60,
  },
  {
    key: "cloudEventResponseWaitSeconds",
    flag: "cloudevent-response-wait",
    env: "MODELGATE_CLOUDEVENT_RESPONSE_WAIT_SECONDS",
    help: "seconds a response CloudEvent that arrived before its request waits for it",
    parse: int(0, 3600),
    default: 5,
  },
  {
    key: "cloudEventMaxPredictions",
    flag: "cloudevent-max-predictions",
    env: "MODELGATE_CLOUDEVENT_MAX_PREDICTIONS",
    help: "most predictions (or request instances) one CloudEvent may hold; beyond, 413",
    parse: int(1, 1_000_000),
    default: 10_000,
  },
  {
    key: "cloudEventModels",
    flag: "cloudevent-models",
    env: "MODELGATE_CLOUDEVENT_MODELS",
    help: 'JSON per-model settings of payload-logger events, e.g. {"fraud":{"groups":{"region":{"instances":"region"}}}}',
    parse: (raw: string, name: string) => {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch (err) {
        throw new ConfigError(name, `must be JSON: ${(err as Error).message}`);
      }
      try {
        return parseCloudEventModels(json);
      } catch (err) {
        if (err instanceof CloudEventSettingsError) {
          throw new ConfigError(err.path === "" ? name : `${name} ${err.path}`, err.reason);
        }
        throw err;
      }
    },
    default: undefined,
  },
  {
    key: "snapshotSeconds",
    flag: "snapshot-interval",
    env: "MODELGATE_SNAPSHOT_SECONDS",
    help: "seconds between snapshots of the embedded store",
    parse: int(1),
    default: 30,
  },
  {
    key: "tokens",
    flag: "tokens",
    env: "MODELGATE_TOKENS",
    help: "bearer tokens inline: '<name> <scope>[,<scope>] <token>' entries separated by ';' (prefer a file)",
    parse: (raw: string, name: string) => {
      try {
        parseTokens(raw, name);
      } catch (e) {
        // the message names the entry, never the token
        throw new ConfigError(name, (e as Error).message.replace(`${name} `, ""));
      }
      return raw;
    },
    default: undefined,
  },
  {
    key: "tokensFile",
    flag: "tokens-file",
    env: "MODELGATE_TOKENS_FILE",
    help: "file of bearer tokens, one '<name> <scopes> <token>' per line; no tokens anywhere = auth off",
    parse: str,
    default: undefined,
  },
  {
    key: "metricsAuth",
    flag: "metrics-auth",
    env: "MODELGATE_METRICS_AUTH",
    help: "who may read /metrics when auth is on: open | read | admin",
    parse: oneOf("open", "read", "admin"),
    default: "open",
  },
  {
    key: "cloudEventsAuth",
    flag: "cloudevents-auth",
    env: "MODELGATE_CLOUDEVENTS_AUTH",
    help: "who may post to /v1/cloudevents when auth is on: ingest | open",
    parse: oneOf("ingest", "open"),
    default: "ingest",
  },
  {
    key: "uiAuth",
    flag: "ui-auth",
    env: "MODELGATE_UI_AUTH",
    help: "who may see the /ui pages when auth is on: read | open",
    parse: oneOf("read", "open"),
    default: "read",
  },
  {
    key: "tlsCertFile",
    flag: "tls-cert-file",
    env: "MODELGATE_TLS_CERT_FILE",
    help: "PEM certificate (chain) to serve HTTPS; reloaded when it changes",
    parse: str,
    default: undefined,
  },
  {
    key: "tlsKeyFile",
    flag: "tls-key-file",
    env: "MODELGATE_TLS_KEY_FILE",
    help: "PEM private key for --tls-cert-file",
    parse: str,
    default: undefined,
  },
  {
    key: "reloadIntervalMs",
    flag: "reload-interval-ms",
    env: "MODELGATE_RELOAD_INTERVAL_MS",
    help: "how often the tokens and TLS files are checked for changes, ms",
    parse: int(10, 3_600_000),
    default: 5_000,
  },
  {
    key: "maxConcurrentRequests",
    flag: "max-concurrent-requests",
    env: "MODELGATE_MAX_CONCURRENT_REQUESTS",
    help: "most requests handled at once (beyond: 503 overloaded, Retry-After)",
    parse: int(1),
    default: 256,
  },
  {
    key: "requestTimeoutMs",
    flag: "request-timeout-ms",
    env: "MODELGATE_REQUEST_TIMEOUT_MS",
    help: "a request must be received and answered within this, ms",
    parse: int(100),
    default: 60_000,
  },
  {
    key: "headersTimeoutMs",
    flag: "headers-timeout-ms",
    env: "MODELGATE_HEADERS_TIMEOUT_MS",
    help: "a request's headers must arrive within this, ms (slow clients are cut)",
    parse: int(100),
    default: 10_000,
  },
  {
    key: "shutdownTimeoutMs",
    flag: "shutdown-timeout-ms",
    env: "MODELGATE_SHUTDOWN_TIMEOUT_MS",
    help: "on SIGTERM, how long in-flight requests may take before connections are cut, ms",
    parse: int(0),
    default: 25_000,
  },
  {
    key: "eventSinks",
    flag: "event-sinks",
    env: "MODELGATE_EVENT_SINKS",
    help: "comma-separated URLs that receive a CloudEvent when a run's verdict first becomes pass or fail, and when drift fails against the reference profile",
    parse: urlList,
    default: undefined,
  },
  {
    key: "eventSource",
    flag: "event-source",
    env: "MODELGATE_EVENT_SOURCE",
    help: "the CloudEvents source attribute of those events (a URI reference naming this installation)",
    parse: str,
    default: "/modelgate",
  },
  {
    key: "eventQueueSize",
    flag: "event-queue-size",
    env: "MODELGATE_EVENT_QUEUE_SIZE",
    help: "most events waiting per sink (beyond: the oldest is dropped and counted)",
    parse: int(1, 1_000_000),
    default: 1000,
  },
  {
    key: "eventMaxAttempts",
    flag: "event-max-attempts",
    env: "MODELGATE_EVENT_MAX_ATTEMPTS",
    help: "delivery attempts per event and sink before it counts as failed",
    parse: int(1, 100),
    default: 8,
  },
  {
    key: "eventRetryInitialMs",
    flag: "event-retry-initial-ms",
    env: "MODELGATE_EVENT_RETRY_INITIAL_MS",
    help: "first retry delay, ms (doubled per attempt, full jitter)",
    parse: int(1, 3_600_000),
    default: 500,
  },
  {
    key: "eventRetryMaxMs",
    flag: "event-retry-max-ms",
    env: "MODELGATE_EVENT_RETRY_MAX_MS",
    help: "longest retry delay, ms",
    parse: int(1, 3_600_000),
    default: 30_000,
  },
  {
    key: "eventTimeoutMs",
    flag: "event-timeout-ms",
    env: "MODELGATE_EVENT_TIMEOUT_MS",
    help: "one delivery attempt must be answered within this, ms",
    parse: int(10, 600_000),
    default: 5_000,
  },
  {
    key: "eventFlushTimeoutMs",
    flag: "event-flush-timeout-ms",
    env: "MODELGATE_EVENT_FLUSH_TIMEOUT_MS",
    help: "on shutdown, how long undelivered events may still be tried, ms (after the requests drain)",
    parse: int(0, 600_000),
    default: 3_000,
  },
  {
    key: "kubeconfig",
    flag: "kubeconfig",
    env: "MODELGATE_KUBECONFIG",
    help: "kubeconfig file for the Kubernetes API outside a pod (in a pod: its ServiceAccount; KUBECONFIG is never read)",
    parse: str,
    default: undefined,
  },
  {
    key: "kubeTimeoutMs",
    flag: "kube-timeout-ms",
    env: "MODELGATE_KUBE_TIMEOUT_MS",
    help: "timeout of one Kubernetes API call (Rollout lookup, Event), ms",
    parse: int(100, 60_000),
    default: 2_000,
  },
];

/** One line of `serve --help` per setting: flag, help, variable and default (when there is one). */
export function settingsHelp(): string {
  return SETTINGS.map((s) => {
    const shown = s.defaultHelp ?? (s.default === undefined ? undefined : String(s.default));
    return `  --${s.flag.padEnd(28)} ${s.help} [env ${s.env}${shown === undefined ? "" : `, default ${shown}`}]`;
  }).join("\n");
}

/** Resolve settings: flag beats environment beats default. */
export function loadConfig(env: NodeJS.ProcessEnv, flags: Record<string, string | undefined> = {}): Config {
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    const fromFlag = flags[s.flag];
    const fromEnv = env[s.env];
    if (fromFlag !== undefined) out[s.key] = s.parse(fromFlag, `--${s.flag}`);
    else if (fromEnv !== undefined && fromEnv !== "") out[s.key] = s.parse(fromEnv, s.env);
    else out[s.key] = s.default;
  }
  const config = out as unknown as Config;
  if (config.source === "prometheus" && !config.prometheusUrl) {
    throw new ConfigError("MODELGATE_PROMETHEUS_URL", "is required when the default source is prometheus");
  }
  if ((config.prometheusBearerToken || config.prometheusBearerTokenFile) && config.prometheusUsername) {
    throw new ConfigError(
      "MODELGATE_PROMETHEUS_USERNAME",
      "set either a bearer token or basic auth, not both",
    );
  }
  if (Boolean(config.tlsCertFile) !== Boolean(config.tlsKeyFile)) {
    throw new ConfigError(
      config.tlsCertFile ? "MODELGATE_TLS_KEY_FILE" : "MODELGATE_TLS_CERT_FILE",
      "set both the TLS certificate and key files, or neither",
    );
  }
  if (config.eventRetryInitialMs > config.eventRetryMaxMs) {
    throw new ConfigError("MODELGATE_EVENT_RETRY_INITIAL_MS", "must not exceed MODELGATE_EVENT_RETRY_MAX_MS");
  }
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    throw new ConfigError("MODELGATE_HEADERS_TIMEOUT_MS", "must not exceed MODELGATE_REQUEST_TIMEOUT_MS");
  }
  return config;
}
