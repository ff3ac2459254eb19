import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/api/app.js";
import { type Config, loadConfig } from "../../src/config.js";
import {
  EmbeddedStore,
  type EmbeddedStoreOptions,
  storeOptionsFromConfig,
} from "../../src/store/embedded-store.js";
import { ingestionRouters } from "../../src/store/routers.js";
import { listen } from "../helpers/http.js";

/** A temporary data directory removed by `await using`. */
export function tempDir(): { path: string; [Symbol.dispose](): void } {
  const path = mkdtempSync(join(tmpdir(), "modelgate-store-"));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

/** A manual clock: tests move time explicitly instead of sleeping. */
export function manualClock(start = Date.parse("2026-11-24T10:00:00Z")) {
  let t = start;
  const clock = () => t;
  clock.set = (ms: number) => {
    t = ms;
  };
  clock.advance = (ms: number) => {
    t += ms;
  };
  return clock;
}

export function testConfig(dataDir: string, flags: Record<string, string> = {}): Config {
  return loadConfig({}, { "data-dir": dataDir, ...flags });
}

export async function openStore(
  config: Config,
  extra: Partial<EmbeddedStoreOptions> = {},
): Promise<EmbeddedStore> {
  const store = EmbeddedStore.open({ ...storeOptionsFromConfig(config), ...extra });
  await store.replay();
  return store;
}

/** The ingestion routes over real HTTP on 127.0.0.1, backed by a store in a temp dir. */
export async function startApp(config: Config, extra: Partial<EmbeddedStoreOptions> = {}) {
  const store = await openStore(config, extra);
  const app = createApp({ config, ready: () => store.ready, routers: ingestionRouters({ store, config }) });
  const srv = await listen(app);
  return {
    url: srv.url,
    store,
    async [Symbol.asyncDispose]() {
      await srv[Symbol.asyncDispose]();
      store.close();
    },
  };
}

export async function post(
  url: string,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
) {
  const r = await fetch(url, { method: "POST", body, headers: { "content-type": contentType, ...headers } });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  // biome-ignore lint/suspicious/noExplicitAny: tests read answer fields freely and assert their values
  return { status: r.status, body: json as Record<string, any> };
}
