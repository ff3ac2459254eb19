import { readFileSync, unwatchFile, watchFile } from "node:fs";
import type { ServerOptions as HttpsOptions, Server as HttpsServer } from "node:https";
import type { Logger } from "../log.js";

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** Read the PEM certificate chain and key (throws naming the file that cannot be read). */
export function readTls(files: TlsFiles): Pick<HttpsOptions, "cert" | "key"> {
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch (e) {
      throw new Error(`cannot read the TLS ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  };
  return { cert: read(files.certFile, "certificate"), key: read(files.keyFile, "key") };
}

/**
 * Reload the certificate and key into a running HTTPS server when either file changes
 * (cert-manager and Kubernetes Secret volumes rotate them in place): new connections get the
 * new certificate, open ones keep theirs. A pair that does not load — typically the moment
 * between the certificate and the key being replaced — is logged and skipped; the next change
 * retries, and the server keeps serving the last good pair meanwhile. Polls with fs.watchFile
 * (stat follows the symlinks Kubernetes swaps); returns a function that stops watching.
 */
export function watchTls(
  server: HttpsServer,
  files: TlsFiles,
  opts: { intervalMs: number; logger: Logger },
): () => void {
  const reload = () => {
    try {
      server.setSecureContext(readTls(files));
      opts.logger.info("TLS certificate reloaded", { certFile: files.certFile });
    } catch (e) {
      opts.logger.error("TLS certificate reload failed; keeping the previous one", {
        error: (e as Error).message,
      });
    }
  };
  const options = { interval: opts.intervalMs, persistent: false };
  watchFile(files.certFile, options, reload);
  watchFile(files.keyFile, options, reload);
  return () => {
    unwatchFile(files.certFile, reload);
    unwatchFile(files.keyFile, reload);
  };
}
