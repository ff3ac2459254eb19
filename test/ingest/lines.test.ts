import { describe, expect, it } from "vitest";
import { type Line, readLines } from "../../src/ingest/lines.js";

async function collect(chunks: string[], max = 1024): Promise<Line[]> {
  async function* gen() {
    for (const c of chunks) yield Buffer.from(c);
  }
  const out: Line[] = [];
  for await (const l of readLines(gen(), max)) out.push(l);
  return out;
}

describe("readLines", () => {
  it("splits lines across chunk boundaries, numbering every line", async () => {
    expect(await collect(['{"a":', '1}\n{"b"', ":2}\r\n\n", '{"c":3}'])).toEqual([
      { line: 1, text: '{"a":1}' },
      { line: 2, text: '{"b":2}' },
      { line: 4, text: '{"c":3}' },
    ]);
  });

  it("keeps multi-byte characters split between chunks intact", async () => {
    const bytes = Buffer.from('{"g":"é€"}\n');
    async function* gen() {
      yield bytes.subarray(0, 7);
      yield bytes.subarray(7);
    }
    const out: Line[] = [];
    for await (const l of readLines(gen(), 100)) out.push(l);
    expect(out).toEqual([{ line: 1, text: '{"g":"é€"}' }]);
  });

  it("reports a line over the limit and carries on after it", async () => {
    const long = "x".repeat(50);
    expect(await collect(["ok1\n", long.slice(0, 20), long.slice(20), "\nok2\n"], 30)).toEqual([
      { line: 1, text: "ok1" },
      { line: 2, text: undefined },
      { line: 3, text: "ok2" },
    ]);
    expect(await collect([long], 30)).toEqual([{ line: 1, text: undefined }]);
  });
});
