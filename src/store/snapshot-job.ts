import type { QueuedEntry } from "../shadow/bounded-queue-map.js";
import type { AwaitingPair, PendingAnswer } from "../shadow/pairing-entries.js";
import { awaitingTuples, pendingTuples } from "../shadow/pairing-index.js";
import type { JoinChanges, JoinEntry, JoinIndex } from "./join-index.js";
import type { SnapshotHeader, SnapshotWriter } from "./snapshot-writer.js";

/** Entries serialised per message to the writer (about a millisecond of JSON each). */
const SLICE = 1000;

/** What a snapshot serialises after its capture, a slice per tick. */
export interface SnapshotParts {
  joins: JoinChanges;
  /** the join index, to resolve captured keys to the entries live at the capture */
  index: JoinIndex;
  /** the shadow pairing's waiting answers and pairs at the capture */
  pending: Array<QueuedEntry<PendingAnswer>>;
  awaiting: Array<QueuedEntry<AwaitingPair>>;
}

/**
 * One snapshot on its way to the writer (snapshot-writer.ts): the header — everything captured
 * as JSON — goes at once; the join entries and pairing answers captured by reference follow a
 * slice per tick (`runInSlices`), or all at once when the caller must finish synchronously
 * (`finishNow`, which also completes a job already sliced part way). The store prepares it
 * (EmbeddedStore.prepareSnapshot) and hears back through the hooks.
 */
export class SnapshotJob {
  readonly done: Promise<void>;
  private readonly id: number;
  /** position in the concatenation of joins, pending answers and awaiting pairs */
  private next = 0;
  private settled = false;
  private committed = false;
  private resolveDone!: () => void;
  private rejectDone!: (e: Error) => void;
  private mainThreadMs: number;
  private readonly t0 = performance.now();
  private joinsWritten = 0;

  constructor(
    private readonly writer: SnapshotWriter,
    header: SnapshotHeader,
    private readonly parts: SnapshotParts,
    private readonly hooks: {
      capturedMs: number;
      onDone(stats: { joins: number; captureMs: number; mainThreadMs: number; totalMs: number }): void;
      onFailed(e: Error): void;
    },
  ) {
    this.mainThreadMs = hooks.capturedMs;
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // a failure is reported through onFailed; callers that await `done` see it too
    this.done.catch(() => {});
    const t = performance.now();
    this.id = writer.begin(header);
    this.mainThreadMs += performance.now() - t;
  }

  /** Send the next slice (join entries, then pairing answers, then pairs); true when all were sent. */
  private sendSlice(): boolean {
    const t = performance.now();
    const { joins, index, pending, awaiting } = this.parts;
    const nJoins = joins.keys.length;
    const total = nJoins + pending.length + awaiting.length;
    if (this.next < nJoins) {
      const end = Math.min(this.next + SLICE, nJoins);
      const slice: Array<[string, JoinEntry]> = [];
      for (let i = this.next; i < end; i++) {
        const entry = index.capturedEntry(joins.keys[i], joins.expires[i]);
        if (entry !== undefined) slice.push([joins.keys[i], entry]);
      }
      if (slice.length > 0) this.writer.joins(this.id, JSON.stringify(slice));
      this.joinsWritten += slice.length;
      this.next = end;
    } else if (this.next < nJoins + pending.length) {
      const from = this.next - nJoins;
      const end = Math.min(from + SLICE, pending.length);
      this.writer.pairing(this.id, "pending", JSON.stringify(pendingTuples(pending.slice(from, end))));
      this.next = nJoins + end;
    } else if (this.next < total) {
      const from = this.next - nJoins - pending.length;
      const end = Math.min(from + SLICE, awaiting.length);
      this.writer.pairing(this.id, "awaiting", JSON.stringify(awaitingTuples(awaiting.slice(from, end))));
      this.next = nJoins + pending.length + end;
    }
    this.mainThreadMs += performance.now() - t;
    return this.next >= total;
  }

  runInSlices(): void {
    const step = () => {
      if (this.committed) return;
      if (!this.sendSlice()) {
        setImmediate(step);
        return;
      }
      this.committed = true;
      this.writer.commit(this.id).then(
        () => this.succeed(),
        (e: Error) => this.fail(e),
      );
    };
    step();
  }

  finishNow(): void {
    if (this.settled) return;
    try {
      if (!this.committed) {
        while (!this.sendSlice());
        this.committed = true;
        this.writer.commitSync(this.id);
      } else this.writer.waitSync(this.id);
    } catch (e) {
      this.fail(e as Error);
      throw e;
    }
    this.succeed();
  }

  private succeed(): void {
    if (this.settled) return;
    this.settled = true;
    this.hooks.onDone({
      joins: this.joinsWritten,
      captureMs: this.hooks.capturedMs,
      mainThreadMs: this.mainThreadMs,
      totalMs: performance.now() - this.t0,
    });
    this.resolveDone();
  }

  private fail(e: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.hooks.onFailed(e);
    this.rejectDone(e);
  }
}
