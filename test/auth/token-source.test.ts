import { mkdtempSync, renameSync, rmSync, unlinkSync, unwatchFile, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TokenSource } from "../../src/auth/token-source.js";
import { TokenFormatError } from "../../src/auth/tokens.js";
import { createLogger } from "../../src/log.js";
import { startTestServer } from "./harness.js";

const OLD = "old-token-0123456789abcdef";
const NEW = "new-token-0123456789abcdef";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir() {
  const d = mkdtempSync(join(tmpdir(), "modelgate-tokens-"));
  dirs.push(d);
  return d;
}
/** Replace a file the way Kubernetes does: write aside, rename over. */
function replace(path: string, text: string) {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}
async function until(cond: () => boolean, what: string) {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A TokenSource on a tokens file that does not exist yet, polled every 20 ms, its log kept. */
function watchedMissingFile() {
  const file = join(tempDir(), "tokens");
  const logs: string[] = [];
  const source = new TokenSource({
    file,
    logger: createLogger("debug", (l) => logs.push(l)),
    watchIntervalMs: 20,
  });
  return { file, logs, source };
}

describe("TokenSource", () => {
  it("missing file: off with one warning; turns on when the file appears; rotates; keeps the last good set", async () => {
    const { file, logs, source } = watchedMissingFile();
    try {
      expect(source.current()).toBeUndefined();
      expect(logs.map((l) => JSON.parse(l).level)).toEqual(["warn"]);
      expect(JSON.parse(logs[0]).msg).toBe(
        `authentication disabled: tokens file ${file} does not exist (every endpoint is open until it appears)`,
      );

      replace(file, `argo judge ${OLD}\n`);
      await until(() => source.current() !== undefined, "the file to be picked up");
      expect(source.current()!.authenticate(OLD)?.name).toBe("argo");

      replace(file, `argo judge ${NEW}\n`);
      await until(() => source.current()!.authenticate(NEW) !== undefined, "rotation");
      expect(source.current()!.authenticate(OLD)).toBeUndefined();

      // a broken rotation and a deleted file keep the last good tokens (never back to open)
      replace(file, `argo judge SEKRIT9\n`);
      await until(() => logs.some((l) => l.includes("tokens file reload failed")), "the failed reload");
      unlinkSync(file);
      await until(() => logs.some((l) => l.includes("tokens file has no tokens")), "the deletion");
      expect(source.current()!.authenticate(NEW)?.name).toBe("argo");
      const text = logs.join("");
      for (const secret of [OLD, NEW, "SEKRIT9"]) expect(text).not.toContain(secret);
    } finally {
      source.close();
    }
  });

  it("while off, the file is found even if the watcher never reports it (it appeared before the watcher's first stat)", async () => {
    const { file, logs, source } = watchedMissingFile();
    try {
      // fs.watchFile compares with its first stat; a file written before that stat is never reported:
      // silence the watcher altogether, so only the off-state check can see the file
      unwatchFile(file);
      replace(file, `argo judge ${OLD}\n`);
      await until(() => source.current() !== undefined, "the file to be picked up");
      expect(source.current()!.authenticate(OLD)?.name).toBe("argo");
      expect(logs.filter((l) => l.includes("authentication enabled"))).toHaveLength(1);
    } finally {
      source.close();
    }
  });

  it("inline and file tokens combine; a malformed file at start throws naming the entry", () => {
    const file = join(tempDir(), "tokens");
    writeFileSync(file, `ops admin ${NEW}\n`);
    const source = new TokenSource({
      inline: `argo judge ${OLD}`,
      file,
      logger: createLogger("error", () => {}),
      watchIntervalMs: 0,
    });
    expect(source.names()).toEqual(["argo", "ops"]);
    writeFileSync(file, `# header\nops admin ${NEW}\nbroken\n`);
    expect(
      () => new TokenSource({ file, logger: createLogger("error", () => {}), watchIntervalMs: 0 }),
    ).toThrow(
      new TokenFormatError(`${file} entry 3`, 'expected "<name> <scope>[,<scope>…] <token>", got 1 fields'),
    );
  });

  it("a running server picks up a rotated tokens file without restarting", async () => {
    const file = join(tempDir(), "tokens");
    writeFileSync(file, `viewer read ${OLD}\n`);
    await using t = await startTestServer({
      MODELGATE_TOKENS_FILE: file,
      MODELGATE_RELOAD_INTERVAL_MS: "20",
    });
    const models = (token: string) =>
      fetch(`${t.url}/v1/models`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await models(OLD)).toBe(200);
    expect(await models(NEW)).toBe(401);
    replace(file, `viewer read ${NEW}\n`);
    for (let i = 0; i < 1000 && (await models(NEW)) !== 200; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await models(NEW)).toBe(200);
    expect(await models(OLD)).toBe(401);
  });
});
