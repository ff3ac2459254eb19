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
