import { type FaultReporter, faultReporter } from "../api/faults.js";
import type { Config } from "../config.js";
import { BatchResult, type LineError } from "../ingest/batch-result.js";
import {
  answeredEvents,
  type RequestHalf,
  type ResponseHalf,
  unansweredEvents,
} from "../ingest/cloudevent-events.js";
import {
  type FieldError,
  type Outcome,
  type Parsed,
  type PredictionEvent,
  parseEvent,
  parseOutcome,
} from "../ingest/event.js";
import { type FieldPolicy, IGNORE_UNKNOWN_FIELDS, REJECT_UNKNOWN_FIELDS } from "../ingest/fields.js";
import { type Logger, silentLogger } from "../log.js";
import { dictionary } from "../safe-keys.js";
import type { PairingIndexJSON, PairingOptions } from "../shadow/pairing-index.js";
import {
  CohortSummary,
  type CohortSummaryJSON,
  DEFAULT_LAYOUT,
  type SummaryLayout,
} from "../sketch/cohort-summary.js";
import {
  bucketKey,
  CohortState,
  type ModelCounts,
  type StateOptions,
  type VersionCounts,
} from "./cohort-state.js";
import type { JoinEntry } from "./join-index.js";
import { Journal } from "./journal.js";
import { isLimitError, KeyRegistry, type KeyRegistryJSON, type StoreLimits } from "./key-registry.js";
import {
  PendingCloudEvents,
  type PendingRequest,
  type PendingResponse,
  pendingKey,
} from "./pending-requests.js";
import { readSnapshot } from "./snapshot-file.js";
import { SnapshotJob, type SnapshotParts } from "./snapshot-job.js";
import { type SnapshotHeader, SnapshotWriter } from "./snapshot-writer.js";

/** the largest time a Date holds, ms from the epoch either way */
const MAX_DATE_MS = 8.64e15;

export interface EmbeddedStoreOptions {
  dataDir: string;
  bucketSeconds: number;
  retentionSeconds: number;
  decisionThreshold: number;
  outOfRangeScores: "invalid" | "reject";
  limits: StoreLimits;
  joinTtlSeconds: number;
  joinMaxEntries: number;
  /** shadow pairing settings (src/shadow/pairing-index.ts); false = off */
  pairing?: Partial<PairingOptions> | false;
  /** how long a request CloudEvent waits for its response before it counts as an error */
  cloudEventTtlSeconds: number;
  /** how long a response CloudEvent that came first waits for its request */
  cloudEventResponseWaitSeconds?: number;
  snapshotSeconds: number;
  /** snapshot as soon as this many records were logged since the last one (bounds replay time) */
  snapshotEveryRecords?: number;
  layout?: SummaryLayout;
  clock?: () => number;
  logger?: Logger;
  /** where an exception in the snapshot timer is reported (default: logged) */
  reportFault?: FaultReporter;
}

export function storeOptionsFromConfig(config: Config): EmbeddedStoreOptions {
  return {
    dataDir: config.dataDir,
    bucketSeconds: config.bucketSeconds,
    retentionSeconds: config.retentionSeconds,
    decisionThreshold: config.decisionThreshold,
    outOfRangeScores: config.outOfRangeScores,
    limits: {
      maxModels: config.maxModels,
      maxVersionsPerModel: config.maxVersionsPerModel,
      maxGroupAttributes: config.maxGroupAttributes,
      maxGroupValues: config.maxGroupValues,
      maxFeatures: config.maxFeatures,
      maxCategories: config.maxCategories,
    },
    joinTtlSeconds: config.joinTtlSeconds,
    joinMaxEntries: config.joinMaxEntries,
    pairing:
      config.pairingMaxPending === 0
        ? false
        : { ttlMs: config.pairingTtlSeconds * 1000, maxPending: config.pairingMaxPending },
    cloudEventTtlSeconds: config.cloudEventTtlSeconds,
    cloudEventResponseWaitSeconds: config.cloudEventResponseWaitSeconds,
    snapshotSeconds: config.snapshotSeconds,
  };
}

/** One input record: a raw NDJSON line (text) or an already parsed array element (value). */
export interface InputRecord {
  line: number;
  text?: string;
  value?: unknown;
  /** the line exceeded the size limit */
  tooLong?: number;
}

export interface VersionInfo extends VersionCounts {
  version: string;
  buckets: number;
}

export interface ModelInfo extends ModelCounts {
  model: string;
  versions: number;
  events: number;
  firstTs: number | null;
  lastTs: number | null;
}

interface StateJSON {
  format: 1;
  lastSeq: number;
  models: Record<string, { counts: ModelCounts; versions: Record<string, VersionCounts> }>;
  registry: KeyRegistryJSON;
  /** CloudEvent requests waiting for their response */
  pending: Array<[string, PendingRequest]>;
  unpaired: number;
  /** absent in snapshots written before responses could wait for their request */
  responses?: Array<[string, PendingResponse]>;
  answeringModels?: string[];
  unanswered?: number;
  evicted: number;
  /** shadow pairing state (absent in snapshots written before it existed) */
  pairing?: PairingIndexJSON;
}

/**
 * The embedded store: ingestion writes each accepted batch to the SQLite log (durable before
 * the 202), then applies it to in-memory bucketed summaries; snapshots — captured here, written
 * off the event loop by the snapshot writer — save the summaries and let the log be truncated;
 * opening loads the snapshot and `replay()` applies the log written after it.
 */
export class EmbeddedStore {
  readonly state: CohortState;
  readonly pending: PendingCloudEvents;
  private readonly journal: Journal;
  private readonly writer: SnapshotWriter;
  /** the snapshot being written in the background, if any */
  private inFlight: SnapshotJob | undefined;
  /** the next snapshot rewrites every bucket and join entry (after a failed one, or a migration) */
  private fullRewrite = false;
  /** the snapshot tables of an earlier version are still in the log's file */
  private legacyTables = false;
  private readonly clock: () => number;
  private readonly logger: Logger;
  private replayedFrom = 0;
  private recordsSinceSnapshot = 0;
  private isReady = false;
  private timer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(readonly opts: EmbeddedStoreOptions) {
    this.clock = opts.clock ?? Date.now;
    this.logger = opts.logger ?? silentLogger;
    const stateOpts: StateOptions = {
      bucketMs: opts.bucketSeconds * 1000,
      retentionMs: opts.retentionSeconds * 1000,
      threshold: opts.decisionThreshold,
      layout: opts.layout ?? DEFAULT_LAYOUT,
      joinTtlMs: opts.joinTtlSeconds * 1000,
      joinMaxEntries: opts.joinMaxEntries,
      pairing: opts.pairing,
      limits: opts.limits,
    };
    this.state = new CohortState(stateOpts);
    this.pending = new PendingCloudEvents(
      opts.cloudEventTtlSeconds * 1000,
      (opts.cloudEventResponseWaitSeconds ?? 5) * 1000,
      50_000,
    );
    this.journal = new Journal(opts.dataDir);
    this.writer = new SnapshotWriter(opts.dataDir, this.journal.file);
  }

  /** Open the data directory and load the last snapshot; call replay() before serving writes. */
  static open(opts: EmbeddedStoreOptions): EmbeddedStore {
    const store = new EmbeddedStore(opts);
    store.loadSnapshot();
    return store;
  }

  /** the store's clock (arrival time of records) */
  now(): number {
    return this.clock();
  }

  get ready(): boolean {
    return this.isReady;
  }

  private loadSnapshot(): void {
    let stored = readSnapshot(this.opts.dataDir);
    const legacy = this.journal.legacySnapshot();
    this.legacyTables = legacy !== undefined;
    if (!stored && legacy) {
      // written by an earlier version inside the log's file: load it, and let the first snapshot
      // write all of it to the snapshot file (which then drops the old tables)
      stored = legacy;
      this.fullRewrite = true;
    }
    if (!stored) return;
    const j = JSON.parse(stored.state) as StateJSON;
    const st = this.state;
    st.registry = KeyRegistry.fromJSON(this.opts.limits, j.registry);
    for (const [model, m] of Object.entries(j.models)) {
      Object.assign(st.model(model).counts, m.counts);
      for (const [version, counts] of Object.entries(m.versions))
        Object.assign(st.version(model, version).counts, counts);
    }
    for (const { k, body } of stored.buckets) {
      const [model, version, start] = CohortState.splitBucketKey(k);
      st.version(model, version).buckets.set(
        start,
        CohortSummary.fromJSON(JSON.parse(body) as CohortSummaryJSON),
      );
    }
    // through add(), so the loaded entries (oldest first) take their place in the arrival order
    for (const { k, body } of stored.joins) st.joins.add(k, JSON.parse(body) as JoinEntry);
    st.joins.evicted = j.evicted;
    if (j.pairing && st.pairing) st.pairing.load(j.pairing);
    this.pending.unpaired = j.unpaired;
    this.pending.unanswered = j.unanswered ?? 0;
    for (const [k, p] of j.pending) this.pending.requests.set(k, p);
    for (const [k, p] of j.responses ?? []) this.pending.responses.set(k, p);
    for (const m of j.answeringModels ?? []) this.pending.answeringModels.add(m);
    st.markClean();
    st.joins.resetChanges();
    this.replayedFrom = j.lastSeq;
  }

  /** Apply the log written after the snapshot, yielding to the event loop between pages. */
  async replay(): Promise<number> {
    let after = this.replayedFrom;
    let n = 0;
    for (;;) {
      // 16 rows a page: a row is up to a ~1 MiB NDJSON block, so a page holds ~16 MiB at most
      const rows = this.journal.readLog(after, 16);
      if (rows.length === 0) break;
      for (const row of rows) {
        this.applyLogged(row.kind, row.now, row.body);
        after = row.seq;
        n++;
      }
      await new Promise((r) => setImmediate(r));
    }
    this.isReady = true;
    this.logger.info("embedded store ready", { replayedBatches: n, models: this.state.models.size });
    return n;
  }

  private applyLogged(kind: string, now: number, body: string | Buffer): void {
    if (kind === "e" || kind === "o") {
      // a BLOB is an NDJSON block as received (may hold empty lines and \r\n endings)
      const texts = typeof body === "string" ? body.split("\n") : blockLines(body);
      for (const text of texts) {
        const raw = JSON.parse(text);
        if (kind === "e") {
          // the plain parser, not this.parseEvent: a setting changed since (retention, range
          // policy) must not drop what was acknowledged; pruning handles retention. Fields outside
          // the vocabulary were ignored when acknowledged (or by an older version), so are here.
          const p = parseEvent(raw, now, IGNORE_UNKNOWN_FIELDS);
          if (p.ok) this.state.applyEvent(p.value, now);
        } else {
          const p = parseOutcome(raw, now, IGNORE_UNKNOWN_FIELDS);
          if (p.ok) this.state.applyOutcome(p.value, now);
        }
      }
    } else if (typeof body !== "string") {
      throw new Error(`log record kind "${kind}" holds bytes, expected text`);
    } else if (kind === "q") {
      const { key, request } = JSON.parse(body) as { key: string; request: PendingRequest };
      this.pending.addRequest(key, request);
    } else if (kind === "p") {
      const { key, response } = JSON.parse(body) as { key: string; response: PendingResponse };
      this.pending.addResponse(key, response);
    } else if (kind === "c") {
      const record = JSON.parse(body) as AnsweredRecord;
      this.applyAnswered(record, now);
    } else if (kind === "x") {
      this.applyOverdue(JSON.parse(body) as OverdueRecord, now);
    } else {
      throw new Error(`unknown log record kind "${kind}"`);
    }
  }

  /** Validation shared by ingestion and replay, so that replay accepts exactly what was accepted. */
  private parseEvent(raw: unknown, now: number, fields: FieldPolicy): Parsed<PredictionEvent> {
    const p = parseEvent(raw, now, fields);
    if (!p.ok) return p;
    const e = p.value;
    const tsError = this.timeRangeError(e.ts, now);
    if (tsError) return { ok: false, error: tsError };
    if (e.score !== undefined && this.opts.outOfRangeScores === "reject" && !this.state.validScore(e.score)) {
      const l = this.state.opts.layout;
      return {
        ok: false,
        error: {
          field: "score",
          message: `must be within [${l.scoreLo}, ${l.scoreHi}] (MODELGATE_OUT_OF_RANGE_SCORES=reject)`,
        },
      };
    }
    return p;
  }

  /**
   * The time range every record's `ts` must lie in, events and outcomes alike: within the
   * retention (older data would be pruned at once) and at most an hour ahead of arrival (a
   * bucket far in the future would never be pruned).
   */
  private timeRangeError(ts: number, now: number): FieldError | undefined {
    if (ts < now - this.opts.retentionSeconds * 1000)
      return { field: "ts", message: `is older than the retention (${this.opts.retentionSeconds} s)` };
    if (ts > now + 3_600_000) return { field: "ts", message: "is more than 1 hour in the future" };
    return undefined;
  }

  /** Outcome validation at ingestion: the parser's, then the same time range as events. */
  private parseOutcome(raw: unknown, now: number, fields: FieldPolicy): Parsed<Outcome> {
    const p = parseOutcome(raw, now, fields);
    if (!p.ok) return p;
    const tsError = this.timeRangeError(p.value.ts, now);
    return tsError ? { ok: false, error: tsError } : p;
  }

  private checkReady(): void {
    if (!this.isReady) throw new StoreNotReady();
    if (this.closed) throw new StoreNotReady("the embedded store is closed");
  }

  /**
   * Validate, admit (cardinality limits), log durably, then apply a batch of events. Invalid
   * lines are rejected one by one; valid ones are stored (partial acceptance).
   */
  ingestEvents(records: InputRecord[], result: BatchResult): void {
    this.ingest("e", records, result);
  }

  ingestOutcomes(records: InputRecord[], result: BatchResult): void {
    this.ingest("o", records, result);
  }

  private ingest(kind: "e" | "o", records: InputRecord[], result: BatchResult): void {
    this.checkReady();
    const now = this.clock();
    const texts: string[] = [];
    const parsed: Array<PredictionEvent | Outcome> = [];
    for (const r of records) {
      if (r.tooLong !== undefined) {
        result.reject(tooLongError(r.line, r.tooLong));
        continue;
      }
      let raw = r.value;
      if (r.text !== undefined) {
        try {
          raw = JSON.parse(r.text);
        } catch (e) {
          result.reject({ line: r.line, field: "", message: `malformed JSON: ${(e as Error).message}` });
          continue;
        }
      }
      const x = this.accept(kind, raw, r.line, now, result);
      if (x === undefined) continue;
      texts.push(r.text ?? JSON.stringify(raw));
      parsed.push(x);
    }
    if (parsed.length === 0) return;
    this.journal.append(kind, now, texts.join("\n"));
    this.applyAccepted(kind, parsed, now, result);
  }

  /** Validate and admit one record; undefined (and the line rejected) if it is refused. */
  private accept(
    kind: "e" | "o",
    raw: unknown,
    line: number,
    now: number,
    result: BatchResult,
  ): PredictionEvent | Outcome | undefined {
    // the batch's answer is also its policy for fields outside the vocabulary (and counts ignored ones)
    const p = kind === "e" ? this.parseEvent(raw, now, result) : this.parseOutcome(raw, now, result);
    if (!p.ok) {
      result.reject({ line, ...p.error });
      return undefined;
    }
    const admitErr = this.state.registry.admit(p.value);
    if (admitErr) {
      result.reject({ line, ...admitErr, ...(isLimitError(admitErr) ? { limit: admitErr.limit } : {}) });
      return undefined;
    }
    return p.value;
  }

  private applyAccepted(
    kind: "e" | "o",
    parsed: Array<PredictionEvent | Outcome>,
    now: number,
    result: BatchResult,
  ): void {
    for (const x of parsed) {
      if (kind === "e") {
        const e = x as PredictionEvent;
        if (e.score !== undefined && !this.state.validScore(e.score)) result.invalid++;
        this.state.applyEvent(e, now, false);
      } else {
        result.outcomes[this.state.applyOutcome(x as Outcome, now)]++;
      }
    }
    result.accepted += parsed.length;
    this.afterWrite(parsed.length);
  }

  /**
   * Ingest a block of NDJSON lines (raw bytes, `firstLine` the number of its first line): each
   * line is validated as by ingestEvents/ingestOutcomes, then the accepted lines are logged in
   * one transaction, as one BLOB: the block itself when every line was accepted (the common
   * case: no copy, no re-encoding), else the accepted lines joined by newlines. Lines longer
   * than `maxLineBytes` are rejected. Returns the number of lines the block held.
   */
  ingestLines(
    kind: "events" | "outcomes",
    buf: Buffer,
    firstLine: number,
    maxLineBytes: number,
    result: BatchResult,
  ): number {
    this.checkReady();
    const k = kind === "events" ? "e" : "o";
    const now = this.clock();
    const parsed: Array<PredictionEvent | Outcome> = [];
    /** [start, end) of each accepted line, kept only once a line was refused */
    let ranges: number[] | undefined;
    let line = firstLine - 1;
    let start = 0;
    while (start < buf.length) {
      const nl = buf.indexOf(0x0a, start);
      const next = nl === -1 ? buf.length : nl + 1;
      let end = nl === -1 ? buf.length : nl;
      line++;
      if (end > start && buf[end - 1] === 0x0d) end--;
      let x: PredictionEvent | Outcome | undefined;
      if (end === start) {
        start = next;
        continue; // empty lines are ignored (and logged as they are: replay ignores them too)
      }
      if (end - start > maxLineBytes) result.reject(tooLongError(line, maxLineBytes));
      else {
        let raw: unknown;
        let ok = true;
        try {
          raw = JSON.parse(buf.toString("utf8", start, end));
        } catch (e) {
          ok = false;
          result.reject({ line, field: "", message: `malformed JSON: ${(e as Error).message}` });
        }
        if (ok) x = this.accept(k, raw, line, now, result);
      }
      if (x !== undefined) {
        parsed.push(x);
        ranges?.push(start, end);
      } else if (ranges === undefined) {
        // first refused line: the lines accepted so far are exactly those before it
        ranges = [];
        let s = 0;
        while (s < start) {
          const n = buf.indexOf(0x0a, s);
          let e = n === -1 || n >= start ? start : n;
          const after = n === -1 || n >= start ? start : n + 1;
          if (e > s && buf[e - 1] === 0x0d) e--;
          if (e > s) ranges.push(s, e);
          s = after;
        }
      }
      start = next;
    }
    if (parsed.length > 0) {
      let body = buf;
      if (ranges !== undefined) {
        const pieces: Buffer[] = [];
        const NL = Buffer.from("\n");
        for (let i = 0; i < ranges.length; i += 2) {
          if (i > 0) pieces.push(NL);
          pieces.push(buf.subarray(ranges[i], ranges[i + 1]));
        }
        body = Buffer.concat(pieces);
      }
      this.journal.append(k, now, body);
      this.applyAccepted(k, parsed, now, result);
    }
    return line - firstLine + 1;
  }

  /**
   * Whether a CloudEvent's model, version (when it has one) and time would be accepted as an
   * event's: the same validation /v1/events applies (names, reserved names, the time range),
   * run on the attributes alone so that a request half is refused before it waits. Returns the
   * event field that was refused (`model`, `version` or `ts`).
   */
  checkCloudEventAttributes(a: { model: string; version?: string; ts: number }): FieldError | undefined {
    // a request may not know its version yet (its response's body may name it): a placeholder
    // name stands in, and the version is checked when the response brings it
    // the time as text, as a client would send it, so a far past or future one gets the range
    // message rather than a format one
    const ts = Math.abs(a.ts) <= MAX_DATE_MS ? new Date(a.ts).toISOString() : a.ts;
    const probe = { model: a.model, version: a.version ?? "unversioned", ts, error: false };
    const p = this.parseEvent(probe, this.clock(), REJECT_UNKNOWN_FIELDS);
    return p.ok ? undefined : p.error;
  }

  /**
   * A request CloudEvent: paired at once with its response if that came first, else kept (its
   * features and groups) until its response arrives or its TTL ends.
   */
  cloudEventRequest(half: RequestHalf, result: BatchResult): "pending" | "paired" {
    this.checkReady();
    const now = this.clock();
    this.expireCloudEvents(now);
    const key = pendingKey(half);
    const response = this.pending.responses.get(key);
    if (response) {
      this.answer(key, response, half, now, result);
      return "paired";
    }
    const request: PendingRequest = { ...half, expires: now + this.pending.requestTtlMs };
    this.journal.append("q", now, JSON.stringify({ key, request }));
    this.pending.addRequest(key, request);
    this.afterWrite(1);
    return "pending";
  }

  /**
   * A response CloudEvent: its events are built with the waiting request (features, groups,
   * latency) and stored; without a request yet, it waits for it (response wait). "no_version"
   * when neither half names a version (nothing is stored).
   */
  cloudEventResponse(half: ResponseHalf, result: BatchResult): "pending" | "paired" | "no_version" {
    this.checkReady();
    const now = this.clock();
    this.expireCloudEvents(now);
    const key = pendingKey(half);
    const request = this.pending.requests.get(key);
    if (request) {
      if (request.version === undefined && half.version === undefined) return "no_version";
      this.answer(key, half, request, now, result);
      return "paired";
    }
    if (half.version === undefined) return "no_version";
    // room for this one: the oldest waiting responses are counted rather than dropped
    if (this.pending.responses.size >= this.pending.maxEntries) this.expireCloudEvents(now, 1);
    const response: PendingResponse = {
      ...half,
      version: half.version,
      expires: now + this.pending.responseWaitMs,
    };
    this.journal.append("p", now, JSON.stringify({ key, response }));
    this.pending.addResponse(key, response);
    this.afterWrite(1);
    return "pending";
  }

  /** Store the events of a pair: validated, admitted, logged with the removal of the waiting half. */
  private answer(
    key: string,
    response: ResponseHalf,
    request: RequestHalf | undefined,
    now: number,
    result: BatchResult,
  ): void {
    const events = this.admitBuilt(answeredEvents(response, request), now, result);
    const waited = this.pending.requests.has(key);
    const record: AnsweredRecord = {
      drop: waited ? key : null,
      ...(this.pending.responses.has(key) && !waited ? { dropResponse: key } : {}),
      answered: response.model,
      events,
    };
    this.journal.append("c", now, JSON.stringify(record));
    this.applyAnswered(record, now, result);
    this.afterWrite(events.length);
  }

  /**
   * Settle what waited too long (see PendingCloudEvents): unanswered requests become errors of
   * their version, lone responses count without their request. Logged as one record, so replay
   * repeats exactly this. `room` makes space for that many more waiting responses.
   */
  expireCloudEvents(now = this.clock(), room = 0): void {
    if (!this.isReady || this.closed) return;
    const overdue = this.pending.overdue(now, room);
    if (overdue.requests.length === 0 && overdue.responses.length === 0) return;
    const unused = new BatchResult();
    const record: OverdueRecord = {
      requests: [],
      responses: [],
      errors: [],
      answered: [],
      unanswered: 0,
      unpaired: 0,
    };
    for (const [key, r] of overdue.requests) {
      record.requests.push(key);
      if (r.version !== undefined && this.pending.answeringModels.has(r.model)) {
        record.errors.push(...this.admitBuilt(unansweredEvents({ ...r, version: r.version }), now, unused));
        record.unanswered++;
      } else record.unpaired++;
    }
    for (const [key, r] of overdue.responses) {
      record.responses.push(key);
      record.answered.push(...this.admitBuilt(answeredEvents(r, undefined), now, unused));
    }
    this.journal.append("x", now, JSON.stringify(record));
    this.applyOverdue(record, now);
    // counted towards the next snapshot, never triggering one: a snapshot itself expires first
    this.recordsSinceSnapshot += record.errors.length + record.answered.length;
  }

  /**
   * Built events through the validation and admission every ingested event gets; the refused
   * ones are named in `result` (line = position in the CloudEvent's predictions, from 1).
   */
  private admitBuilt(built: PredictionEvent[], now: number, result: BatchResult): PredictionEvent[] {
    const out: PredictionEvent[] = [];
    built.forEach((e, i) => {
      // `invalid` is the CloudEvents reader's own mark, not an event field clients may send
      const { invalid, ...fields } = e;
      // built from fixed CloudEvent fields: an unknown one would be the reader's bug, not the client's
      const p = this.parseEvent(fields, now, REJECT_UNKNOWN_FIELDS);
      if (!p.ok) {
        result.reject({ line: i + 1, ...p.error });
        return;
      }
      const admitErr = this.state.registry.admit(p.value);
      if (admitErr) {
        result.reject({
          line: i + 1,
          ...admitErr,
          ...(isLimitError(admitErr) ? { limit: admitErr.limit } : {}),
        });
        return;
      }
      out.push(invalid ? { ...p.value, invalid } : p.value);
    });
    return out;
  }

  private applyAnswered(record: AnsweredRecord, now: number, result?: BatchResult): void {
    if (record.drop !== null) this.pending.requests.delete(record.drop);
    if (record.dropResponse !== undefined) this.pending.responses.delete(record.dropResponse);
    const model = record.answered ?? record.events[0]?.model;
    if (model !== undefined) this.pending.answeringModels.add(model);
    for (const e of record.events) {
      if (result && (e.invalid || (e.score !== undefined && !this.state.validScore(e.score))))
        result.invalid++;
      this.state.applyEvent(e, now);
    }
    if (result) result.accepted += record.events.length;
  }

  private applyOverdue(record: OverdueRecord, now: number): void {
    for (const key of record.requests) this.pending.requests.delete(key);
    for (const key of record.responses) {
      const r = this.pending.responses.get(key);
      if (r) this.pending.answeringModels.add(r.model);
      this.pending.responses.delete(key);
    }
    this.pending.unanswered += record.unanswered;
    this.pending.unpaired += record.unpaired;
    for (const e of record.errors) this.state.applyEvent(e, now);
    for (const e of record.answered) this.state.applyEvent(e, now);
  }

  private afterWrite(records: number): void {
    this.recordsSinceSnapshot += records;
    if (this.recordsSinceSnapshot >= (this.opts.snapshotEveryRecords ?? 2_000_000) && !this.inFlight)
      this.startBackgroundSnapshot();
  }

  /**
   * Snapshot now and wait until it is durable: finishes a background snapshot in flight first.
   * Blocks the event loop for the whole write — for shutdown, erasure and tests; the timer uses
   * `snapshotInBackground`.
   */
  snapshot(): void {
    if (!this.isReady || this.closed) return;
    this.inFlight?.finishNow();
    const job = this.prepareSnapshot();
    job.finishNow();
  }

  /**
   * Snapshot without holding the event loop: the state is captured at once (so it matches the
   * log's last seq), the join entries are serialised a slice per tick, and the SQLite work runs
   * on the writer's thread. Resolves when the snapshot is durable; at most one runs at a time
   * (a call while one is in flight returns that one).
   */
  snapshotInBackground(): Promise<void> {
    if (this.inFlight) return this.inFlight.done;
    if (!this.isReady || this.closed) return Promise.resolve();
    return this.startBackgroundSnapshot();
  }

  private startBackgroundSnapshot(): Promise<void> {
    const job = this.prepareSnapshot();
    this.inFlight = job;
    const finished = () => {
      if (this.inFlight === job) this.inFlight = undefined;
    };
    job.done.then(finished, finished);
    job.runInSlices();
    return job.done;
  }

  /**
   * Capture what the next snapshot writes, synchronously (so it is exactly the state after the
   * log's last seq): prune, the changed buckets as JSON, the state JSON, and references to the
   * join entries added since the last snapshot (immutable once added, so serialising them later
   * is still the captured state). Change tracking restarts here; if the write fails, the next
   * snapshot rewrites everything.
   */
  private prepareSnapshot(): SnapshotJob {
    const startedAt = this.clock();
    const t0 = performance.now();
    const st = this.state;
    this.expireCloudEvents(startedAt);
    st.prune(startedAt);
    const fullRewrite = this.fullRewrite;
    if (fullRewrite) {
      st.markAllDirty();
      st.joins.rewriteAll();
    }
    const upsertBuckets: SnapshotHeader["upsertBuckets"] = [];
    for (const key of st.dirty) {
      const [model, version, start] = CohortState.splitBucketKey(key);
      const s = st.models.get(model)?.versions.get(version)?.buckets.get(start);
      if (s) upsertBuckets.push([bucketKey(model, version, start), JSON.stringify(s.toJSON())]);
    }
    const joins = st.joins.captureChanges();
    const models: StateJSON["models"] = dictionary();
    for (const [model, m] of st.models) {
      models[model] = {
        counts: m.counts,
        versions: Object.fromEntries([...m.versions].map(([v, vs]) => [v, vs.counts])),
      };
    }
    const lastSeq = this.journal.lastSeq();
    const pairing = st.pairing?.capture();
    const state: StateJSON = {
      format: 1,
      lastSeq,
      models,
      registry: st.registry.toJSON(),
      pending: [...this.pending.requests],
      unpaired: this.pending.unpaired,
      responses: [...this.pending.responses],
      answeringModels: [...this.pending.answeringModels],
      unanswered: this.pending.unanswered,
      evicted: st.joins.evicted,
      ...(pairing ? { pairing: pairing.json } : {}),
    };
    const header: SnapshotHeader = {
      lastSeq,
      state: JSON.stringify(state),
      upsertBuckets,
      deleteBuckets: [...st.deleted],
      deleteJoins: joins.taken,
      deleteJoinsBefore: joins.deleteBefore,
      fullRewrite,
      dropLegacy: this.legacyTables,
    };
    st.markClean();
    this.fullRewrite = false;
    this.recordsSinceSnapshot = 0;
    const parts: SnapshotParts = {
      joins,
      index: st.joins,
      pending: pairing?.pending ?? [],
      awaiting: pairing?.awaiting ?? [],
    };
    return new SnapshotJob(this.writer, header, parts, {
      capturedMs: performance.now() - t0,
      onDone: (stats) => {
        st.joins.endCapture();
        this.legacyTables &&= !header.dropLegacy;
        this.logger.debug("store snapshot written", {
          startedAt,
          finishedAt: this.clock(),
          lastSeq,
          buckets: upsertBuckets.length,
          ...stats,
        });
      },
      onFailed: (e) => {
        st.joins.endCapture();
        // what this snapshot drained from the change tracking is written by the next one
        this.fullRewrite = true;
        this.logger.error("store snapshot failed; the next one rewrites everything", { error: String(e) });
      },
    });
  }

  /** Snapshot every `snapshotSeconds` in the background (timer unref'd: it never keeps the process alive). */
  startSnapshots(): void {
    const report = this.opts.reportFault ?? faultReporter(this.logger);
    this.timer ??= setInterval(() => {
      try {
        this.snapshotInBackground().catch(() => {
          // logged by the job (onFailed)
        });
      } catch (e) {
        report("snapshot_timer", e);
      }
    }, this.opts.snapshotSeconds * 1000);
    this.timer.unref();
    // pending CloudEvents are settled within a second of their deadline, traffic or not
    this.expiryTimer ??= setInterval(() => {
      try {
        this.expireCloudEvents();
      } catch (e) {
        this.logger.error("settling pending CloudEvents failed", { error: String(e) });
      }
    }, 1000);
    this.expiryTimer.unref();
  }

  /**
   * Compact both database files (VACUUM, WAL truncated) so that deleted pages do not linger on
   * disk; for erasure. Blocks until done.
   */
  compactFiles(): void {
    this.writer.compactSync();
  }

  /** Final snapshot, then close the files. Acknowledged data is already durable without it. */
  close(): void {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    if (this.expiryTimer) clearInterval(this.expiryTimer);
    this.snapshot();
    this.closed = true;
    this.writer.closeSync();
    this.journal.close();
  }

  // ---- reading ----

  /** Summary of a version over [from, to) merged from its buckets; undefined if never seen. */
  cohort(model: string, version: string, from: number | undefined, to: number): CohortSummary | undefined {
    return this.state.window(model, version, from, to);
  }

  firstSeen(model: string, version: string): number | undefined {
    return this.state.models.get(model)?.versions.get(version)?.counts.firstTs ?? undefined;
  }

  /** Every (model, version) held, e.g. to export their summaries as metrics. */
  listCohorts(): Array<{ model: string; version: string }> {
    const out: Array<{ model: string; version: string }> = [];
    for (const [model, m] of this.state.models)
      for (const version of m.versions.keys()) out.push({ model, version });
    return out;
  }

  models(): ModelInfo[] {
    return [...this.state.models].map(([model, m]) => {
      let events = 0;
      let firstTs: number | null = null;
      let lastTs: number | null = null;
      for (const v of m.versions.values()) {
        events += v.counts.events;
        if (v.counts.firstTs !== null && (firstTs === null || v.counts.firstTs < firstTs))
          firstTs = v.counts.firstTs;
        if (v.counts.lastTs !== null && (lastTs === null || v.counts.lastTs > lastTs))
          lastTs = v.counts.lastTs;
      }
      return { model, versions: m.versions.size, events, firstTs, lastTs, ...m.counts };
    });
  }

  versions(model: string): VersionInfo[] | undefined {
    const m = this.state.models.get(model);
    if (!m) return undefined;
    return [...m.versions].map(([version, v]) => ({ version, buckets: v.buckets.size, ...v.counts }));
  }

  /** Records waiting in the log (replayed at the next start unless a snapshot comes first). */
  logBacklog(): number {
    return this.journal.logRows();
  }
}

function tooLongError(line: number, limit: number): LineError {
  return { line, field: "", message: `line exceeds the limit of ${limit} bytes (MODELGATE_MAX_LINE_BYTES)` };
}

/** Non-empty lines of a logged NDJSON block, without their \r. */
function blockLines(buf: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start);
    let end = nl === -1 ? buf.length : nl;
    if (end > start && buf[end - 1] === 0x0d) end--;
    if (end > start) out.push(buf.toString("utf8", start, end));
    start = nl === -1 ? buf.length : nl + 1;
  }
  return out;
}

/** Log record "c": a response paired with its request (or counted alone), and its events. */
interface AnsweredRecord {
  /** the request it answered, removed from the waiting requests */
  drop: string | null;
  /** the waiting response, when the request came second */
  dropResponse?: string;
  /** the model that answered (absent in records written before it was logged) */
  answered?: string;
  events: PredictionEvent[];
}

/** Log record "x": what waited too long, settled at once. */
interface OverdueRecord {
  requests: string[];
  responses: string[];
  /** errors of unanswered requests */
  errors: PredictionEvent[];
  /** events of responses whose request never came */
  answered: PredictionEvent[];
  unanswered: number;
  unpaired: number;
}

export class StoreNotReady extends Error {
  constructor(message = "the embedded store is still replaying its log") {
    super(message);
    this.name = "StoreNotReady";
  }
}
