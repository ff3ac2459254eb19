/**
 * Reads back the evidence Markdown the way a person would: tables split on unescaped pipes with
 * CommonMark backslash escapes undone, and the per-judgement blocks by their headings. Independent
 * of src/evidence/markdown.ts on purpose, so a test compares what the Markdown shows with the data.
 */

export const unescapeMarkdown = (s: string) => s.replace(/\\([\\`*_[\]<>|&#!~])/g, "$1");

/** Cells of a table row, unescaped, code spans unwrapped. */
export function cells(line: string): string[] {
  const out: string[] = [];
  let cell = "";
  const body = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  for (let i = 0; i < body.length; i++) {
    if (body[i] === "\\" && i + 1 < body.length) {
      cell += body[i] + body[i + 1];
      i++;
    } else if (body[i] === "|") {
      out.push(cell);
      cell = "";
    } else cell += body[i];
  }
  out.push(cell);
  return out.map((c) => unescapeMarkdown(c.trim()).replace(/^`(.*)`$/, "$1"));
}

/** Every table under a text block: header cells and row cells (separator rows dropped). */
export function tables(block: string): Array<{ header: string[]; rows: string[][] }> {
  const out: Array<{ header: string[]; rows: string[][] }> = [];
  const lines = block.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith("|") || !lines[i + 1]?.startsWith("| ---")) continue;
    const header = cells(lines[i]);
    const rows: string[][] = [];
    for (i += 2; i < lines.length && lines[i].startsWith("|"); i++) rows.push(cells(lines[i]));
    out.push({ header, rows });
  }
  return out;
}

/** Text between a heading (## or ###, exact) and the next heading of the same or higher level. */
export function section(md: string, heading: string): string {
  const level = heading.match(/^#+/)?.[0].length ?? 2;
  const start = md.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`no heading "${heading}"`);
  const rest = md.slice(start + heading.length + 2);
  const next = rest.search(new RegExp(`\\n#{1,${level}} `));
  return next === -1 ? rest : rest.slice(0, next);
}

export interface JudgementBlock {
  ordinal: number;
  at: string;
  verdict: string;
  id: string;
  text: string;
  gates: string[][];
  seq: number;
  hash: string;
  prev: string;
}

/** The "### N. at: verdict (`id`)" blocks of the Judgements section. */
export function judgementBlocks(md: string): JudgementBlock[] {
  const body = section(md, "## Judgements");
  const parts = body.split(/\n(?=### \d+\. )/).filter((p) => p.startsWith("### "));
  return parts.map((p) => {
    const head = p.match(/^### (\d+)\. (\S+): (\w+) \(`(j-[0-9a-f]+)`\)/);
    const proof = p.match(
      /Audit record (\d+): hash `([0-9a-f]{64})`, linked to the record before it by `([0-9a-f]{64})`/,
    );
    if (!head || !proof) throw new Error(`unreadable judgement block: ${p.slice(0, 200)}`);
    return {
      ordinal: Number(head[1]),
      at: head[2],
      verdict: head[3],
      id: head[4],
      text: p,
      gates: tables(p)[0]?.rows ?? [],
      seq: Number(proof[1]),
      hash: proof[2],
      prev: proof[3],
    };
  });
}

/** "0.4732 [0.4334, 0.5133]" → value and interval; "–" → null. */
export function figureWithInterval(cell: string): {
  value: number | null;
  interval: [number, number] | null;
} {
  const m = cell.match(/^(\S+)(?: \[(\S+), (\S+)\])?$/);
  if (!m) throw new Error(`not a figure: ${cell}`);
  const n = (s: string) => (s === "–" ? null : Number(s));
  return { value: n(m[1]), interval: m[2] !== undefined ? [Number(m[2]), Number(m[3])] : null };
}

/** What a figure shows: 4 significant digits (an independent statement of the documented format). */
export const shown = (x: number | null | undefined) =>
  x === null || x === undefined ? "–" : String(Number(x.toPrecision(4)));
