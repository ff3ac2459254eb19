/**
 * Synthetic model traffic for trying modelgate without a model: one baseline and one candidate
 * version of a binary classifier ("fraud"), as NDJSON in the format of POST /v1/events
 * (docs/ingestion.md), so the same file feeds `modelgate ingest` and `modelgate judge`.
 *
 *   npx tsx examples/generate-events.ts --scenario slow > events.ndjson
 *   npx tsx examples/generate-events.ts --scenario good --only candidate --out candidate.ndjson
 *
 * The baseline is a binormal scorer: label ~ Bernoulli(0.25); latent z ~ N(1.8·label, 1), so its AUC is
 * Φ(1.8/√2) ≈ 0.90; score = logistic(z − 1.3); decision = score ≥ 0.5 (selection rate ≈ 0.25 in every
 * region eu/us/apac, so it is fair); latency log-normal with median 35 ms (p95 ≈ 57 ms); 0.2% of requests are
 * errors (no score). Every event carries its label, as if outcomes arrived at once (in production they
 * come later through /v1/outcomes). Timestamps are spread uniformly over the last `--minutes`.
 *
 * The candidate is drawn from the same process with its own random stream, then altered by the
 * scenario; each bad scenario is built to trip one gate and leave the others alone:
 *   good            nothing changes                                   → pass from ≈ 30 000 events per
 *                                                                       version (inconclusive below)
 *   shifted-scores  every latent score + 0.9 (PSI ≈ 0.5)              → drift fails
 *   slow            latency × 1.5                                     → latency fails
 *   worse-auc       35% of scores ignore the label (AUC ≈ 0.76); the
 *                   score distribution itself does not change         → auc fails
 *   unfair          region=apac decided at score ≥ 0.8 instead of 0.5
 *                   (selection rate ≈ 0.25 → 0.05; scores unchanged,
 *                   so drift and AUC see nothing)                     → fairness fails
 *   errors          3% of requests are errors instead of 0.2%         → errors fails
 *
 * The baseline depends only on the seed and its size, never on the scenario, so one baseline file
 * can be judged against several candidates. Randomness is mulberry32 (src/stats/random.ts); the same
 * flags and `--now` give byte-identical output.
 */
import { createWriteStream } from "node:fs";
import type { Writable } from "node:stream";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { mulberry32, type RandomSource, randomNormal } from "../src/stats/random.js";

export const SCENARIOS = ["good", "shifted-scores", "slow", "worse-auc", "unfair", "errors"] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface TrafficOptions {
  scenario: Scenario;
  model: string;
  baselineVersion: string;
  candidateVersion: string;
  baselineEvents: number;
  candidateEvents: number;
  seed: number;
  /** epoch ms; events fall in [now − minutes, now) */
  now: number;
  minutes: number;
  only?: "baseline" | "candidate";
}

export interface TrafficEvent {
  model: string;
  version: string;
  id: string;
  ts: string;
  score?: number;
  label?: 0 | 1;
  decision?: 0 | 1;
  latencyMs: number;
  error: boolean;
  groups: { region: string };
  features: { amount: number; channel: string };
}

const PREVALENCE = 0.25;
const SEPARATION = 1.8;
const OFFSET = 1.3;
const REGIONS: Array<[string, number]> = [
  ["eu", 0.4],
  ["us", 0.35],
  ["apac", 0.25],
];
const CHANNELS = ["web", "app", "pos"];

/** The ways a candidate can differ from the baseline; the baseline uses NO_CHANGE. */
interface Alteration {
  scoreShift: number;
  labelBlindShare: number;
  /** decision threshold per region (default 0.5): scores unchanged, who gets selected changes */
  regionThreshold: Record<string, number>;
  latencyFactor: number;
  errorRate: number;
}

const NO_CHANGE: Alteration = {
  scoreShift: 0,
  labelBlindShare: 0,
  regionThreshold: {},
  latencyFactor: 1,
  errorRate: 0.002,
};

const ALTERATIONS: Record<Scenario, Alteration> = {
  good: NO_CHANGE,
  "shifted-scores": { ...NO_CHANGE, scoreShift: 0.9 },
  slow: { ...NO_CHANGE, latencyFactor: 1.5 },
  "worse-auc": { ...NO_CHANGE, labelBlindShare: 0.35 },
  unfair: { ...NO_CHANGE, regionThreshold: { apac: 0.8 } },
  errors: { ...NO_CHANGE, errorRate: 0.03 },
};

function pick<T>(random: RandomSource, weighted: Array<[T, number]>): T {
  let u = random();
  for (const [value, weight] of weighted) {
    u -= weight;
    if (u < 0) return value;
  }
  return weighted[weighted.length - 1][0];
}

function* cohort(
  random: RandomSource,
  o: TrafficOptions,
  version: string,
  n: number,
  alter: Alteration,
): Generator<TrafficEvent> {
  const span = o.minutes * 60_000;
  for (let i = 0; i < n; i++) {
    const region = pick(random, REGIONS);
    const channel = CHANNELS[Math.floor(random() * CHANNELS.length)];
    const label: 0 | 1 = random() < PREVALENCE ? 1 : 0;
    // label-blind scores use a fresh label of the same prevalence: the score distribution is
    // unchanged, only its link to the outcome weakens
    const scored = random() < alter.labelBlindShare ? (random() < PREVALENCE ? 1 : 0) : label;
    const z = randomNormal(random, SEPARATION * scored, 1) + alter.scoreShift;
    const score = Number((1 / (1 + Math.exp(-(z - OFFSET)))).toFixed(4));
    const latencyMs = Number((35 * Math.exp(randomNormal(random, 0, 0.3)) * alter.latencyFactor).toFixed(1));
    const amount = Number(Math.exp(randomNormal(random, 3.5 + 0.4 * label, 1)).toFixed(2));
    const error = random() < alter.errorRate;
    // draws above happen for every event so that the error flag does not shift the other streams
    const ts = new Date(o.now - span + Math.floor(random() * (span - 1000))).toISOString();
    const base = { model: o.model, version, id: `${version}-${i}`, ts };
    const context = { latencyMs, error, groups: { region }, features: { amount, channel } };
    // a failed request has no score and no outcome to join
    yield error
      ? { ...base, ...context }
      : {
          ...base,
          score,
          label,
          decision: score >= (alter.regionThreshold[region] ?? 0.5) ? 1 : 0,
          ...context,
        };
  }
}

/** The baseline's events, then the candidate's (each arm in generation order, not time order). */
export function* generateTraffic(o: TrafficOptions): Generator<TrafficEvent> {
  for (const [name, n] of [
    ["baseline events", o.baselineEvents],
    ["candidate events", o.candidateEvents],
  ] as const) {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name} must be an integer >= 0, got ${n}`);
  }
  if (!(o.minutes > 0 && o.minutes <= 60))
    throw new RangeError(`minutes must be in (0, 60], got ${o.minutes}`);
  if (!Number.isInteger(o.seed)) throw new RangeError(`seed must be an integer, got ${o.seed}`);
  if (!Number.isFinite(o.now)) throw new RangeError(`now must be epoch ms, got ${o.now}`);
  if (!SCENARIOS.includes(o.scenario)) throw new RangeError(`unknown scenario "${o.scenario}"`);
  // two independent streams: the baseline never depends on the scenario or the candidate's size
  if (o.only !== "candidate") {
    yield* cohort(mulberry32(o.seed), o, o.baselineVersion, o.baselineEvents, NO_CHANGE);
  }
  if (o.only !== "baseline") {
    yield* cohort(
      mulberry32(o.seed ^ 0x5bd1e995),
      o,
      o.candidateVersion,
      o.candidateEvents,
      ALTERATIONS[o.scenario],
    );
  }
}

const HELP = `generate-events — synthetic baseline and candidate traffic as NDJSON (POST /v1/events format)

Usage: npx tsx examples/generate-events.ts [options] > events.ndjson

Options:
  --scenario S           ${SCENARIOS.join(" | ")} (default good)
  --model NAME           model name (default fraud)
  --baseline-version V   (default v1)
  --candidate-version V  (default v2)
  --events N             events per version (default 30000)
  --baseline-events N    baseline events (default --events)
  --candidate-events N   candidate events (default --events)
  --only ARM             baseline | candidate: write one version only
  --seed N               random seed (default 1)
  --minutes M            spread timestamps over the last M minutes (default 5)
  --now MS               epoch ms taken as "now" (default the clock), for reproducible files
  --out FILE             write to FILE instead of stdout
  --help                 show this help
`;

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      scenario: { type: "string", default: "good" },
      model: { type: "string", default: "fraud" },
      "baseline-version": { type: "string", default: "v1" },
      "candidate-version": { type: "string", default: "v2" },
      events: { type: "string", default: "30000" },
      "baseline-events": { type: "string" },
      "candidate-events": { type: "string" },
      only: { type: "string" },
      seed: { type: "string", default: "1" },
      minutes: { type: "string", default: "5" },
      now: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.only !== undefined && values.only !== "baseline" && values.only !== "candidate") {
    throw new RangeError(`--only must be baseline or candidate, got "${values.only}"`);
  }
  const traffic = generateTraffic({
    scenario: values.scenario as Scenario,
    model: values.model,
    baselineVersion: values["baseline-version"],
    candidateVersion: values["candidate-version"],
    baselineEvents: Number(values["baseline-events"] ?? values.events),
    candidateEvents: Number(values["candidate-events"] ?? values.events),
    seed: Number(values.seed),
    now: values.now === undefined ? Date.now() : Number(values.now),
    minutes: Number(values.minutes),
    only: values.only as TrafficOptions["only"],
  });
  const out: Writable = values.out ? createWriteStream(values.out) : process.stdout;
  // batches of lines keep the write calls few without holding the whole file in memory
  let chunk = "";
  for (const event of traffic) {
    chunk += `${JSON.stringify(event)}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
      chunk = "";
    }
  }
  // stdout is never ended (Node owns it); a file is, so that its last bytes are flushed
  await new Promise<void>((resolve, reject) => {
    if (out === process.stdout) out.write(chunk, (e) => (e ? reject(e) : resolve()));
    else out.end(chunk, () => resolve());
  });
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: Error) => {
      process.stderr.write(`generate-events: ${e.message}\n\n${HELP}`);
      process.exitCode = 2;
    },
  );
}
