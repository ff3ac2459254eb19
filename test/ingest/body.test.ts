import { describe, expect, it } from "vitest";
import { HttpError } from "../../src/api/http-error.js";
import { MAX_JSON_DEPTH, nestsDeeperThan, parseJson, readBody } from "../../src/ingest/body.js";

const nested = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

describe("JSON bodies: one depth limit, sizes cut early", () => {
  it("measures nesting exactly: a top-level object or array is depth 1, scalars and strings add nothing", () => {
    expect(nestsDeeperThan(JSON.parse(nested(3)), 3)).toBe(false);
    expect(nestsDeeperThan(JSON.parse(nested(4)), 3)).toBe(true);
    expect(nestsDeeperThan(JSON.parse('{"a":{"b":[1,"[[[[[["]}}'), 3)).toBe(false);
    expect(nestsDeeperThan(JSON.parse('{"a":{"b":[1,{"c":2}]}}'), 3)).toBe(true);
    expect(nestsDeeperThan(42, 0)).toBe(false);
  });

  it("accepts a body at the limit and refuses one level more with 400 json_too_deep naming the limit", () => {
    expect(parseJson(Buffer.from(nested(MAX_JSON_DEPTH)))).toBeDefined();
    try {
      parseJson(Buffer.from(nested(MAX_JSON_DEPTH + 1)));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HttpError);
      expect((e as HttpError).status).toBe(400);
      expect((e as HttpError).code).toBe("json_too_deep");
      expect((e as HttpError).message).toContain(`${MAX_JSON_DEPTH} levels`);
    }
  });

  it("walks a 200,000-deep value without overflowing the stack", () => {
    expect(() => parseJson(Buffer.from(nested(200_000)))).toThrow(/levels deep/);
  });

  it("refuses a declared Content-Length over the limit before reading a byte", async () => {
    const neverRead = {
      headers: { "content-length": String(50 * 1024 * 1024) },
      [Symbol.asyncIterator](): AsyncIterator<Buffer> {
        throw new Error("the body was read");
      },
    };
    await expect(readBody(neverRead, 1024)).rejects.toMatchObject({ status: 413, code: "body_too_large" });
  });

  it("stops reading at the first chunk past the limit when no length is declared", async () => {
    let chunksRead = 0;
    async function* chunks() {
      for (let i = 0; i < 1000; i++) {
        chunksRead++;
        yield Buffer.alloc(100);
      }
    }
    await expect(readBody(chunks(), 250)).rejects.toMatchObject({ status: 413 });
    expect(chunksRead).toBe(3);
  });
});
