import { existsSync, readFileSync, statSync, unwatchFile, watchFile } from "node:fs";
import type { Logger } from "../log.js";
import { parseTokens, type TokenEntry, TokenSet } from "./tokens.js";

export interface TokenSourceOptions {
  /** token lines given inline (MODELGATE_TOKENS) */
  inline?: string;
  /** file of token lines (MODELGATE_TOKENS_FILE), e.g. a mounted Kubernetes Secret key */
  file?: string;
  logger: Logger;
  /** how often the file is checked for changes, ms (0: never) */
  watchIntervalMs?: number;
}

/**
 * Where the accepted tokens come from, reloaded when the file changes (a rotated Secret).
 *
 * - No tokens anywhere: authentication is off; one warning line says so at start.
 * - A configured file that does not exist yet is not an error (the manifests mount the Secret
 *   `optional: true`); authentication turns on when it appears.
 * - Once tokens were loaded, a reload that fails (unreadable, malformed, empty, deleted) keeps
 *   the last good set and logs an error: a broken rotation never opens the service.
 * - A malformed file or variable at start throws (TokenFormatError), so the pod fails fast.
 *
 * The file is polled with fs.watchFile (stat), which follows symlinks: Kubernetes updates a
 * Secret volume by swapping a `..data` symlink, which fs.watch on the file would not see. watchFile
 * reports changes against its first stat, taken after it starts: a file appearing before that stat
 * would never be reported, so while authentication is off a timer also looks for the file (at the
 * same interval, reloading when its modification time changes) until tokens are in force.
 */
export class TokenSource {
  private inlineEntries: TokenEntry[];
  private set: TokenSet | undefined;
  private readonly listener = () => this.reload();
  private offTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: TokenSourceOptions) {
    this.inlineEntries = opts.inline ? parseTokens(opts.inline, "MODELGATE_TOKENS") : [];
    const fromFile = opts.file && existsSync(opts.file) ? this.readFile(opts.file) : [];
    this.set = this.combine(fromFile);
    if (!this.set) {
      opts.logger.warn(
        opts.file
          ? `authentication disabled: tokens file ${opts.file} does not exist (every endpoint is open until it appears)`
          : "authentication disabled: no tokens configured (set MODELGATE_TOKENS_FILE or MODELGATE_TOKENS); every endpoint is open",
      );
    } else {
      opts.logger.info("authentication enabled", { tokens: this.names() });
    }
    const interval = opts.watchIntervalMs ?? 5000;
    const file = opts.file;
    if (file && interval > 0) {
      watchFile(file, { interval, persistent: false }, this.listener);
      if (!this.set) {
        let seen: number | undefined;
        this.offTimer = setInterval(() => {
          if (this.set) return this.stopOffTimer();
          let mtime: number | undefined;
          try {
            mtime = statSync(file).mtimeMs;
          } catch {
            mtime = undefined;
          }
          if (mtime !== undefined && mtime !== seen) {
            seen = mtime;
            this.reload();
          }
        }, interval);
        this.offTimer.unref();
      }
    }
  }

  private stopOffTimer(): void {
    if (this.offTimer) clearInterval(this.offTimer);
    this.offTimer = undefined;
  }

  /** The accepted tokens, or undefined when authentication is off. */
  current(): TokenSet | undefined {
    return this.set;
  }

  /** Names of the tokens in force (for logs: names only, never secrets). */
  names(): string[] {
    return this.set?.entries.map((e) => e.name) ?? [];
  }

  /** Re-read the file now; returns whether the set in force changed. */
  reload(): boolean {
    const file = this.opts.file;
    if (!file) return false;
    let fromFile: TokenEntry[];
    try {
      fromFile = existsSync(file) ? this.readFile(file) : [];
    } catch (e) {
      this.opts.logger.error("tokens file reload failed; keeping the previous tokens", {
        file,
        error: (e as Error).message,
      });
      return false;
    }
    const next = this.combine(fromFile);
    if (!next) {
      if (this.set) {
        this.opts.logger.error("tokens file has no tokens; keeping the previous tokens", { file });
      }
      return false;
    }
    const before = this.set;
    this.set = next;
    this.opts.logger.info(before ? "tokens reloaded" : "authentication enabled", { tokens: this.names() });
    return true;
  }

  close(): void {
    this.stopOffTimer();
    if (this.opts.file) unwatchFile(this.opts.file, this.listener);
  }

  private readFile(file: string): TokenEntry[] {
    return parseTokens(readFileSync(file, "utf8"), file);
  }

  private combine(fromFile: TokenEntry[]): TokenSet | undefined {
    const all = [...this.inlineEntries, ...fromFile];
    return all.length > 0 ? new TokenSet(all) : undefined;
  }
}
