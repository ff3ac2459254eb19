import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { sinkLabels } from "../../src/events/verdict-events.js";
import { cli } from "../cli/cli-io.js";

const sinks = (value: string) => loadConfig({ MODELGATE_EVENT_SINKS: value }).eventSinks;

describe("event sink settings", () => {
  it("reads comma-separated URLs, none by default", () => {
    expect(loadConfig({}).eventSinks).toBeUndefined();
    expect(sinks(" http://a.example/hook , https://b.example:8443/e?token=x")).toEqual([
      "http://a.example/hook",
      "https://b.example:8443/e?token=x",
    ]);
    expect(loadConfig({}).eventSource).toBe("/modelgate");
  });

  it("fails at start naming the bad entry", () => {
    expect(() => sinks("http://a.example/x,,http://b.example/y")).toThrow(
      "MODELGATE_EVENT_SINKS: entry 2 is empty",
    );
    expect(() => sinks("http://a.example/x, ftp://b.example/y")).toThrow(
      'MODELGATE_EVENT_SINKS: entry 2 ("ftp://b.example/y") must be an http or https URL',
    );
    expect(() => sinks("argo events")).toThrow('MODELGATE_EVENT_SINKS: entry 1 ("argo events") is not a URL');
    expect(() => sinks("http://a.example/x,http://a.example/x")).toThrow(
      "MODELGATE_EVENT_SINKS: entry 2 repeats entry 1",
    );
    // the entry may hold a password: named by position only
    let message = "";
    try {
      sinks("http://a.example/x,http://user:s3cret@b.example/y");
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe(
      "MODELGATE_EVENT_SINKS: entry 2 carries credentials in the URL (user:password@), which are not sent",
    );
    expect(() => loadConfig({}, { "event-sinks": "nope" })).toThrow(
      '--event-sinks: entry 1 ("nope") is not a URL',
    );
    expect(() =>
      loadConfig({ MODELGATE_EVENT_RETRY_INITIAL_MS: "5000", MODELGATE_EVENT_RETRY_MAX_MS: "100" }),
    ).toThrow("MODELGATE_EVENT_RETRY_INITIAL_MS: must not exceed MODELGATE_EVENT_RETRY_MAX_MS");
    expect(() => loadConfig({ MODELGATE_EVENT_QUEUE_SIZE: "0" })).toThrow("MODELGATE_EVENT_QUEUE_SIZE");
  });

  it("names sinks in logs and metrics without their query string", () => {
    expect(
      sinkLabels(["http://a.example/e?token=x", "http://a.example/e?token=y", "http://b.example"]),
    ).toEqual(["http://a.example/e", "http://a.example/e#2", "http://b.example/"]);
  });

  it("serve --help lists every event setting, and a bad one stops the start with exit 2", async () => {
    const help = await cli(["serve", "--help"]);
    for (const env of [
      "MODELGATE_EVENT_SINKS",
      "MODELGATE_EVENT_SOURCE",
      "MODELGATE_EVENT_QUEUE_SIZE",
      "MODELGATE_EVENT_MAX_ATTEMPTS",
      "MODELGATE_EVENT_RETRY_INITIAL_MS",
      "MODELGATE_EVENT_RETRY_MAX_MS",
      "MODELGATE_EVENT_TIMEOUT_MS",
      "MODELGATE_EVENT_FLUSH_TIMEOUT_MS",
    ]) {
      expect(help.stdout).toContain(`env ${env}`);
    }
    const bad = await cli(["serve"], { env: { MODELGATE_EVENT_SINKS: "http://ok.example/e,ftp://x" } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid setting MODELGATE_EVENT_SINKS: entry 2 ("ftp://x")');
  });
});
