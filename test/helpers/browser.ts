import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const ARTIFACTS = join(import.meta.dirname, "..", "..", "test-artifacts");

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Debian's headless Chromium through playwright-core (no downloaded browser build), in a fresh
 * empty profile; `javaScript: false` checks that pages work without scripts. Fails, never skips,
 * when Chromium is missing. `await using` closes it and
 * removes the profile.
 */
export async function launchBrowser(opts: { javaScript?: boolean } = {}): Promise<{
  browser: BrowserContext;
  [Symbol.asyncDispose](): Promise<void>;
}> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`browser tests need Debian's Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  }
  const profile = mkdtempSync(join(tmpdir(), "modelgate-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
    javaScriptEnabled: opts.javaScript ?? true,
  });
  return {
    browser: context,
    async [Symbol.asyncDispose]() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Where a test's screenshots go (git-ignored). */
export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

export type { Browser };
