import { NotEmulated } from "./jsonpath.js";

/**
 * expr-lang's lexer and parser (parser/lexer, parser/parser.go) for the subset the emulation
 * runs: literals, identifiers, `.`/`?.` members and `[…]` indexes (with the ChainNode that
 * makes `?.` skip the rest of a member chain), calls, unary `!`/`not`/`-`, and the binary
 * operators `==` `!=` `<` `<=` `>` `>=` `&&`/`and` `||`/`or` `??`, with expr's precedence
 * (or 10, and 15, comparisons 20, unary !/not 50, unary - 90, ?? 500; a unary operator's operand
 * is parsed at its own precedence, so `-a ?? b` is `-(a ?? b)`) and its rule that no other
 * operator may follow a `??` at the same level ("cannot be mixed", a compile error).
 * Anything else expr accepts (arithmetic, in/matches/contains, ranges, ternaries, closures,
 * array and map literals, slices, pipes, let, backquoted strings, `?.[`) throws NotEmulated; a
 * syntax error expr would report in its own words also throws NotEmulated.
 */
export class ExprError extends Error {
  override name = "ExprError";
}

export type Node =
  | { k: "nil" }
  | { k: "bool"; v: boolean }
  | { k: "int"; v: number }
  | { k: "float"; v: number }
  | { k: "str"; v: string }
  | { k: "ident"; name: string }
  | { k: "unary"; op: "!" | "not" | "-"; x: Node }
  | { k: "binary"; op: string; l: Node; r: Node }
  | { k: "member"; obj: Node; prop: Node; optional: boolean }
  | { k: "chain"; x: Node }
  | { k: "call"; fn: string; args: Node[] };

type Tok =
  | { t: "num"; text: string }
  | { t: "str"; v: string }
  | { t: "id"; v: string }
  | { t: "op"; v: string }
  | { t: "eof" };

const WORD_OPERATORS = new Set([
  "and",
  "or",
  "not",
  "in",
  "matches",
  "contains",
  "startsWith",
  "endsWith",
  "let",
]);
const PUNCTUATION = [
  "??",
  "?.",
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "..",
  "**",
  "!",
  "<",
  ">",
  "(",
  ")",
  "[",
  "]",
  ".",
  ",",
  "-",
  "+",
  "*",
  "/",
  "%",
  "^",
  "?",
  ":",
  "{",
  "}",
  "#",
  "|",
  ";",
];
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', "'": "'" };

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^\d+(\.\d+)?([eE][+-]?\d+)?/.exec(src.slice(i))!;
      const after = src[i + m[0].length];
      if (after !== undefined && /[A-Za-z0-9_.]/.test(after))
        throw new NotEmulated(`number literal at "${src.slice(i)}"`);
      out.push({ t: "num", text: m[0] });
      i += m[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let s = "";
      while (j < src.length && src[j] !== c) {
        if (src[j] === "\\") {
          const e = ESCAPES[src[j + 1] ?? ""];
          if (e === undefined) throw new NotEmulated(`string escape \\${src[j + 1]}`);
          s += e;
          j += 2;
          continue;
        }
        s += src[j];
        j++;
      }
      if (j >= src.length) throw new NotEmulated("an unterminated string literal");
      out.push({ t: "str", v: s });
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i))!;
      out.push(WORD_OPERATORS.has(m[0]) ? { t: "op", v: m[0] } : { t: "id", v: m[0] });
      i += m[0].length;
      continue;
    }
    const op = PUNCTUATION.find((o) => src.startsWith(o, i));
    if (!op) throw new NotEmulated(`expr character at "${src.slice(i)}"`);
    out.push({ t: "op", v: op });
    i += op.length;
  }
  out.push({ t: "eof" });
  return out;
}

/** Binary operators of the subset and their precedence (all left-associative). */
const BINARY: Record<string, number> = {
  or: 10,
  "||": 10,
  and: 15,
  "&&": 15,
  "==": 20,
  "!=": 20,
  "<": 20,
  "<=": 20,
  ">": 20,
  ">=": 20,
  "??": 500,
};
/** Binary operators expr has beyond the subset. */
const OTHER_BINARY: Record<string, number> = {
  "|": 0,
  in: 20,
  matches: 20,
  contains: 20,
  startsWith: 20,
  endsWith: 20,
  "..": 25,
  "+": 30,
  "-": 30,
  "*": 60,
  "/": 60,
  "%": 60,
  "**": 100,
  "^": 100,
};
const UNARY: Record<string, number> = { not: 50, "!": 50, "-": 90, "+": 90 };

export function parse(src: string): Node {
  const toks = tokenize(src);
  let pos = 0;
  const peek = () => toks[pos]!;
  const next = () => toks[pos++]!;
  const isOp = (t: Tok, v: string) => t.t === "op" && t.v === v;
  const expectOp = (v: string) => {
    if (!isOp(next(), v)) throw new NotEmulated(`a syntax error (expected ${v}) in "${src}"`);
  };

  function expression(precedence: number): Node {
    let left = primary();
    let previous = "";
    for (;;) {
      const t = peek();
      if (t.t !== "op") break;
      if (t.v === "not") throw new NotEmulated(`expr operator not ${JSON.stringify(toks[pos + 1])}`);
      const p = BINARY[t.v] ?? OTHER_BINARY[t.v];
      if (p === undefined || p < precedence) break;
      next();
      // parser.go: after a ?? only another ?? may follow at the same level.
      if (previous === "??" && t.v !== "??")
        throw new ExprError(
          `Operator (${t.v}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.`,
        );
      if (BINARY[t.v] === undefined) throw new NotEmulated(`expr operator ${t.v}`);
      const right = expression(p + 1);
      left = { k: "binary", op: t.v, l: left, r: right };
      previous = t.v;
    }
    if (precedence === 0 && isOp(peek(), "?")) throw new NotEmulated("expr ternary");
    return left;
  }

  function primary(): Node {
    const t = peek();
    if (t.t === "op" && UNARY[t.v] !== undefined) {
      next();
      if (t.v === "+") throw new NotEmulated("expr unary +");
      const x = expression(UNARY[t.v]!);
      return postfix({ k: "unary", op: t.v as "!" | "not" | "-", x });
    }
    if (isOp(t, "(")) {
      next();
      const e = expression(0);
      expectOp(")");
      return postfix(e);
    }
    return postfix(secondary());
  }

  function secondary(): Node {
    const t = next();
    if (t.t === "num") {
      const isInt = /^\d+$/.test(t.text);
      const v = Number(t.text);
      if (isInt && !Number.isSafeInteger(v)) throw new NotEmulated(`integer literal ${t.text}`);
      return isInt ? { k: "int", v } : { k: "float", v };
    }
    if (t.t === "str") return { k: "str", v: t.v };
    if (t.t === "id") {
      if (t.v === "nil") return { k: "nil" };
      if (t.v === "true" || t.v === "false") return { k: "bool", v: t.v === "true" };
      if (isOp(peek(), "(")) {
        next();
        const args: Node[] = [];
        if (isOp(peek(), ")")) next();
        else
          for (;;) {
            args.push(expression(0));
            const sep = next();
            if (isOp(sep, ")")) break;
            if (!isOp(sep, ",")) throw new NotEmulated(`a syntax error in the arguments of ${t.v}()`);
          }
        return { k: "call", fn: t.v, args };
      }
      return { k: "ident", name: t.v };
    }
    throw new NotEmulated(`expr token ${JSON.stringify(t)} in "${src}"`);
  }

  function postfix(start: Node): Node {
    let node = start;
    for (;;) {
      const t = peek();
      if (isOp(t, ".") || isOp(t, "?.")) {
        next();
        const name = next();
        if (name.t === "op" && name.v === "[") throw new NotEmulated("expr ?.[");
        if (name.t !== "id" && !(name.t === "op" && /^[A-Za-z_$]/.test(name.v)))
          throw new NotEmulated(`a syntax error (expected name) in "${src}"`);
        if (isOp(peek(), "(")) throw new NotEmulated("expr method call");
        const optional = isOp(t, "?.");
        // parsePostfixExpression: a `.`/`?.` continues the chain a `?.` started
        const inChain = node.k === "chain";
        const obj = node.k === "chain" ? node.x : node;
        const member: Node = { k: "member", obj, prop: { k: "str", v: name.v }, optional };
        node = inChain || optional ? { k: "chain", x: member } : member;
      } else if (isOp(t, "[")) {
        next();
        if (isOp(peek(), ":")) throw new NotEmulated("expr slice");
        const index = expression(0);
        if (isOp(peek(), ":")) throw new NotEmulated("expr slice");
        expectOp("]");
        node = { k: "member", obj: node, prop: index, optional: false };
      } else {
        return node;
      }
    }
  }

  const ast = expression(0);
  if (peek().t !== "eof") throw new NotEmulated(`expr token ${JSON.stringify(peek())} in "${src}"`);
  return ast;
}
