import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copies, env, last, parseDockerfile, runCommands, stage } from "./dockerfile.js";
import { build, one, ROOT } from "./kustomize.js";

const stages = () => parseDockerfile(readFileSync(join(ROOT, "Dockerfile"), "utf8"));
const pkg = () =>
  JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };

describe("Dockerfile", () => {
  it("builds in a build stage, installs production dependencies apart, ships a runtime stage", () => {
    const s = stages();
    expect(s.map((x) => x.name)).toEqual(["build", "deps", "runtime"]);
    expect(runCommands(stage(s, "build")).filter((c) => c.startsWith("npm"))).toEqual([
      "npm ci",
      "npm run build",
    ]);
    expect(runCommands(stage(s, "deps")).filter((c) => c.startsWith("npm"))).toEqual(["npm ci --omit=dev"]);
    const runtime = stage(s, "runtime");
    // No compiler or package installation in the image that runs.
    expect(runCommands(runtime).some((c) => /npm|apt-get|g\+\+/.test(c))).toBe(false);
    expect(copies(runtime)).toEqual([
      { from: "deps", sources: ["/app/node_modules"], dest: "./node_modules" },
      { from: "build", sources: ["/app/dist"], dest: "./dist" },
      { from: undefined, sources: ["package.json"], dest: "./" },
    ]);
  });

  it("starts with the README's command as a non-root user, data directory as a volume", () => {
    const runtime = stage(stages(), "runtime");
    const cmd = JSON.parse(last(runtime, "CMD")!) as string[];
    expect(cmd.join(" ")).toBe(pkg().scripts.start);
    expect(cmd).toEqual(["node", "dist/src/cli/main.js", "serve"]);
    const [uid, gid] = last(runtime, "USER")!.split(":").map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
    const e = env(runtime);
    expect(JSON.parse(last(runtime, "VOLUME")!)).toEqual([e.MODELGATE_DATA_DIR]);
    expect(last(runtime, "EXPOSE")).toBe(e.MODELGATE_PORT);
    // The Deployment runs as the same user and mounts its PVC on the same directory.
    const deployment = one(build("base"), "Deployment", "modelgate");
    expect(deployment.spec.template.spec.securityContext.runAsUser).toBe(uid);
    const cm = one(build("base"), "ConfigMap", "modelgate");
    expect(cm.data.MODELGATE_DATA_DIR).toBe(e.MODELGATE_DATA_DIR);
    expect(cm.data.MODELGATE_PORT).toBe(e.MODELGATE_PORT);
  });

  it("sends Docker only what it copies (.dockerignore is an allowlist of the COPY sources)", () => {
    const ignore = readFileSync(join(ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    expect(ignore[0]).toBe("*");
    const allowed = ignore.slice(1).map((l) => l.replace(/^!/, ""));
    const copied = stages().flatMap((s) =>
      copies(s)
        .filter((c) => !c.from)
        .flatMap((c) => c.sources),
    );
    expect(new Set(allowed)).toEqual(new Set(copied));
    for (const p of allowed) expect(existsSync(join(ROOT, p)), p).toBe(true);
  });
});

/**
 * Replays the stages outside Docker (no Docker daemon on these machines): the build stage's
 * `npm run build` on a copy of the sources, the deps stage's `npm ci --omit=dev` for real (from the
 * npm cache when it can, compiling better-sqlite3 if it must: 90–180 s on two busy cores), then the
 * runtime stage's CMD, polled until /readyz answers 200. The build stage's own `npm ci` is the one
 * every test run already did, so the repository's node_modules stands in for it.
 */
describe("the Dockerfile's stages, run outside Docker", () => {
  const work = mkdtempSync(join(tmpdir(), "modelgate-docker-"));
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    rmSync(work, { recursive: true, force: true });
  });

  function sh(command: string, cwd: string, extraEnv: Record<string, string> = {}, timeout = 420_000) {
    const out = spawnSync("sh", ["-c", command], {
      cwd,
      encoding: "utf8",
      timeout,
      env: { ...process.env, ...extraEnv },
      maxBuffer: 32 * 1024 * 1024,
    });
    if (out.status !== 0) {
      throw new Error(
        `${command} (in ${cwd}) failed: ${out.error ?? ""}\n${out.stdout}\n${out.stderr}`.slice(-4000),
      );
    }
    return out;
  }

  function stageCopy(name: string, dir: string) {
    mkdirSync(dir, { recursive: true });
    for (const c of copies(stage(stages(), name)).filter((x) => !x.from)) {
      for (const src of c.sources)
        cpSync(join(ROOT, src), join(dir, c.dest.endsWith("/") ? src : c.dest), { recursive: true });
    }
  }

  it("builds, installs production dependencies, starts, and answers /readyz", async () => {
    const buildDir = join(work, "build");
    stageCopy("build", buildDir);
    symlinkSync(join(ROOT, "node_modules"), join(buildDir, "node_modules"), "dir");
    sh("npm run build", buildDir);
    expect(existsSync(join(buildDir, "dist", "src", "cli", "main.js"))).toBe(true);

    const depsDir = join(work, "deps");
    stageCopy("deps", depsDir);
    const install = runCommands(stage(stages(), "deps")).find((c) => c.startsWith("npm ci"))!;
    sh(install, depsDir, {
      npm_config_prefer_offline: "true",
      npm_config_audit: "false",
      npm_config_fund: "false",
    });
    // --omit=dev really omitted the toolchain.
    expect(existsSync(join(depsDir, "node_modules", "express"))).toBe(true);
    expect(existsSync(join(depsDir, "node_modules", "vitest"))).toBe(false);
    expect(existsSync(join(depsDir, "node_modules", "typescript"))).toBe(false);

    const app = join(work, "app");
    mkdirSync(app);
    cpSync(join(depsDir, "node_modules"), join(app, "node_modules"), { recursive: true });
    cpSync(join(buildDir, "dist"), join(app, "dist"), { recursive: true });
    cpSync(join(ROOT, "package.json"), join(app, "package.json"));

    const runtime = stage(stages(), "runtime");
    const [cmd, ...args] = JSON.parse(last(runtime, "CMD")!) as string[];
    const dataDir = join(work, "data");
    const proc = spawn(cmd!, args, {
      cwd: app,
      env: {
        PATH: process.env.PATH ?? "",
        ...env(runtime),
        MODELGATE_HOST: "127.0.0.1",
        MODELGATE_PORT: "0",
        MODELGATE_DATA_DIR: dataDir,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    let log = "";
    proc.stderr!.on("data", (d: Buffer) => {
      log += d.toString();
    });
    proc.stdout!.on("data", (d: Buffer) => {
      log += d.toString();
    });

    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "modelgate listening" within 30 s:\n${log}`)),
        30_000,
      );
      const check = () => {
        const m = /"msg":"modelgate listening".*?"url":"([^"]+)"/.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      };
      proc.stderr!.on("data", check);
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with ${code} before listening:\n${log}`));
      });
    });

    let ready: Response | undefined;
    for (let i = 0; i < 100; i++) {
      ready = await fetch(`${url}/readyz`).catch(() => undefined);
      if (ready?.status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(ready?.status).toBe(200);
    expect(await ready!.json()).toEqual({ status: "ready" });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(log).not.toMatch(/"level":"error"/);
  }, 540_000);
});
