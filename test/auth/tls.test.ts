import { X509Certificate } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { get } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer } from "./harness.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "tls");
const fingerprint = (name: string) =>
  new X509Certificate(readFileSync(join(FIXTURES, `${name}.crt`))).fingerprint256;

/** The certificate the server presents to a new connection. */
function peerFingerprint(url: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false }, () => {
      const fp = s.getPeerCertificate().fingerprint256;
      s.end();
      resolve(fp);
    });
    s.on("error", reject);
  });
}

/** GET over HTTPS trusting only `ca`; rejects when the certificate does not verify. */
function httpsGet(url: string, ca: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { ca, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on("error", reject);
  });
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("TLS", () => {
  it("serves HTTPS and reloads a rotated certificate; a mismatched pair keeps the previous one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "modelgate-tls-"));
    dirs.push(dir);
    const cert = join(dir, "tls.crt");
    const key = join(dir, "tls.key");
    copyFileSync(join(FIXTURES, "a.crt"), cert);
    copyFileSync(join(FIXTURES, "a.key"), key);
    const swap = (from: string, to: string) => {
      copyFileSync(from, `${to}.tmp`);
      renameSync(`${to}.tmp`, to);
    };
    await using t = await startTestServer({
      MODELGATE_TLS_CERT_FILE: cert,
      MODELGATE_TLS_KEY_FILE: key,
      MODELGATE_RELOAD_INTERVAL_MS: "20",
    });
    expect(t.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const caA = readFileSync(join(FIXTURES, "a.crt"));
    const caB = readFileSync(join(FIXTURES, "b.crt"));
    expect(await peerFingerprint(t.url)).toBe(fingerprint("a"));
    expect(await httpsGet(`${t.url}/healthz`, caA)).toBe(200);
    await expect(httpsGet(`${t.url}/healthz`, caB)).rejects.toThrow(
      /self[- ]signed|unable to verify|certificate/i,
    );

    // only the certificate changes: the pair does not match, the old one stays in force
    swap(join(FIXTURES, "b.crt"), cert);
    for (let i = 0; i < 1000 && !t.logs.some((l) => l.includes("TLS certificate reload failed")); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(t.logs.some((l) => l.includes("TLS certificate reload failed"))).toBe(true);
    expect(await peerFingerprint(t.url)).toBe(fingerprint("a"));

    // then the key: the new pair loads, new connections get certificate b
    swap(join(FIXTURES, "b.key"), key);
    for (let i = 0; i < 1000 && (await peerFingerprint(t.url)) !== fingerprint("b"); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await peerFingerprint(t.url)).toBe(fingerprint("b"));
    expect(await httpsGet(`${t.url}/healthz`, caB)).toBe(200);
  });

  it("plain HTTP is refused on the TLS port (no downgrade)", async () => {
    await using t = await startTestServer({
      MODELGATE_TLS_CERT_FILE: join(FIXTURES, "a.crt"),
      MODELGATE_TLS_KEY_FILE: join(FIXTURES, "a.key"),
    });
    await expect(fetch(t.url.replace("https:", "http:") + "/healthz")).rejects.toThrow();
  });
});
