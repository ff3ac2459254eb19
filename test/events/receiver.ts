import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  /** 1 for the first request the receiver got */
  n: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** the status it was answered with (undefined while held, or when the sender gave up first) */
  status?: number;
  /** the sender closed the connection before it was answered */
  gone: boolean;
}

/** What to answer request n: a status (and headers), or hold it until `release()`. */
export type Plan = (n: number, body: string) => { status: number; headers?: Record<string, string> } | "hold";

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** bodies of the requests answered 2xx, parsed */
  delivered(): Array<Record<string, unknown>>;
  plan: Plan;
  /** answer every held request with this status */
  release(status?: number): void;
  close(): Promise<void>;
}

/**
 * A CloudEvents receiver on 127.0.0.1: records every request and answers as `plan` says, so a
 * test can make it fail, hang and recover. Port 0 unless given (to come back on the same port).
 */
export async function startReceiver(plan: Plan = () => ({ status: 200 }), port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const held: Array<(status: number) => void> = [];
  const r: Receiver = {
    url: "",
    port: 0,
    received,
    plan,
    delivered: () =>
      received.filter((x) => x.status !== undefined && x.status < 300).map((x) => JSON.parse(x.body)),
    release(status = 200) {
      for (const answer of held.splice(0)) answer(status);
    },
    async close() {
      r.release(503);
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const entry: Received = {
        n: received.length + 1,
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        gone: false,
      };
      res.on("close", () => {
        if (!res.writableFinished) entry.gone = true;
      });
      received.push(entry);
      const answer = (status: number, headers: Record<string, string> = {}) => {
        // a request the sender gave up on (its timeout) is never answered
        if (entry.gone || res.writableEnded || res.destroyed) return;
        entry.status = status;
        res.writeHead(status, headers).end("ok");
      };
      const decision = r.plan(entry.n, entry.body);
      if (decision === "hold") held.push((status) => answer(status));
      else answer(decision.status, decision.headers);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  r.port = (server.address() as AddressInfo).port;
  r.url = `http://127.0.0.1:${r.port}/hook`;
  return r;
}

/** Poll `check` every 10 ms until it holds; fail naming `what` after `timeoutMs` (a deadline, not a measurement). */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
