import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { systemScheduler } from "../../src/events/delivery.js";
import { createVerdictEvents, type VerdictEventsOptions } from "../../src/events/verdict-events.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import { createLogger } from "../../src/log.js";
import { mulberry32 } from "../../src/stats/random.js";
import { type Receiver, startReceiver, until } from "./receiver.js";

/** A fail verdict of run `runKey` (a new run key fires a new event). */
function failed(runKey: string): JudgeResponse {
  return {
    summary: { verdict: "fail", pass: false, score: 0, reason: "errors: 16.2% vs 4.7%" },
    gates: {
      errors: {
        verdict: "fail",
        metric: "rate_difference",
        value: 0.115,
        threshold: 0.005,
        interval: [0.09, 0.14],
        n: { baseline: 6000, candidate: 3400 },
        reason: "errors: 16.2% vs 4.7%",
        metrics: {},
      },
    },
    judgement: {
      id: `j-${runKey.padStart(20, "0")}`,
      model: "fraud",
      baseline: "6b7f9",
      candidate: "84c2d",
      window: "2026-01-01T00:00:00.000Z/2026-01-01T00:10:00.000Z",
      look: 1,
      runKey,
      alpha: 0.05,
      gateAlpha: 0.05,
      source: "embedded",
      at: "2026-01-01T00:10:00.000Z",
      mode: "canary",
    },
  } as JudgeResponse;
}

const receivers: Receiver[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const r of receivers.splice(0)) await r.close();
});

async function receiver(plan?: Parameters<typeof startReceiver>[0], port?: number) {
  const r = await startReceiver(plan, port);
  receivers.push(r);
  return r;
}

function events(sinks: string[], overrides: Partial<VerdictEventsOptions> = {}) {
  const registry = new Registry();
  const logs: Array<Record<string, unknown>> = [];
  const logger = createLogger("debug", (line) => logs.push(JSON.parse(line)));
  const sink = createVerdictEvents({
    sinks,
    source: "/modelgate/test",
    queueSize: 100,
    maxAttempts: 5,
    backoff: { initialMs: 5, maxMs: 20 },
    timeoutMs: 5_000,
    flushTimeoutMs: 5_000,
    logger,
    clock: Date.now,
    scheduler: systemScheduler(),
    random: mulberry32(7),
    registry,
    ...overrides,
  });
  closers.push(() => sink.close());
  /** the delivery counter for one outcome (summed over sinks unless one is named) */
  const count = async (outcome: string, sink?: string) => {
    const metric = await registry.getSingleMetric("modelgate_event_deliveries_total")!.get();
    return metric.values
      .filter((v) => v.labels.outcome === outcome && (sink === undefined || v.labels.sink === sink))
      .reduce((a, v) => a + v.value, 0);
  };
  const depth = async () => {
    const metric = await registry.getSingleMetric("modelgate_event_queue_depth")!.get();
    return metric.values.reduce((a, v) => a + v.value, 0);
  };
  return { sink, registry, count, depth, logs };
}

describe("verdict event delivery to a local receiver", () => {
  it("fails twice, then recovers: retried, delivered once, in CloudEvents structured mode", async () => {
    const r = await receiver((n) => ({ status: n <= 2 ? 503 : 200 }));
    const { sink, count, depth } = events([r.url]);
    const result = sink.judged(failed("run-1"));
    expect(result).toBeUndefined(); // nothing to wait for: delivery happens after the caller moved on
    await until("the event to be delivered", async () => (await count("delivered")) === 1);
    expect(r.received.map((x) => x.status)).toEqual([503, 503, 200]);
    expect(new Set(r.received.map((x) => x.body)).size).toBe(1);
    const [req] = r.received;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/hook");
    expect(req.headers["content-type"]).toBe("application/cloudevents+json; charset=utf-8");
    const event = JSON.parse(req.body);
    expect(event).toMatchObject({
      specversion: "1.0",
      id: "j-000000000000000run-1.verdict",
      source: "/modelgate/test",
      type: "dev.modelgate.judgement.v1",
      subject: "models/fraud/versions/84c2d",
      time: "2026-01-01T00:10:00.000Z",
      datacontenttype: "application/json",
      data: {
        trigger: "verdict",
        summary: { verdict: "fail" },
        judgement: { runKey: "run-1", model: "fraud" },
        gates: { errors: { verdict: "fail", reason: "errors: 16.2% vs 4.7%" } },
      },
    });
    expect(Object.keys(event.data.gates.errors)).toEqual(["verdict", "reason"]);
    expect([await count("retried"), await count("failed"), await count("dropped"), await depth()]).toEqual([
      2, 0, 0, 0,
    ]);
  });

  it("a receiver that does not answer within the timeout is tried again", async () => {
    const r = await receiver((n) => (n === 1 ? "hold" : { status: 202 }));
    const { sink, count } = events([r.url], { timeoutMs: 100 });
    sink.judged(failed("run-1"));
    await until("the event to be delivered", async () => (await count("delivered")) === 1);
    expect(r.received).toHaveLength(2);
    expect(r.received[0].status).toBeUndefined(); // given up by the sender, never answered
    await until("the receiver to see the first request abandoned", () => r.received[0].gone);
    expect(await count("retried")).toBe(1);
  });

  it("retries 408 and 429, fails other 4xx at once, and goes on with the next event", async () => {
    const statuses = [408, 200, 429, 200, 400, 200];
    const r = await receiver((n) => ({ status: statuses[n - 1] ?? 500, headers: { "retry-after": "0" } }));
    const { sink, count, logs } = events([r.url]);
    for (const run of ["a", "b", "c", "d"]) sink.judged(failed(run));
    await until(
      "four events settled",
      async () => (await count("delivered")) + (await count("failed")) === 4,
    );
    const runs = r.delivered().map((e) => (e.data as { judgement: { runKey: string } }).judgement.runKey);
    expect(runs).toEqual(["a", "b", "d"]);
    expect(r.received.map((x) => x.status)).toEqual(statuses);
    expect([await count("retried"), await count("failed")]).toEqual([2, 1]);
    const failure = logs.find((l) => l.msg === "event not delivered");
    expect(failure).toMatchObject({
      level: "error",
      sink: r.url,
      event: "j-0000000000000000000c.verdict",
      reason: "HTTP 400",
      permanent: true,
      attempts: 1,
    });
  });

  it("gives up after the last attempt and counts a failure", async () => {
    const r = await receiver(() => ({ status: 503 }));
    const { sink, count } = events([r.url], { maxAttempts: 3 });
    sink.judged(failed("run-1"));
    await until("the event to be given up", async () => (await count("failed")) === 1);
    expect(r.received).toHaveLength(3);
    expect([await count("retried"), await count("delivered")]).toEqual([2, 0]);
  });

  it("a sink that is down (connection refused) gets the event once it is back on its port", async () => {
    const gone = await startReceiver();
    const { port, url } = gone;
    await gone.close();
    const { sink, count, logs } = events([url], { maxAttempts: 100 });
    sink.judged(failed("run-1"));
    await until("two refused attempts", async () => (await count("retried")) >= 2);
    expect(logs.some((l) => String(l.reason).includes("ECONNREFUSED"))).toBe(true);
    const back = await receiver(undefined, port);
    await until("the event to be delivered", async () => (await count("delivered")) === 1);
    expect(back.delivered()).toHaveLength(1);
  });

  it("with the queue full, drops the oldest waiting event and counts it", async () => {
    const r = await receiver((n) => (n === 1 ? "hold" : { status: 200 }));
    const { sink, count, depth, logs } = events([r.url], { queueSize: 2 });
    for (const run of ["1", "2", "3", "4", "5"]) sink.judged(failed(run));
    expect(await count("dropped")).toBe(2);
    expect(await depth()).toBe(3); // one in flight, two waiting
    expect(
      logs.filter((l) => l.msg === "event queue full: oldest event dropped").map((l) => l.event),
    ).toEqual(["j-00000000000000000002.verdict", "j-00000000000000000003.verdict"]);
    await until("the first event to reach the receiver", () => r.received.length === 1);
    r.release(200);
    await until("the rest to be delivered", async () => (await count("delivered")) === 3);
    const runs = r.delivered().map((e) => (e.data as { judgement: { runKey: string } }).judgement.runKey);
    expect(runs).toEqual(["1", "4", "5"]);
    expect(await depth()).toBe(0);
  });

  it("every sink gets every event, each with its own counters", async () => {
    const ok = await receiver();
    const refusing = await receiver(() => ({ status: 404 }));
    const { sink, count } = events([ok.url, refusing.url]);
    sink.judged(failed("run-1"));
    sink.judged(failed("run-2"));
    await until("both sinks settled", async () => (await count("delivered")) + (await count("failed")) === 4);
    expect(await count("delivered", ok.url)).toBe(2);
    expect(await count("failed", refusing.url)).toBe(2);
    expect(refusing.received).toHaveLength(2);
  });

  it("does not throw on a judgement it cannot read; logs it instead", () => {
    const { sink, logs } = events(["http://127.0.0.1:9/hook"]);
    expect(() => sink.judged({ summary: { verdict: "fail" } } as unknown as JudgeResponse)).not.toThrow();
    expect(logs.some((l) => l.msg === "verdict event not queued")).toBe(true);
  });
});

describe("shutdown", () => {
  it("close() keeps delivering what is queued, through a retry, and resolves once it is delivered", async () => {
    const r = await receiver((n) => ({ status: n === 1 ? 503 : 200 }));
    const { sink, count } = events([r.url]);
    sink.judged(failed("run-1"));
    sink.judged(failed("run-2"));
    await sink.close();
    expect(await count("delivered")).toBe(2);
    expect(await count("dropped")).toBe(0);
    // closed: a later judgement's event is dropped, not sent
    sink.judged(failed("run-3"));
    expect(await count("dropped")).toBe(1);
    expect(r.delivered()).toHaveLength(2);
  });

  it("close() gives up at the flush timeout: what is left is dropped and counted, the request aborted", async () => {
    const r = await receiver(() => "hold");
    const { sink, count, depth, logs } = events([r.url], { flushTimeoutMs: 200 });
    sink.judged(failed("run-1"));
    sink.judged(failed("run-2"));
    await until("the first event to reach the receiver", () => r.received.length === 1);
    await sink.close();
    expect(await count("dropped")).toBe(2);
    expect(await depth()).toBe(0);
    expect(logs.find((l) => l.msg === "undelivered events dropped at shutdown")).toMatchObject({ events: 2 });
    await until("the receiver to see the request abandoned", () => r.received[0].gone);
    r.release(200);
    expect(r.received.map((x) => x.status)).toEqual([undefined]);
  });
});
