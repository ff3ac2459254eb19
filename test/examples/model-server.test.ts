import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type ServerProcess, spawnServer } from "../helpers/server-process.js";
import { defaults, resolveArgs, type TemplateArg } from "../manifests/argo.js";
import { copies, env, last, parseDockerfile, type Stage } from "../manifests/dockerfile.js";
import { build, type K8sObject, one, ROOT } from "../manifests/kustomize.js";

// examples/model-server as the walkthrough deploys it, run here for real: its Dockerfile's command
// and environment as child processes beside the real `modelgate serve`, with the environment its
// Rollout gives the pods (the Downward API's pod-template-hash stood in by a fixed hash), the
// traffic generator sending requests and labels, and the judgement the Rollout's modelgate-all
// template asks for.

const EXAMPLE = join(ROOT, "examples", "model-server");
const work = mkdtempSync(join(tmpdir(), "modelgate-model-server-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

const dockerfile = (): Stage => {
  const stages = parseDockerfile(readFileSync(join(EXAMPLE, "Dockerfile"), "utf8"));
  expect(stages).toHaveLength(1);
  return stages[0]!;
};
/** The image's environment with a build argument set (ARG defaults otherwise), as docker build expands it. */
function imageEnv(buildArgs: Record<string, string> = {}): Record<string, string> {
  const stage = dockerfile();
  const args: Record<string, string> = {};
  for (const i of stage.instructions.filter((x) => x.op === "ARG")) {
    const [name, value = ""] = i.text.split("=");
    args[name!] = buildArgs[name!] ?? value;
  }
  return Object.fromEntries(
    Object.entries(env(stage)).map(([k, v]) => [
      k,
      v.replace(/\$\{(\w+)\}/g, (_, a: string) => args[a] ?? ""),
    ]),
  );
}
const deploy = () => build("../examples/model-server/deploy");
const rollout = (): K8sObject => one(deploy(), "Rollout", "fraud-model");
const modelContainer = () => rollout().spec.template.spec.containers[0];

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; optional?: boolean } };
}

/** Start a child and resolve with its first stdout JSON line that has `msg` = `ready`. */
function start(args: string[], childEnv: Record<string, string>, ready: string) {
  const child = spawn(process.execPath, args, {
    cwd: EXAMPLE,
    env: { PATH: process.env.PATH ?? "", ...childEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const lines: Array<Record<string, unknown>> = [];
  const first = new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${ready}" within 30 s:\n${out}\n${err}`)), 30_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      for (const line of out.split("\n").slice(lines.length, -1)) {
        const record = JSON.parse(line) as Record<string, unknown>;
        lines.push(record);
        if (record.msg === ready) {
          clearTimeout(timer);
          resolve(record);
        }
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before "${ready}":\n${out}\n${err}`));
    });
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  return { child, first, exited, lines, stderr: () => err };
}

/** A model server pod: the image's CMD and ENV, the Rollout container's env, the Downward API's hash. */
function startModelServer(hash: string, modelgate: string, buildArgs: Record<string, string>) {
  const [cmd, ...args] = JSON.parse(last(dockerfile(), "CMD")!) as string[];
  expect(cmd).toBe("node");
  const podEnv: Record<string, string> = {};
  for (const v of modelContainer().env as EnvVar[]) {
    if (v.value !== undefined) podEnv[v.name] = v.value;
    else if (v.valueFrom?.fieldRef?.fieldPath === "metadata.labels['rollouts-pod-template-hash']")
      podEnv[v.name] = hash;
    // an optional Secret that is not there: Kubernetes leaves the variable out
    else expect(v.valueFrom?.secretKeyRef?.optional, v.name).toBe(true);
  }
  // the cluster DNS name of modelgate's Service becomes the test server's address
  const events = new URL(podEnv.MODELGATE_EVENTS_URL!);
  expect(events.hostname).toBe("modelgate.modelgate.svc.cluster.local");
  expect(events.port).toBe(String(one(build("base"), "Service", "modelgate").spec.ports[0].port));
  return start(
    args,
    {
      ...imageEnv(buildArgs),
      ...podEnv,
      MODELGATE_EVENTS_URL: `${modelgate}${events.pathname}`,
      HOST: "127.0.0.1",
      PORT: "0",
      FLUSH_MS: "200",
    },
    "model server listening",
  );
}

describe("examples/model-server: Dockerfile and Rollout", () => {
  it("ships every module the server and the traffic generator import, and nothing needs installing", () => {
    const copied = copies(dockerfile()).flatMap((c) => c.sources);
    const modules = readdirSync(EXAMPLE).filter((f) => f.endsWith(".mjs"));
    expect(new Set(copied)).toEqual(new Set(modules));
    for (const m of modules) {
      const imports = [
        ...readFileSync(join(EXAMPLE, m), "utf8").matchAll(/^import .* from "([^"]+)";$/gm),
      ].map((x) => x[1]!);
      for (const i of imports)
        expect(i.startsWith("node:") || copied.includes(i.replace(/^\.\//, "")), `${m}: ${i}`).toBe(true);
    }
    expect(dockerfile().instructions.some((i) => i.op === "RUN")).toBe(false);
  });

  it("runs as the Rollout expects: port, user, and the pod-template-hash as the version", () => {
    const stage = dockerfile();
    const container = modelContainer();
    expect(Number(last(stage, "EXPOSE"))).toBe(container.ports[0].containerPort);
    expect(Number(imageEnv().PORT)).toBe(container.ports[0].containerPort);
    const [uid] = last(stage, "USER")!.split(":").map(Number);
    expect(rollout().spec.template.spec.securityContext.runAsUser).toBe(uid);
    const version = (container.env as EnvVar[]).find((v) => v.name === "MODEL_VERSION")!;
    expect(version.valueFrom?.fieldRef?.fieldPath).toBe("metadata.labels['rollouts-pod-template-hash']");
    // the traffic Deployment runs the other module of the same image
    const traffic = one(deploy(), "Deployment", "fraud-model-traffic").spec.template.spec.containers[0];
    expect(traffic.image).toBe(container.image);
    expect(traffic.command).toEqual(["node", "traffic.mjs"]);
    // canary steps with modelgate's templates, judged by the pod-template-hashes
    const canary = rollout().spec.strategy.canary;
    expect(canary.steps.some((s: { setWeight?: number }) => s.setWeight !== undefined)).toBe(true);
    const inline = canary.steps.find((s: { analysis?: unknown }) => s.analysis).analysis;
    expect(inline.templates).toEqual([{ templateName: "modelgate-all" }]);
    const hashArgs = Object.fromEntries(
      (inline.args as TemplateArg[]).map((a) => [a.name, a.valueFrom?.podTemplateHashValue]),
    );
    expect(hashArgs).toMatchObject({ "stable-hash": "Stable", "canary-hash": "Latest" });
    for (const t of [...inline.templates, ...canary.analysis.templates])
      expect(one(deploy(), "AnalysisTemplate", t.templateName)).toBeDefined();
  });
});

describe("examples/model-server against modelgate serve", () => {
  it("logs every prediction, failure and label under its version, and the Rollout's template judges them", async () => {
    await using modelgate: ServerProcess = await spawnServer({ dataDir: join(work, "data") });
    const stableHash = "6b7f9c5d8";
    const canaryHash = "84c2d7f4b";
    // v1 (stable) and the slow v3 build as the canary
    const stable = startModelServer(stableHash, modelgate.url, {});
    const canary = startModelServer(canaryHash, modelgate.url, { LATENCY_FACTOR: "1.5" });
    const ports = [Number((await stable.first).port), Number((await canary.first).port)];
    expect((await canary.first).latencyFactor).toBe(1.5);

    // the same 300 cases (same seed) to each version, with their labels
    const requests = 300;
    const traffic = ports.map((port) =>
      start(
        ["traffic.mjs"],
        {
          PREDICT_URL: `http://127.0.0.1:${port}/predict`,
          MODELGATE_OUTCOMES_URL: `${modelgate.url}/v1/outcomes`,
          REQUESTS: String(requests),
          RPS: "0",
          // after the servers' flush (FLUSH_MS 200): a label joins a prediction modelgate holds
          LABEL_DELAY_MS: "1500",
          SEED: "3",
        },
        "traffic done",
      ),
    );
    const done = await Promise.all(traffic.map((t) => t.first));
    for (const d of done)
      expect(d).toMatchObject({ requests, answered: requests, failed: 0, labelsRefused: 0 });
    const labels = done.map((d) => Number(d.labelsPosted));

    // a request the canary cannot score: 400 to the client, an error event to modelgate
    const bad = await fetch(`http://127.0.0.1:${ports[1]}/predict`, {
      method: "POST",
      body: JSON.stringify({ instances: [{ amount: "lots", channel: "web" }] }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/instances\[0\]\.amount/);

    // a stopping pod sends what it still holds
    for (const s of [stable, canary]) s.child.kill("SIGTERM");
    expect(await stable.exited).toBe(0);
    expect(await canary.exited).toBe(0);
    const stopped = [stable, canary].map((s) => s.lines.find((l) => l.msg === "model server stopped")!);
    expect(stopped.map((s) => s.eventsSent)).toEqual([requests, requests + 1]);
    expect(stopped.map((s) => s.eventsDropped)).toEqual([0, 0]);

    const versions = (await (await fetch(`${modelgate.url}/v1/models/fraud/versions`)).json()) as {
      versions: Array<{ version: string; events: number; scored: number; labelled: number; errors: number }>;
    };
    const byVersion = new Map(versions.versions.map((v) => [v.version, v]));
    expect(byVersion.get(stableHash)).toMatchObject({
      events: requests,
      scored: requests,
      errors: 0,
      labelled: labels[0],
    });
    expect(byVersion.get(canaryHash)).toMatchObject({
      events: requests + 1,
      scored: requests,
      errors: 1,
      labelled: labels[1],
    });

    // what the Rollout's inline analysis sends: modelgate-all with its defaults and the hashes
    const template = one(deploy(), "AnalysisTemplate", "modelgate-all");
    const metric = resolveArgs(template.spec.metrics[0], {
      ...defaults(template),
      model: "fraud",
      "stable-hash": stableHash,
      "canary-hash": canaryHash,
      "rollout-namespace": "",
      "rollout-name": "",
      "modelgate-url": modelgate.url,
      "api-token": "unused",
    });
    const web = metric.provider.web;
    const res = await fetch(web.url, {
      method: web.method,
      headers: Object.fromEntries(web.headers.map((h: { key: string; value: string }) => [h.key, h.value])),
      body: JSON.stringify(web.jsonBody),
    });
    expect(res.status).toBe(200);
    const judgement = (await res.json()) as {
      summary: { verdict: string };
      gates: Record<
        string,
        { verdict: string; metric: string; value: number | null; n: { baseline: number; candidate: number } }
      >;
      judgement: { baseline: string; candidate: string };
    };
    expect(judgement.judgement).toMatchObject({ baseline: stableHash, candidate: canaryHash });
    expect(["pass", "fail", "inconclusive"]).toContain(judgement.summary.verdict);
    // every gate saw the events the two servers logged
    expect(judgement.gates.errors!.n).toEqual({ baseline: requests, candidate: requests + 1 });
    expect(judgement.gates.latency!.n).toEqual({ baseline: requests, candidate: requests });
    expect(judgement.gates.drift!.n).toEqual({ baseline: requests, candidate: requests });
    // the same cases scored by the same model: the two score distributions are identical
    expect(judgement.gates.drift!.metric).toBe("psi");
    expect(judgement.gates.drift!.value).toBe(0);
  }, 180_000);
});
