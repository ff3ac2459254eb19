import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { request, type ServerProcess, spawnServer } from "../helpers/server-process.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A KServe event as pkg/logger/worker.go sends it, timed now. */
function kserve(kind: "request" | "response", id: string, body: unknown) {
  return {
    method: "POST",
    body: JSON.stringify(body),
    headers: {
      "content-type": "application/json",
      "ce-specversion": "1.0",
      "ce-id": id,
      "ce-type": `org.kubeflow.serving.inference.${kind}`,
      "ce-time": new Date().toISOString(),
      "ce-inferenceservicename": "fraud",
      "ce-endpoint": "",
      "ce-metadata": '{"X-Model-Version":["v1"]}',
    },
  };
}

async function state(srv: ServerProcess) {
  const models = (await request(`${srv.url}/v1/models`)).json;
  const versions = (await request(`${srv.url}/v1/models/fraud/versions`)).json;
  const v = versions.versions[0];
  return { cloudEvents: models.cloudEvents, events: v.events, errors: v.errors };
}

describe("CloudEvent halves across kill -9 (real server process)", () => {
  it("a waiting response still pairs after a restart; an unanswered request is counted once", {
    timeout: 120_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "modelgate-ce-restart-"));
    dirs.push(dataDir);
    const env = { MODELGATE_CLOUDEVENT_TTL_SECONDS: "1", MODELGATE_CLOUDEVENT_RESPONSE_WAIT_SECONDS: "600" };
    const start = () => spawnServer({ dataDir, env });
    const ce = (srv: ServerProcess, e: ReturnType<typeof kserve>) => request(`${srv.url}/v1/cloudevents`, e);
    let srv = await start();
    expect((await ce(srv, kserve("request", "ok", { instances: [[1]] }))).status).toBe(202);
    expect((await ce(srv, kserve("response", "ok", { predictions: [0.4] }))).json.cloudevent.paired).toBe(
      true,
    );
    // an answer that came before its request, which will come after the restart
    expect((await ce(srv, kserve("response", "late", { predictions: [0.9] }))).json.cloudevent.pending).toBe(
      true,
    );
    // a request that failed: KServe logs no response for it
    expect((await ce(srv, kserve("request", "failed", { instances: [[1], [2]] }))).status).toBe(202);
    for (let i = 0; (await state(srv)).cloudEvents.unansweredRequests === 0; i++) {
      if (i > 400) throw new Error("the unanswered request was never counted");
      await new Promise((r) => setTimeout(r, 50));
    }
    const expected = {
      cloudEvents: { pendingRequests: 0, pendingResponses: 1, unansweredRequests: 1, unpairedRequests: 0 },
      events: 3, // 1 prediction + 2 errors
      errors: 2,
    };
    expect(await state(srv)).toEqual(expected);

    srv.child.kill("SIGKILL");
    await srv.exited;
    srv = await start();
    // rebuilt from the snapshot and the log: the errors are there once, the answer still waits
    expect(await state(srv)).toEqual(expected);
    const paired = await ce(srv, kserve("request", "late", { instances: [[3]] }));
    expect([paired.status, paired.json.accepted, paired.json.cloudevent.paired]).toEqual([202, 1, true]);

    srv.child.kill("SIGKILL");
    await srv.exited;
    srv = await start();
    expect(await state(srv)).toEqual({
      cloudEvents: { pendingRequests: 0, pendingResponses: 0, unansweredRequests: 1, unpairedRequests: 0 },
      events: 4,
      errors: 2,
    });
    await srv[Symbol.asyncDispose]();
  });
});
