/**
 * Split a byte stream into lines without buffering the whole body: memory is bounded by the
 * longest line allowed (`maxLineBytes`), whatever the stream's size. A longer line is reported
 * (text `undefined`) and skipped up to its newline, so one bad line never sinks a stream.
 * Empty lines (and a trailing `\r`) are ignored; line numbers count every line from 1.
 */
export interface Line {
  line: number;
  /** undefined when the line exceeded maxLineBytes */
  text: string | undefined;
}

export async function* readLines(
  stream: AsyncIterable<Buffer | string>,
  maxLineBytes: number,
): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let lineNo = 0;
  const finish = (): Line | undefined => {
    lineNo++;
    if (tooLong) {
      tooLong = false;
      parts = [];
      size = 0;
      return { line: lineNo, text: undefined };
    }
    let buf = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
    parts = [];
    size = 0;
    if (buf.length > 0 && buf[buf.length - 1] === 0x0d) buf = buf.subarray(0, buf.length - 1);
    if (buf.length === 0) return undefined;
    return { line: lineNo, text: buf.toString("utf8") };
  };
  for await (const chunk of stream) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, start);
      const end = nl === -1 ? buf.length : nl;
      if (!tooLong) {
        if (size + (end - start) > maxLineBytes) {
          tooLong = true;
          parts = [];
          size = 0;
        } else if (end > start) {
          parts.push(buf.subarray(start, end));
          size += end - start;
        }
      }
      if (nl === -1) break;
      const l = finish();
      if (l) yield l;
      start = nl + 1;
    }
  }
  if (size > 0 || tooLong) {
    const l = finish();
    if (l) yield l;
  }
}

/** What readLineBlocks yields: a run of complete lines, or a line that exceeded the limit. */
export type LineBlock = { kind: "lines"; buf: Buffer; firstLine: number } | { kind: "tooLong"; line: number };

/** Number of line starts in `buf` (newlines, plus one for an unterminated last line). */
export function countLines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n++;
  return buf.length > 0 && buf[buf.length - 1] !== 0x0a ? n + 1 : n;
}

/**
 * The same lines as readLines, handed over as blocks of about `blockBytes` of whole lines (one
 * Buffer each, the raw bytes: what the store logs) instead of one string per line, so the hot
 * path pays one await, one concat and one log write per block rather than per line. Memory is
 * bounded by blockBytes + maxLineBytes + one network chunk: a line still open when it passes
 * maxLineBytes is skipped to its newline and reported as `tooLong` (complete lines inside a block
 * are checked against the limit by the consumer). Line numbers count every line from 1.
 */
export async function* readLineBlocks(
  stream: AsyncIterable<Buffer | string>,
  maxLineBytes: number,
  blockBytes: number,
): AsyncGenerator<LineBlock> {
  let parts: Buffer[] = [];
  let size = 0;
  /** bytes since the last newline held in parts */
  let tail = 0;
  let skipping = false;
  let nextLine = 1;
  // whole lines of the held bytes (up to the last newline) as one block; the tail stays held
  function* flush(all: boolean): Generator<LineBlock> {
    if (size === 0) return;
    const buf = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
    const cut = all ? buf.length : buf.length - tail;
    parts = cut < buf.length ? [buf.subarray(cut)] : [];
    size = buf.length - cut;
    if (cut === 0) return;
    const block = buf.subarray(0, cut);
    yield { kind: "lines", buf: block, firstLine: nextLine };
    nextLine += countLines(block);
  }
  for await (const chunk of stream) {
    let buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    if (skipping) {
      const nl = buf.indexOf(0x0a);
      if (nl === -1) continue;
      skipping = false;
      yield { kind: "tooLong", line: nextLine++ };
      buf = buf.subarray(nl + 1);
    }
    const last = buf.lastIndexOf(0x0a);
    tail = last === -1 ? tail + buf.length : buf.length - last - 1;
    if (buf.length > 0) {
      parts.push(buf);
      size += buf.length;
    }
    // +1: the open line may end with the \r of a \r\n, which does not count against the limit
    if (tail > maxLineBytes + 1) {
      // the open line is too long already: hand over the lines before it, drop it up to its newline
      yield* flush(false);
      parts = [];
      size = 0;
      tail = 0;
      skipping = true;
    } else if (size >= blockBytes) yield* flush(false);
  }
  if (skipping) yield { kind: "tooLong", line: nextLine++ };
  else yield* flush(true);
}
