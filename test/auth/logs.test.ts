import { describe, expect, it } from "vitest";
import { bearer, startTestServer, TOKENS, tokenLines } from "./harness.js";

const FEATURE_NUMBER = "987654.321";
const FEATURE_TEXT = "zip-SECRET-4471";
const BOGUS_TOKEN = "bogus-SECRET-token-5555555555";

describe("logs carry no secrets and no raw feature values", () => {
  it("captures every log line of auth failures, ingestion (good and malformed), judging and erasure", async () => {
    await using t = await startTestServer({ MODELGATE_TOKENS: tokenLines(), MODELGATE_LOG_LEVEL: "debug" });
    const now = Date.now();
    const event = (version: string) => ({
      model: "credit",
      version,
      ts: now - 1000,
      score: 0.4,
      features: { income: Number(FEATURE_NUMBER), zip: FEATURE_TEXT },
    });
    const post = (path: string, body: string, headers: Record<string, string>) =>
      fetch(`${t.url}${path}`, { method: "POST", body, headers });
    const statuses = [
      (
        await post("/v1/events", JSON.stringify([event("a"), event("b")]), {
          "content-type": "application/json",
          ...bearer("kserve"),
        })
      ).status,
      // malformed line and a bad field, both quoting the raw values back in the answer (not the log)
      (
        await post(
          "/v1/events",
          `{"model":"credit","version":"a","features":{"zip":"${FEATURE_TEXT}"}\n{"model":"credit","score":"${FEATURE_NUMBER}x"}\n{bad ${FEATURE_TEXT}`,
          { "content-type": "application/x-ndjson", ...bearer("kserve") },
        )
      ).status,
      (
        await post("/v1/events", `[{"zip": "${FEATURE_TEXT}"`, {
          "content-type": "application/json",
          ...bearer("kserve"),
        })
      ).status,
      (
        await post("/v1/events", "[]", {
          "content-type": "application/json",
          authorization: `Bearer ${BOGUS_TOKEN}`,
        })
      ).status,
      (await post("/v1/events", "[]", { "content-type": "application/json", authorization: BOGUS_TOKEN }))
        .status,
      (await post("/v1/events", "[]", { "content-type": "application/json", ...bearer("argo") })).status,
      (await fetch(`${t.url}/v1/judge?model=credit&baseline=a&candidate=b`, { headers: bearer("argo") }))
        .status,
      (await fetch(`${t.url}/v1/models/credit`, { method: "DELETE", headers: bearer("ops") })).status,
      (await fetch(`${t.url}/v1/models/credit`, { method: "DELETE", headers: bearer("viewer") })).status,
    ];
    expect(statuses).toEqual([202, 422, 400, 401, 401, 403, 200, 200, 403]);
    await t.server.close();
    const text = t.logs.join("");
    // the capture works: auth refusals and the erasure are logged (by token name)
    expect(text).toContain('"msg":"request refused: no valid token"');
    expect(text).toContain(
      '"msg":"request refused: missing scope","method":"POST","path":"/v1/events","token":"argo"',
    );
    expect(text).toContain('"msg":"model erased","model":"credit","principal":"ops"');
    for (const secret of [
      ...Object.values(TOKENS).map((x) => x.token),
      BOGUS_TOKEN,
      FEATURE_TEXT,
      FEATURE_NUMBER,
    ]) {
      expect(text, `log mentions ${secret}`).not.toContain(secret);
    }
    expect(text).not.toContain("SECRET");
  });
});
