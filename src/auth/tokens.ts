import { createHash, timingSafeEqual } from "node:crypto";
import { isScope, SCOPES, type Scope } from "./scope.js";

/**
 * Bearer tokens and their scopes. The text format (a file, a Kubernetes Secret key, or the
 * MODELGATE_TOKENS variable) is one token per line, `#` starts a comment, `;` also separates
 * entries (handy in an environment variable):
 *
 *   # name    scopes              token
 *   argo      judge               4f1c9e…   (≥ 16 characters, no spaces)
 *   kserve    ingest              9a0b7d…
 *   ops       admin               c3d2e1…
 *
 * The name identifies a token in logs and audit records, so the secret itself never has to.
 * Only SHA-256 digests are kept in memory; `authenticate` compares the digest of the presented
 * token with every stored digest using timingSafeEqual and no early exit, so neither a match's
 * position nor a common prefix shows in the response time.
 */
export interface TokenEntry {
  name: string;
  scopes: ReadonlySet<Scope>;
  digest: Buffer;
}

export class TokenFormatError extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = "TokenFormatError";
  }
}

export const MIN_TOKEN_LENGTH = 16;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const digestOf = (token: string) => createHash("sha256").update(token, "utf8").digest();

/** Parse token lines; errors name the source and entry number, never the token text. */
export function parseTokens(text: string, source: string): TokenEntry[] {
  const out: TokenEntry[] = [];
  const entries = text.split(/[\n;]/);
  for (let i = 0; i < entries.length; i++) {
    const line = entries[i].replace(/#.*$/, "").trim();
    if (line === "") continue;
    const where = `${source} entry ${i + 1}`;
    const parts = line.split(/\s+/);
    if (parts.length !== 3) {
      throw new TokenFormatError(
        where,
        `expected "<name> <scope>[,<scope>…] <token>", got ${parts.length} fields`,
      );
    }
    const [name, scopeList, token] = parts;
    if (!NAME.test(name)) throw new TokenFormatError(where, `name must match ${NAME.source}`);
    if (out.some((e) => e.name === name)) throw new TokenFormatError(where, `duplicate name "${name}"`);
    const scopes = new Set<Scope>();
    for (const s of scopeList.split(",")) {
      if (!isScope(s))
        throw new TokenFormatError(where, `unknown scope "${s}" (known: ${SCOPES.join(", ")})`);
      scopes.add(s);
    }
    if (token.length < MIN_TOKEN_LENGTH) {
      throw new TokenFormatError(where, `token of "${name}" is shorter than ${MIN_TOKEN_LENGTH} characters`);
    }
    const digest = digestOf(token);
    if (out.some((e) => e.digest.equals(digest))) {
      throw new TokenFormatError(where, `token of "${name}" is also used by another entry`);
    }
    out.push({ name, scopes, digest });
  }
  return out;
}

/** An immutable set of tokens; a reload builds a new one. */
export class TokenSet {
  constructor(readonly entries: readonly TokenEntry[]) {}

  get size(): number {
    return this.entries.length;
  }

  /** The entry whose token equals `presented`, in time independent of which (if any) matches. */
  authenticate(presented: string): TokenEntry | undefined {
    const d = digestOf(presented);
    let found: TokenEntry | undefined;
    for (const e of this.entries) {
      // every entry is compared: no early exit
      if (timingSafeEqual(e.digest, d) && found === undefined) found = e;
    }
    return found;
  }
}
