import { describe, expect, it } from "vitest";
import { parseRolloutRef } from "../../src/k8s/rollout-ref.js";

describe("parseRolloutRef", () => {
  it("parses namespace/name", () => {
    expect(parseRolloutRef("ml-serving/fraud-model.v2")).toEqual({
      namespace: "ml-serving",
      name: "fraud-model.v2",
    });
  });

  it("treats an empty argument as no Rollout", () => {
    expect(parseRolloutRef("")).toBeUndefined();
    expect(parseRolloutRef(undefined)).toBeUndefined();
    expect(parseRolloutRef("/")).toBeUndefined();
  });

  it.each([
    ["fraud-model", /namespace\/name/],
    ["a/b/c", /namespace\/name/],
    ["ml/", /name ""/],
    ["/fraud", /namespace ""/],
    ["ML/fraud", /namespace "ML"/],
    ["ml/Fraud_Model", /name "Fraud_Model"/],
    [`${"n".repeat(64)}/x`, /namespace/],
  ])("rejects %s", (raw, message) => {
    expect(() => parseRolloutRef(raw)).toThrow(message);
  });
});
