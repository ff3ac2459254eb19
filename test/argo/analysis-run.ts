import { type ArgoVersion, DEFAULT_ARGO_VERSION } from "./argo-versions.js";
import { NotEmulated } from "./jsonpath.js";
import { type Measurement, type Metric, type Phase, runWebMetric } from "./web-provider.js";

/**
 * An AnalysisRun as Argo Rollouts' controllers drive it, for templates whose metrics use the web
 * provider. Sources (argoproj/argo-rollouts):
 * - utils/analysis/helpers.go BuildArgumentsForRolloutAnalysisRun: the Rollout's args become plain
 *   values first (`podTemplateHashValue: Stable|Latest` → the stable/canary ReplicaSet's
 *   pod-template-hash, `fieldRef` → the Rollout's field); then MergeArgs: those values replace the
 *   template's (defaults included); an arg left with neither value nor valueFrom is
 *   "args.<name> was not resolved".
 * - analysis/analysis.go resolveArgs: `secretKeyRef` is read from the run's namespace before each
 *   measurement (a missing Secret or key ends the run in Error); utils/template ResolveQuotedArgs
 *   substitutes `{{args.x}}` into the JSON of the whole metric (values JSON-escaped, so they land
 *   as strings, also in jsonBody); any other `{{…}}` tag is "failed to resolve {{tag}}".
 * - analysis/analysis.go runMeasurements: Successful/Failed/Inconclusive increment their counter
 *   and `count` and reset consecutiveError; Error increments error and consecutiveError only (an
 *   Error is retried and does not use up a look).
 * - utils/analysis/helpers.go ValidateMetrics, on the arg-resolved metrics at every reconcile
 *   (Secrets not yet read): count ≥ failureLimit and ≥ inconclusiveLimit, an interval when
 *   count > 1, Go durations, limits ≥ 0, exactly one provider; otherwise the run is Error
 *   "Analysis spec invalid: metrics[i]: …".
 * - assessMetricStatus + assessMetricFailureInconclusiveOrError, checked after every measurement:
 *   failed > failureLimit → Failed; inconclusive > inconclusiveLimit → Inconclusive;
 *   consecutiveError > consecutiveErrorLimit (default 4) → Error (later checks win, as in Go);
 *   otherwise Successful once count is reached. Limits default to 0. A completed metric takes no
 *   more measurements. With one metric the run's phase is the metric's phase (assessRunStatus).
 * Measurements are taken as the given Argo version's web provider takes them (argo-versions.ts).
 */

export interface Arg {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    podTemplateHashValue?: "Stable" | "Latest";
    fieldRef?: { fieldPath: string };
  };
}

export interface AnalysisTemplate {
  kind: string;
  metadata: { name: string };
  spec: { args?: Arg[]; metrics: Metric[]; dryRun?: unknown; measurementRetention?: unknown };
}

/** What the cluster holds: ReplicaSet hashes, the Rollout's fields, Secrets in the run's namespace. */
export interface ClusterState {
  podTemplateHashes: { Stable: string; Latest: string };
  fields?: Record<string, string>;
  secrets: Record<string, Record<string, string>>;
}

export type RunPhase = "Running" | Phase;

export interface MetricResult {
  name: string;
  phase: RunPhase;
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  consecutiveError: number;
  measurements: Measurement[];
}

/** IntOrString.IntValue(): a number, or a string parsed with Atoi (0 when it is not an integer). */
function intValue(v: unknown): number {
  if (typeof v === "number") return Math.trunc(v);
  if (typeof v === "string" && /^[+-]?\d+$/.test(v)) return Number(v);
  return 0;
}

/** Go's time.ParseDuration syntax (e.g. 1m, 90s, 1h30m, 500ms). */
const GO_DURATION = /^[+-]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/;
const validDuration = (d: unknown) => typeof d === "string" && (d === "0" || GO_DURATION.test(d));

/** ValidateMetrics: the first problem, as Argo words it, or undefined. */
export function validateMetrics(metrics: Metric[]): string | undefined {
  if (metrics.length === 0) return "no metrics specified";
  const names = new Set<string>();
  for (const [i, m] of metrics.entries()) {
    if (names.has(m.name)) return `metrics[${i}]: duplicate name '${m.name}'`;
    names.add(m.name);
    const problem = validateMetric(m);
    if (problem) return `metrics[${i}]: ${problem}`;
  }
  return undefined;
}

function validateMetric(m: Metric): string | undefined {
  const count = m.count === undefined ? 0 : intValue(m.count);
  const failureLimit = m.failureLimit === undefined ? 0 : intValue(m.failureLimit);
  const inconclusiveLimit = m.inconclusiveLimit === undefined ? 0 : intValue(m.inconclusiveLimit);
  if (count > 0 && count < failureLimit) return "count must be >= failureLimit";
  if (count > 0 && count < inconclusiveLimit) return "count must be >= inconclusiveLimit";
  if (count > 1 && !m.interval) return "interval must be specified when count > 1";
  if (m.interval && !validDuration(m.interval))
    return `invalid interval string: time: invalid duration "${m.interval}"`;
  if (m.initialDelay && !validDuration(m.initialDelay)) return "invalid startDelay string";
  if (failureLimit < 0) return "failureLimit must be >= 0";
  if (inconclusiveLimit < 0) return "inconclusiveLimit must be >= 0";
  if (m.consecutiveErrorLimit !== undefined && intValue(m.consecutiveErrorLimit) < 0)
    return "consecutiveErrorLimit must be >= 0";
  const providers = Object.values(m.provider ?? {}).filter((p) => p !== undefined && p !== null).length;
  if (providers === 0) return "no provider specified";
  if (providers > 1) return "multiple providers specified";
  return undefined;
}

/**
 * The rollout controller's BuildArgumentsForRolloutAnalysisRun (the Rollout's args become plain
 * values: podTemplateHashValue → the ReplicaSet's hash, fieldRef → the Rollout's field), then
 * MergeArgs: an incoming value replaces the template arg's value, including a default.
 */
export function mergeArgs(templateArgs: Arg[], incoming: Arg[], cluster: ClusterState): Arg[] {
  const values = incoming.map((a): Arg => {
    if (!a.valueFrom) return { name: a.name, value: a.value ?? "" };
    if (a.valueFrom.podTemplateHashValue) {
      return { name: a.name, value: cluster.podTemplateHashes[a.valueFrom.podTemplateHashValue] };
    }
    if (a.valueFrom.fieldRef) {
      const v = cluster.fields?.[a.valueFrom.fieldRef.fieldPath];
      if (v === undefined) throw new Error(`fieldRef ${a.valueFrom.fieldRef.fieldPath} not found`);
      return { name: a.name, value: v };
    }
    throw new NotEmulated(`Rollout arg ${a.name}: valueFrom ${JSON.stringify(a.valueFrom)}`);
  });
  const merged = templateArgs.map((a) => structuredClone(a));
  for (const a of values) {
    const target = merged.find((m) => m.name === a.name);
    if (target) target.value = a.value;
  }
  for (const a of merged) {
    if (a.value === undefined && !a.valueFrom) throw new Error(`args.${a.name} was not resolved`);
    if (a.value === undefined && !a.valueFrom?.secretKeyRef)
      throw new NotEmulated(`template arg ${a.name}: valueFrom ${JSON.stringify(a.valueFrom)}`);
  }
  return merged;
}

/** ResolveQuotedArgs on the metric's JSON: `{{ args.x }}` → JSON-escaped value. */
export function resolveMetric(metric: Metric, args: Record<string, string>): Metric {
  const text = JSON.stringify(metric).replace(/\{\{([^}]*)\}\}/g, (_, tag: string) => {
    const name = tag.trim();
    const value = name.startsWith("args.") ? args[name.slice(5)] : undefined;
    if (value === undefined) throw new Error(`failed to resolve {{${tag}}}`);
    return JSON.stringify(value).slice(1, -1);
  });
  return JSON.parse(text) as Metric;
}

export class AnalysisRun {
  readonly results: MetricResult[];
  /** the run's phase; Error with `message` when args could not be resolved */
  phase: RunPhase = "Running";
  message = "";
  private readonly args: Arg[];

  constructor(
    readonly template: AnalysisTemplate,
    incomingArgs: Arg[],
    private readonly cluster: ClusterState,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly version: ArgoVersion = DEFAULT_ARGO_VERSION,
  ) {
    if (template.spec.dryRun || template.spec.measurementRetention)
      throw new NotEmulated("dryRun/measurementRetention");
    this.args = mergeArgs(template.spec.args ?? [], incomingArgs, cluster);
    this.results = template.spec.metrics.map((m) => ({
      name: m.name,
      phase: "Running",
      count: 0,
      successful: 0,
      failed: 0,
      inconclusive: 0,
      error: 0,
      consecutiveError: 0,
      measurements: [],
    }));
  }

  /**
   * Args as the analysis controller resolves them before a measurement (Secrets read now);
   * without secrets, as getResolvedMetricsWithoutSecrets does for validation.
   */
  private resolvedArgs(withSecrets = true): Record<string, string> {
    const out: Record<string, string> = {};
    for (const a of this.args) {
      if (a.value !== undefined) {
        out[a.name] = a.value;
        continue;
      }
      const ref = a.valueFrom?.secretKeyRef;
      if (!ref) throw new Error(`args.${a.name} was not resolved`);
      if (!withSecrets) {
        out[a.name] = "temp-for-secret";
        continue;
      }
      const secret = this.cluster.secrets[ref.name];
      if (!secret) throw new Error(`secrets "${ref.name}" not found`);
      const v = secret[ref.key];
      if (v === undefined) throw new Error(`key '${ref.key}' does not exist in secret '${ref.name}'`);
      out[a.name] = v;
    }
    return out;
  }

  /** The metric as the provider sees it on the next measurement. */
  resolvedMetric(i = 0): Metric {
    return resolveMetric(this.template.spec.metrics[i]!, this.resolvedArgs());
  }

  /**
   * One reconciliation that measures every metric not yet complete (Argo would wait `interval`
   * between looks, or 10 s after an Error; the caller decides what happens in between).
   */
  async reconcile(): Promise<RunPhase> {
    if (this.phase !== "Running") return this.phase;
    let invalid: string | undefined;
    try {
      const plain = this.resolvedArgs(false);
      invalid = validateMetrics(this.template.spec.metrics.map((m) => resolveMetric(m, plain)));
    } catch (e) {
      this.phase = "Error";
      this.message = `Unable to resolve metric arguments: ${(e as Error).message}`;
      return this.phase;
    }
    if (invalid) {
      this.phase = "Error";
      this.message = `Analysis spec invalid: ${invalid}`;
      return this.phase;
    }
    let args: Record<string, string>;
    try {
      args = this.resolvedArgs();
    } catch (e) {
      this.phase = "Error";
      this.message = `Unable to resolve metric arguments: ${(e as Error).message}`;
      return this.phase;
    }
    await Promise.all(
      this.template.spec.metrics.map(async (raw, i) => {
        const result = this.results[i]!;
        if (result.phase !== "Running") return;
        const metric = resolveMetric(raw, args);
        const m = await runWebMetric(metric, this.fetchImpl, this.version);
        result.measurements.push(m);
        if (m.phase === "Error") {
          result.error++;
          result.consecutiveError++;
        } else {
          if (m.phase === "Successful") result.successful++;
          else if (m.phase === "Failed") result.failed++;
          else result.inconclusive++;
          result.count++;
          result.consecutiveError = 0;
        }
        result.phase = assessMetric(metric, result);
      }),
    );
    this.phase = assessRun(this.results);
    return this.phase;
  }

  /** Reconcile until the run completes; `between(look)` runs before each measurement. */
  async runToCompletion(between: (attempt: number) => Promise<void> = async () => {}, maxAttempts = 100) {
    for (let attempt = 1; this.phase === "Running"; attempt++) {
      if (attempt > maxAttempts) throw new Error(`run still Running after ${maxAttempts} measurements`);
      await between(attempt);
      await this.reconcile();
    }
    return this.phase;
  }
}

/** assessMetricStatus for a metric whose last measurement completed. */
export function assessMetric(metric: Metric, r: MetricResult): RunPhase {
  let phase: RunPhase | "" = "";
  const failureLimit = metric.failureLimit === undefined ? 0 : intValue(metric.failureLimit);
  if (r.failed > failureLimit) phase = "Failed";
  const inconclusiveLimit = metric.inconclusiveLimit === undefined ? 0 : intValue(metric.inconclusiveLimit);
  if (r.inconclusive > inconclusiveLimit) phase = "Inconclusive";
  const consecutiveErrorLimit =
    metric.consecutiveErrorLimit === undefined ? 4 : intValue(metric.consecutiveErrorLimit);
  if (r.consecutiveError > consecutiveErrorLimit) phase = "Error";
  if (phase) return phase;
  // EffectiveCount: count 0/absent means "run forever" with an interval, once without one.
  const count = intValue(metric.count);
  const effective = count === 0 ? (metric.interval ? undefined : 1) : count;
  if (effective !== undefined && r.count >= effective) return "Successful";
  return "Running";
}

const WORSE: Record<Phase, number> = { Successful: 0, Inconclusive: 1, Error: 2, Failed: 3 };

/** assessRunStatus: Running until every metric completes, then the worst metric phase. */
export function assessRun(results: MetricResult[]): RunPhase {
  if (results.some((r) => r.phase === "Running")) return "Running";
  let worst: Phase = "Successful";
  for (const r of results) if (WORSE[r.phase as Phase] > WORSE[worst]) worst = r.phase as Phase;
  return worst;
}
