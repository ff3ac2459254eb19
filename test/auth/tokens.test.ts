import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type Requirement, requirementOf } from "../../src/auth/route-scopes.js";
import { grants, type Scope } from "../../src/auth/scope.js";
import { parseTokens, TokenFormatError, TokenSet } from "../../src/auth/tokens.js";

const A = "a".repeat(20);
const B = "b".repeat(32);

describe("parseTokens", () => {
  it("reads names, scopes and digests; comments, blank lines and ';' separators", () => {
    const entries = parseTokens(`# name scopes token\n\nargo judge,read ${A}   # Argo\n;ops admin ${B}`, "f");
    expect(entries.map((e) => [e.name, [...e.scopes]])).toEqual([
      ["argo", ["judge", "read"]],
      ["ops", ["admin"]],
    ]);
    expect(entries[0].digest.toString("hex")).toBe(createHash("sha256").update(A).digest("hex"));
  });

  it.each([
    [`argo judge`, /entry 1: expected "<name> <scope>\[,<scope>…\] <token>", got 2 fields/],
    [`argo judge,root ${A}`, /entry 1: unknown scope "root"/],
    [`argo judge short-token`, /entry 1: token of "argo" is shorter than 16 characters/],
    [`-x judge ${A}`, /entry 1: name must match/],
    [`argo judge ${A}\nargo read ${B}`, /entry 2: duplicate name "argo"/],
    [`argo judge ${A}\nci judge ${A}`, /entry 2: token of "ci" is also used by another entry/],
  ])("rejects %j naming the entry and never echoing the token", (text, message) => {
    let err: unknown;
    try {
      parseTokens(text, "tokens.txt");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TokenFormatError);
    expect((err as Error).message).toMatch(/^tokens\.txt entry \d/);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain(A);
    expect((err as Error).message).not.toContain("short-token");
  });
});

describe("TokenSet.authenticate", () => {
  const set = new TokenSet(parseTokens(`argo judge ${A}\nops admin ${B}`, "t"));
  it("finds the entry of an exact token only", () => {
    expect(set.authenticate(A)?.name).toBe("argo");
    expect(set.authenticate(B)?.name).toBe("ops");
    expect(set.authenticate(`${A} `)).toBeUndefined();
    expect(set.authenticate(A.slice(1))).toBeUndefined();
    expect(set.authenticate("")).toBeUndefined();
    expect(set.authenticate(A.toUpperCase())).toBeUndefined();
  });
});

describe("grants", () => {
  it("admin holds every scope; others only their own", () => {
    const all: Scope[] = ["ingest", "judge", "read", "admin"];
    for (const need of all) {
      expect(grants(new Set(["admin"]), need)).toBe(true);
      for (const held of all.filter((s) => s !== "admin"))
        expect(grants(new Set([held]), need)).toBe(held === need);
    }
  });
});

describe("requirementOf (the route scope table)", () => {
  const opts = { metrics: "open", cloudEvents: "ingest" } as const;
  const table: Array<[string, string, Requirement]> = [
    ["GET", "/healthz", "open"],
    ["GET", "/readyz", "open"],
    ["GET", "/metrics", "open"],
    ["POST", "/v1/events", "ingest"],
    ["POST", "/V1/Events/", "ingest"],
    ["POST", "/v1/outcomes", "ingest"],
    ["POST", "/v1/cloudevents", "ingest"],
    ["GET", "/v1/judge", "judge"],
    ["POST", "/v1/judge", "judge"],
    ["HEAD", "/v1/judge/latency", "judge"],
    ["GET", "/v1/judgements", "read"],
    ["GET", "/v1/judgements/j-1", "read"],
    ["GET", "/v1/models", "read"],
    ["GET", "/v1/models/fraud/versions", "read"],
    ["GET", "/v1/models/fraud/versions/6b7f9/evidence", "read"],
    ["POST", "/v1/models/fraud/versions/6b7f9/evidence", "admin"],
    ["GET", "/v1/models/fraud/reference", "read"],
    ["PUT", "/v1/models/fraud/reference", "admin"],
    ["DELETE", "/v1/models/fraud/reference", "admin"],
    ["DELETE", "/v1/models/fraud", "admin"],
    ["GET", "/ui", "read"],
    ["GET", "/ui/judgements/j-1", "read"],
    // anything unlisted is closed (admin): new routes, other methods, odd paths
    ["POST", "/v1/models", "admin"],
    ["DELETE", "/v1/events", "admin"],
    ["GET", "/v1/events", "admin"],
    ["POST", "/healthz", "admin"],
    ["GET", "/", "admin"],
    ["GET", "/v1/judge/a/b", "admin"],
    ["GET", "//v1/models", "admin"],
  ];
  it.each(table)("%s %s needs %s", (method, path, need) => {
    expect(requirementOf(method, path, opts)).toBe(need);
  });
  it("/metrics, /v1/cloudevents and /ui follow their settings", () => {
    expect(requirementOf("GET", "/metrics", { metrics: "read", cloudEvents: "open" })).toBe("read");
    expect(requirementOf("POST", "/v1/cloudevents", { metrics: "read", cloudEvents: "open" })).toBe("open");
    expect(requirementOf("GET", "/ui/models/x", { metrics: "read", cloudEvents: "open", ui: "open" })).toBe(
      "open",
    );
  });
});
