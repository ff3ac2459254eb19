import { describe, expect, it } from "vitest";
import { countLines, type Line, readLineBlocks, readLines } from "../../src/ingest/lines.js";
import { mulberry32 } from "../../src/stats/random.js";

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

describe("readLineBlocks", () => {
  type Got = Array<{ line: number; text: string | undefined }>;
  /** The lines of the blocks, split as the store splits them (empty lines dropped). */
  async function viaBlocks(chunks: Buffer[], max: number, blockBytes: number): Promise<Got> {
    async function* gen() {
      yield* chunks;
    }
    const out: Got = [];
    for await (const b of readLineBlocks(gen(), max, blockBytes)) {
      if (b.kind === "tooLong") {
        out.push({ line: b.line, text: undefined });
        continue;
      }
      expect(countLines(b.buf)).toBe(
        b.buf.toString("latin1").split("\n").length - (b.buf.at(-1) === 0x0a ? 1 : 0),
      );
      b.buf
        .toString("utf8")
        .split("\n")
        .forEach((t, i) => {
          const text = t.endsWith("\r") ? t.slice(0, -1) : t;
          if (text.length > max) out.push({ line: b.firstLine + i, text: undefined });
          else if (text.length > 0) out.push({ line: b.firstLine + i, text });
        });
    }
    return out;
  }

  it("yields every line with its number, and each over-limit line once, whatever the chunking", async () => {
    const random = mulberry32(11);
    for (let trial = 0; trial < 200; trial++) {
      const parts: string[] = [];
      const n = 1 + Math.floor(random() * 30);
      for (let i = 0; i < n; i++) {
        const len = Math.floor(random() * random() * 70);
        parts.push("ab{".repeat(len).slice(0, len) + (random() < 0.1 ? "\r" : ""));
      }
      const text = parts.join("\n") + (random() < 0.5 ? "\n" : "");
      const bytes = Buffer.from(text);
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; ) {
        const k = 1 + Math.floor(random() * 40);
        chunks.push(bytes.subarray(i, i + k));
        i += k;
      }
      const max = 20 + Math.floor(random() * 40);
      // independent oracle: split the whole text; a line over the limit (without its \r) is undefined
      const expected: Got = [];
      text.split("\n").forEach((t, i) => {
        const line = t.endsWith("\r") ? t.slice(0, -1) : t;
        if (line.length > max) expected.push({ line: i + 1, text: undefined });
        else if (line.length > 0) expected.push({ line: i + 1, text: line });
      });
      expect(await viaBlocks(chunks, max, 1 + Math.floor(random() * 200))).toEqual(expected);
    }
  });

  it("keeps multi-byte characters split between chunks intact", async () => {
    const bytes = Buffer.from('{"g":"é€"}\n{"h":1}');
    expect(await viaBlocks([bytes.subarray(0, 7), bytes.subarray(7)], 100, 4)).toEqual([
      { line: 1, text: '{"g":"é€"}' },
      { line: 2, text: '{"h":1}' },
    ]);
  });

  it("holds at most blockBytes + maxLineBytes + a chunk, and hands over whole lines", async () => {
    const stream = Buffer.from(`${"x".repeat(99)}\n`.repeat(150)); // 150 lines of 100 bytes
    async function* gen() {
      for (let i = 0; i < stream.length; i += 150) yield stream.subarray(i, i + 150); // cut mid-line
    }
    let lines = 0;
    for await (const b of readLineBlocks(gen(), 1000, 1024)) {
      expect(b.kind).toBe("lines");
      if (b.kind !== "lines") continue;
      expect(b.buf.length).toBeLessThanOrEqual(1024 + 150);
      expect(b.buf.at(-1)).toBe(0x0a);
      expect(b.firstLine).toBe(lines + 1);
      lines += countLines(b.buf);
    }
    expect(lines).toBe(150);
  });
});
