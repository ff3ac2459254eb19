/** A small Dockerfile reader: stages and their instructions, enough to check and replay ours. */
export interface Instruction {
  op: string;
  /** the raw argument text, continuations joined */
  text: string;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

export function parseDockerfile(source: string): Stage[] {
  const logical: string[] = [];
  let current = "";
  for (const raw of source.split("\n")) {
    const line = raw.trimEnd();
    if (current === "" && (line.trim() === "" || line.trim().startsWith("#"))) continue;
    if (line.trim().startsWith("#")) continue; // comment lines inside a continued instruction
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(`${current}${line.trim()}`);
    current = "";
  }
  const stages: Stage[] = [];
  for (const l of logical) {
    const [op, ...rest] = l.split(/\s+/);
    const text = rest.join(" ");
    if (op!.toUpperCase() === "FROM") {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(text);
      if (!m) throw new Error(`bad FROM: ${l}`);
      stages.push({ from: m[1]!, name: m[2] ?? String(stages.length), instructions: [] });
      continue;
    }
    if (op!.toUpperCase() === "ARG" && stages.length === 0) continue;
    const stage = stages.at(-1);
    if (!stage) throw new Error(`instruction before FROM: ${l}`);
    stage.instructions.push({ op: op!.toUpperCase(), text });
  }
  return stages;
}

export function stage(stages: Stage[], name: string): Stage {
  const s = stages.find((x) => x.name === name);
  if (!s) throw new Error(`no stage ${name}`);
  return s;
}

/** RUN commands of a stage, each `&&`-chained command separately. */
export function runCommands(s: Stage): string[] {
  return s.instructions
    .filter((i) => i.op === "RUN")
    .flatMap((i) => i.text.split("&&").map((c) => c.trim().replace(/\s+/g, " ")));
}

export interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}

export function copies(s: Stage): Copy[] {
  return s.instructions
    .filter((i) => i.op === "COPY")
    .map((i) => {
      const parts = i.text.split(/\s+/);
      const fromFlag = parts.find((p) => p.startsWith("--from="));
      const rest = parts.filter((p) => !p.startsWith("--"));
      return { from: fromFlag?.slice("--from=".length), sources: rest.slice(0, -1), dest: rest.at(-1)! };
    });
}

/** ENV k=v pairs (the form our Dockerfile uses). */
export function env(s: Stage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of s.instructions.filter((x) => x.op === "ENV")) {
    for (const pair of i.text.split(/\s+/)) {
      const eq = pair.indexOf("=");
      if (eq > 0) out[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return out;
}

export function last(s: Stage, op: string): string | undefined {
  return s.instructions.filter((i) => i.op === op).at(-1)?.text;
}
