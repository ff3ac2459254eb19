/**
 * A judge request that declares its look schedule (`looks`, `spending`), as the AnalysisTemplates
 * send it, through the real server and embedded store: every gate's answer carries
 * `sequential: {look, looks, spending, observed}`, the run continues from the audit log after a
 * restart exactly as without one, and a bad schedule is a 400 naming the field.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GATE_NAMES } from "../../src/gates/registry.js";
import type { JudgeResponse } from "../../src/judge/judgement.js";
import type { RunningServer } from "../../src/server.js";
import { BASELINE, CANDIDATES, cohortStream } from "../argo/scenarios.js";
import { startInProcess } from "../helpers/in-process-server.js";

const MODEL = "fraud";
const PER_LOOK = 1000;

const dirs: string[] = [];
const servers: RunningServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(dataDir?: string): Promise<{ server: RunningServer; dataDir: string }> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), "modelgate-schedule-"));
  if (!dataDir) dirs.push(dir);
  const server = await startInProcess(dir);
  servers.push(server);
  return { server, dataDir: dir };
}

async function stop(server: RunningServer): Promise<void> {
  servers.splice(servers.indexOf(server), 1);
  await server.close();
}

/** The k-th batch of events of the baseline and an equal candidate (same batch for every caller). */
function batches(looks: number): object[][] {
  const baseline = cohortStream(MODEL, { ...BASELINE, perLook: PER_LOOK });
  const candidate = cohortStream(MODEL, { ...CANDIDATES.equal, perLook: PER_LOOK });
  const t0 = Date.now() - 600_000;
  return Array.from({ length: looks }, (_, k) => [
    ...baseline(PER_LOOK, t0 + k * 1000),
    ...candidate(PER_LOOK, t0 + k * 1000),
  ]);
}

async function ingest(server: RunningServer, events: object[]): Promise<void> {
  const res = await fetch(`${server.url}/v1/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(events),
  });
  expect(res.status).toBe(202);
}

async function judge(server: RunningServer, body: Record<string, unknown>) {
  const res = await fetch(`${server.url}/v1/judge`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as JudgeResponse & { error?: { field: string } } };
}

// the request an AnalysisTemplate sends: every value a string
const REQUEST = {
  model: MODEL,
  baseline: BASELINE.version,
  candidate: CANDIDATES.equal.version,
  looks: "10",
  spending: "pocock",
  runKey: "fraud-canary-1",
};

describe("POST /v1/judge with a declared look schedule", () => {
  it("records gates.<g>.sequential at every look, its information growing with the data", async () => {
    const { server } = await start();
    const data = batches(2);
    await ingest(server, data[0]!);
    const first = await judge(server, REQUEST);
    expect(first.status).toBe(200);
    await ingest(server, data[1]!);
    const second = await judge(server, REQUEST);
    expect(second.status).toBe(200);
    expect([first.body.judgement.look, second.body.judgement.look]).toEqual([1, 2]);
    expect(Object.keys(second.body.gates)).toEqual(GATE_NAMES);
    let contrasts = 0;
    for (const gate of GATE_NAMES) {
      const [one, two] = [first.body.gates[gate]!.sequential!, second.body.gates[gate]!.sequential!];
      expect(one, gate).toMatchObject({ look: 1, looks: 10, spending: "pocock" });
      expect(two, gate).toMatchObject({ look: 2, looks: 10, spending: "pocock" });
      // each contrast the gate bounded: its information 1/se² and the spending fraction look/looks
      for (const [key, look] of Object.entries(two.observed)) {
        contrasts++;
        expect(look.fraction, `${gate} ${key}`).toBeCloseTo(2 / 10, 12);
        const before = one.observed[key];
        expect(before, `${gate} ${key} at look 1`).toBeDefined();
        expect(before!.fraction).toBeCloseTo(1 / 10, 12);
        // twice the events: more information (a look whose information did not grow records nothing)
        expect(look.information, `${gate} ${key}`).toBeGreaterThan(before!.information);
      }
    }
    expect(contrasts).toBeGreaterThan(0);
    expect(Object.keys(second.body.gates.latency!.sequential!.observed).length).toBeGreaterThan(0);
    expect(Object.keys(second.body.gates.errors!.sequential!.observed).length).toBeGreaterThan(0);
    // without looks the judge declares nothing: anytime-valid bounds, no sequential record
    const undeclared = await judge(server, {
      ...REQUEST,
      looks: undefined,
      spending: undefined,
      runKey: "other",
    });
    expect(undeclared.status).toBe(200);
    for (const gate of GATE_NAMES) expect(undeclared.body.gates[gate]!.sequential, gate).toBeUndefined();
  });

  it("continues the run after a restart (replayed from the audit log) exactly as without one", async () => {
    const data = batches(3);
    // the same events and looks on two servers; one restarts between looks 2 and 3
    const restarted = await start();
    const steady = await start();
    const answers: { restarted: JudgeResponse[]; steady: JudgeResponse[] } = { restarted: [], steady: [] };
    for (let look = 0; look < 3; look++) {
      if (look === 2) {
        await stop(restarted.server);
        restarted.server = (await start(restarted.dataDir)).server;
      }
      for (const which of ["restarted", "steady"] as const) {
        const s = which === "restarted" ? restarted.server : steady.server;
        await ingest(s, data[look]!);
        const r = await judge(s, REQUEST);
        expect(r.status).toBe(200);
        answers[which].push(r.body);
      }
    }
    const after = answers.restarted.at(-1)!;
    const control = answers.steady.at(-1)!;
    expect(after.judgement.look).toBe(3);
    for (const gate of GATE_NAMES) expect(after.gates[gate]!.sequential!.look, gate).toBe(3);
    // same data, same earlier looks: the same bounds, verdicts and recorded information
    expect(after.gates).toEqual(control.gates);
    expect(after.summary).toEqual(control.summary);
  });

  it("answers looks beyond the declared count (the anytime-valid reserve decides them)", async () => {
    const { server } = await start();
    await ingest(server, batches(1)[0]!);
    const looks = [];
    for (let k = 0; k < 3; k++) looks.push(await judge(server, { ...REQUEST, looks: "2", runKey: "short" }));
    expect(looks.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(looks.map((r) => r.body.gates.errors!.sequential)).toMatchObject([
      { look: 1, looks: 2 },
      { look: 2, looks: 2 },
      { look: 3, looks: 2 },
    ]);
  });

  it("refuses a schedule the judge cannot run: 400 naming looks or spending, in a body or a query", async () => {
    const { server } = await start();
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ looks: "0" }, "looks", 'looks: must be an integer >= 1 <= 1000, got "0"'],
      [{ looks: "1001" }, "looks", 'looks: must be an integer >= 1 <= 1000, got "1001"'],
      [{ looks: "ten" }, "looks", 'looks: must be an integer >= 1 <= 1000, got "ten"'],
      [{ looks: "2.5" }, "looks", 'looks: must be an integer >= 1 <= 1000, got "2.5"'],
      [{ spending: "linear" }, "spending", 'spending: must be one of obrien-fleming, pocock, got "linear"'],
    ];
    for (const [fields, field, message] of cases) {
      const posted = await judge(server, { ...REQUEST, ...fields });
      expect(posted.status, JSON.stringify(fields)).toBe(400);
      expect(posted.body.error).toMatchObject({ code: "bad_request", field, message });
      const query = new URLSearchParams({ ...REQUEST, ...fields });
      const got = await fetch(`${server.url}/v1/judge?${query}`);
      expect(got.status).toBe(400);
      expect(((await got.json()) as { error: { field: string } }).error.field).toBe(field);
    }
  });
});
