import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Config } from "../../src/config.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import type { RunningServer } from "../../src/server.js";
import { startInProcess } from "../helpers/in-process-server.js";
import { type Receiver, startReceiver, until } from "./receiver.js";

/** Scores with most of the mass low (like the training profile) or high (drifted from it). */
function scores(n: number, high: boolean): number[] {
  return Array.from({ length: n }, (_, i) => {
    const u = (i + 0.5) / n;
    return high ? 0.5 + u * 0.5 : u * 0.5;
  });
}

const metric = async (server: RunningServer, name: string, labels: string) => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(" ").pop());
};

/**
 * The real server with a sink on 127.0.0.1: baseline and candidate agree with each other but
 * both drifted from the uploaded training profile, so `drift.reference=profile` fails every look.
 */
describe("verdict events from the running server", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "mg-events-"));
  let receiver: Receiver;
  afterAll(async () => {
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const settings = (): Partial<Config> => ({
    eventSinks: [receiver.url],
    eventRetryInitialMs: 5,
    eventRetryMaxMs: 20,
    eventFlushTimeoutMs: 300,
  });
  const judge = async (server: RunningServer, runKey: string) => {
    const res = await fetch(
      `${server.url}/v1/judge/drift?model=fraud&baseline=a&candidate=b&drift.reference=profile&runKey=${runKey}`,
    );
    expect(res.status).toBe(200);
    return (await res.json()) as JudgeResponse;
  };
  const delivered = (sink: string, server: RunningServer) =>
    metric(server, "modelgate_event_deliveries_total", `sink="${sink}",outcome="delivered"`);
  const runsDelivered = () =>
    receiver.delivered().map((e) => {
      const d = e.data as { trigger: string; judgement: { runKey: string } };
      return `${d.judgement.runKey} ${d.trigger}`;
    });

  it("sends a run's first fail and its drift from the reference profile once, through a failing receiver", async () => {
    receiver = await startReceiver((n) => ({ status: n === 1 ? 503 : 200 }));
    const server = await startInProcess(dataDir, settings());
    try {
      const put = await fetch(`${server.url}/v1/models/fraud/reference`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ scores: { values: scores(2000, false) } }),
      });
      expect(put.status).toBe(201);
      const now = Date.now();
      const lines = ["a", "b"].flatMap((version) =>
        scores(2000, true).map((score, i) =>
          JSON.stringify({ model: "fraud", version, score, ts: new Date(now - 60_000 + i).toISOString() }),
        ),
      );
      const ingest = await fetch(`${server.url}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: `${lines.join("\n")}\n`,
      });
      expect(ingest.status).toBe(202);
      const looks = [];
      for (let i = 0; i < 3; i++) looks.push(await judge(server, "run-1"));
      expect(looks.map((l) => l.summary.verdict)).toEqual(["fail", "fail", "fail"]);
      await until("both events delivered", async () => (await delivered(receiver.url, server)) === 2);
      expect(await metric(server, "modelgate_event_queue_depth", `sink="${receiver.url}"`)).toBe(0);
      expect(
        await metric(server, "modelgate_event_deliveries_total", `sink="${receiver.url}",outcome="retried"`),
      ).toBe(1);
      // three failing looks, one event per trigger, both from the first look
      const first = looks[0].judgement.id;
      expect(receiver.delivered().map((e) => e.id)).toEqual([`${first}.verdict`, `${first}.reference-drift`]);
      const event = receiver.delivered()[1] as { data: { gates: { drift: { reason: string } } } };
      expect(event.data.gates.drift.reason).toMatch(/scores vs reference profile: /);
    } finally {
      await server.close();
    }
  });

  it("after a restart, does not send again what it sent before (the audit log is replayed)", async () => {
    const server = await startInProcess(dataDir, settings());
    try {
      expect((await judge(server, "run-1")).summary.verdict).toBe("fail");
      // a new run's events queue behind anything run-1 would have sent, in order
      await judge(server, "run-2");
      await until("run-2's events delivered", async () => (await delivered(receiver.url, server)) === 2);
      expect(runsDelivered()).toEqual([
        "run-1 verdict",
        "run-1 reference-drift",
        "run-2 verdict",
        "run-2 reference-drift",
      ]);
    } finally {
      await server.close();
    }
  });

  it("answers the judge while the receiver holds the event, and shutdown waits only the flush timeout", async () => {
    const server = await startInProcess(dataDir, settings());
    receiver.plan = () => "hold";
    let closed = false;
    try {
      const answer = await judge(server, "run-3");
      expect(answer.summary.verdict).toBe("fail");
      await until("the receiver to hold run-3's event", () =>
        receiver.received.some((r) => r.body.includes('"run-3"')),
      );
      expect(receiver.received.filter((r) => r.body.includes('"run-3"')).map((r) => r.status)).toEqual([
        undefined,
      ]);
      expect(await metric(server, "modelgate_event_queue_depth", `sink="${receiver.url}"`)).toBe(2);
      await server.close();
      closed = true;
      await until("the held request to be abandoned", () =>
        receiver.received.filter((r) => r.body.includes('"run-3"')).every((r) => r.gone),
      );
    } finally {
      if (!closed) await server.close();
    }
  });
});
