import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * KServe's agent payload logger re-enacted, from kserve/kserve at
 * aaac4e294dae2c7b1aa1886447793f3aa1c30912 (pkg/logger/handler.go, worker.go, dispatcher.go):
 * - per inference (handler.go ServeHTTP): read the body; copy the request headers whose name,
 *   in Go's canonical form, is listed verbatim in `metadataHeaders` (`slices.Contains`); take
 *   `Ce-Id` or a new UUID; queue the request event (time = arrival); proxy to the model; queue
 *   the response event (time = answer) only when the model answered HTTP 200;
 * - 5 workers send the queue; the dispatcher hands each event to the next free worker (a
 *   goroutine per event waiting on the workers' channel, served in FIFO order), so events leave
 *   in order and overtake each other only in flight: a response may reach the logger URL
 *   before its request;
 * - binary-mode CloudEvents with the attributes worker.go sets: id, type, time, recordedtime,
 *   inferenceservicename, namespace, component, endpoint (the pod's `endpoint` label, which no
 *   v1beta1 controller sets: empty), metadata, annotations (when any), source.
 */
export interface KServeAgentOptions {
  /** the model container, e.g. http://127.0.0.1:8081 */
  modelUrl: string;
  /** logger.url of the InferenceService */
  loggerUrl: string;
  inferenceService: string;
  namespace?: string;
  /** logger.metadataHeaders, as written in the InferenceService */
  metadataHeaders?: string[];
  /** the pod annotations named in logger.metadataAnnotations, as the webhook read them */
  annotations?: Record<string, string>;
  workers?: number;
}

export interface KServeAgent {
  url: string;
  /** resolves once every queued event was sent */
  drain(): Promise<void>;
  /** answers modelgate gave, by status */
  statuses: Map<number, number>;
  close(): Promise<void>;
}

/** Go's textproto.CanonicalMIMEHeaderKey: "x-model-version" → "X-Model-Version". */
export function canonicalHeaderKey(name: string): string {
  return name
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join("-");
}

interface LogRequest {
  id: string;
  type: string;
  time: Date;
  body: Buffer;
  contentType: string;
  metadata: Record<string, string[]>;
}

const readAll = async (req: IncomingMessage) => {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts);
};

export async function startKServeAgent(opts: KServeAgentOptions): Promise<KServeAgent> {
  const queue: LogRequest[] = [];
  const statuses = new Map<number, number>();
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  let idle: Array<() => void> = [];
  let closed = false;

  const send = async (e: LogRequest) => {
    const headers: Record<string, string> = {
      "ce-specversion": "1.0",
      "ce-id": e.id,
      "ce-source": "http://localhost:9081/",
      "ce-type": e.type,
      "ce-time": e.time.toISOString(),
      "ce-recordedtime": new Date().toISOString(),
      "ce-inferenceservicename": opts.inferenceService,
      "ce-namespace": opts.namespace ?? "models",
      "ce-component": "predictor",
      "ce-endpoint": "",
      "ce-metadata": JSON.stringify(e.metadata),
      "content-type": e.contentType,
    };
    if (opts.annotations && Object.keys(opts.annotations).length > 0) {
      headers["ce-annotations"] = JSON.stringify(opts.annotations);
    }
    const r = await fetch(opts.loggerUrl, { method: "POST", headers, body: e.body });
    await r.arrayBuffer();
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
  };

  const worker = async () => {
    while (!closed) {
      if (queue.length === 0) {
        if (inFlight === 0) for (const resolve of idle.splice(0)) resolve();
        await new Promise<void>((resolve) => waiting.push(resolve));
        continue;
      }
      const e = queue.shift();
      inFlight++;
      try {
        await send(e!);
      } finally {
        inFlight--;
      }
    }
  };
  const enqueue = (e: LogRequest) => {
    queue.push(e);
    waiting.shift()?.();
  };

  const server: Server = createServer(async (req, res) => {
    const arrived = new Date();
    const body = await readAll(req);
    const metadata: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      const canonical = canonicalHeaderKey(name);
      if (value !== undefined && opts.metadataHeaders?.includes(canonical)) {
        metadata[canonical] = Array.isArray(value) ? value : [value];
      }
    }
    const id = (req.headers["ce-id"] as string | undefined) || randomUUID();
    const contentType = req.headers["content-type"] ?? "";
    enqueue({
      id,
      type: "org.kubeflow.serving.inference.request",
      time: arrived,
      body,
      contentType,
      metadata,
    });
    const answer = await fetch(`${opts.modelUrl}${req.url}`, {
      method: req.method,
      headers: { "content-type": contentType },
      body,
    });
    const responseBody = Buffer.from(await answer.arrayBuffer());
    const answered = new Date();
    res.writeHead(answer.status, {
      "content-type": answer.headers.get("content-type") ?? "application/json",
    });
    res.end(responseBody);
    if (answer.status === 200) {
      enqueue({
        id,
        type: "org.kubeflow.serving.inference.response",
        time: answered,
        body: responseBody,
        contentType,
        metadata,
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const workers = Array.from({ length: opts.workers ?? 5 }, worker);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    statuses,
    drain: () =>
      queue.length === 0 && inFlight === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            idle.push(resolve);
          }),
    async close() {
      closed = true;
      for (const resolve of waiting.splice(0)) resolve();
      idle = [];
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled(workers);
    },
  };
}
