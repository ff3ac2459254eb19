import type {
  CappedList,
  EvidenceDocument,
  EvidenceGate,
  EvidenceJudgement,
  RoleHistory,
  SubgroupTable,
} from "./document.js";

/**
 * The evidence as Markdown for a model card: "Evaluation" (the latest judgement's gates and the
 * subgroup tables) and "Change history" (when and as what the version was judged), then every
 * judgement with its gates and its audit record, then how to check the chain. Written in three
 * parts so a writer can stream the judgements between head and tail.
 *
 * Figures are shown to 4 significant digits. Names, reasons and versions come from clients: they
 * are escaped so they render as text (no markup, no table breaks) in any CommonMark renderer.
 */

/** A number as shown: 4 significant digits, "–" when undefined. */
export function figure(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? "–" : String(Number(x.toPrecision(4)));
}

export function intervalText(iv: readonly [number | null, number | null] | null): string {
  return iv ? `[${figure(iv[0])}, ${figure(iv[1])}]` : "–";
}

/** Client text as inline Markdown: punctuation that could start markup is backslash-escaped. */
export function text(s: string): string {
  return s.replace(/[\\`*_[\]<>|&#!~]/g, "\\$&").replace(/\s*\r?\n\s*/g, " ");
}

const code = (s: string) => `\`${s}\``;
const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
const table = (header: string[], rows: string[][]) =>
  [row(header), row(header.map(() => "---")), ...rows.map(row)].join("\n");
const list = (l: CappedList) =>
  l.values.length === 0
    ? "–"
    : `${l.values.map(text).join(", ")}${l.omitted > 0 ? ` (and ${l.omitted} more)` : ""}`;

const GATE_HEADER = [
  "gate",
  "verdict",
  "metric",
  "value",
  "threshold",
  "anytime-valid interval",
  "n (baseline / candidate)",
  "reason",
];

export function gateTable(gates: Record<string, EvidenceGate>): string {
  const names = Object.keys(gates);
  if (names.length === 0) return "No gates were run.";
  return table(
    GATE_HEADER,
    names.map((name) => {
      const g = gates[name];
      return [
        code(name),
        g.verdict,
        code(g.metric),
        figure(g.value),
        figure(g.threshold),
        intervalText(g.interval),
        `${g.n.baseline} / ${g.n.candidate}`,
        text(g.reason),
      ];
    }),
  );
}

function roleText(e: EvidenceJudgement): string {
  const rollout = e.rollout ? `, Rollout ${text(e.rollout)}` : "";
  const against =
    e.role === "both"
      ? "judged against itself"
      : e.role === "candidate"
        ? `candidate against baseline ${text(e.against)}`
        : `baseline for candidate ${text(e.against)}`;
  return `${against}${rollout}, look ${e.look} of run ${text(e.runKey)} (${e.mode}), window ${text(e.window)}, source ${text(e.source)}, alpha ${figure(e.alpha)}, score ${figure(e.score)}`;
}

const yesNo = (b: boolean | null) => (b === null ? "–" : b ? "yes" : "no");
const rate = (x: number | null, iv: [number, number] | null) =>
  iv ? `${figure(x)} ${intervalText(iv)}` : figure(x);

function subgroupSection(title: string, t: SubgroupTable): string {
  const source =
    t.basis === "judgement" && t.judgement
      ? `From judgement ${code(t.judgement.id)} (audit record ${t.judgement.seq}, ${text(t.judgement.at)}, as ${t.judgement.role}, window ${text(t.judgement.window)}).`
      : `Events from ${text(t.window?.from ?? "–")} to ${text(t.window?.to ?? "–")}.`;
  const groups = table(
    ["attribute", "group", "decisions", "selection rate", "TPR", "FPR", "judged"],
    t.attributes.flatMap((a) =>
      a.groups.map((g) => [
        text(a.attribute),
        text(g.group),
        String(g.n),
        rate(g.selectionRate, g.selectionRateInterval),
        rate(g.tpr, g.tprInterval),
        rate(g.fpr, g.fprInterval),
        yesNo(g.judged),
      ]),
    ),
  );
  const parity = table(
    ["attribute", "parity ratio", "interval", "verdict"],
    t.attributes.map((a) => [
      text(a.attribute),
      figure(a.parityRatio),
      intervalText(a.parityRatioInterval),
      a.verdict ?? "–",
    ]),
  );
  return `### ${title}\n\n${source} Method: ${t.method}.\n\n${groups}\n\n${parity}\n`;
}

function roleRow(role: string, h: RoleHistory | null): string[] {
  if (!h) return [role, "0", "–", "–", "0", "0", "0", "–", "–"];
  return [
    role,
    String(h.judgements),
    text(h.first),
    text(h.last),
    String(h.verdicts.pass),
    String(h.verdicts.fail),
    String(h.verdicts.inconclusive),
    list(h.against),
    list(h.rollouts),
  ];
}

/** Title, the chain statement, "Evaluation" and "Change history". */
export function markdownHead(d: EvidenceDocument): string {
  const out: string[] = [];
  out.push(`# Evidence: model ${text(d.model)}, version ${text(d.version)}\n`);
  out.push(
    `Made by modelgate at ${d.generatedAt} from its judgement audit log, which was verified from its first record before anything was written: this evidence covers records 1 to ${d.chain.records}, chain head ${code(d.chain.head)} (${d.chain.verifiedRecords} records verified).\n`,
  );
  out.push("## Evaluation\n");
  const l = d.latest;
  if (l) {
    out.push(
      `Latest judgement as ${l.role === "baseline" ? "baseline" : "candidate"}: **${l.verdict}**, ${text(l.at)}, judgement ${code(l.id)}: ${roleText(l)}.\n`,
    );
    out.push(`Reason: ${text(l.reason)}\n`);
    out.push(`${gateTable(l.gates)}\n`);
  } else {
    out.push("The version has not been judged.\n");
  }
  const { fromJudgement, fromStore } = d.subgroups;
  if (fromJudgement) out.push(subgroupSection("Subgroups, as judged", fromJudgement));
  if (fromStore) out.push(subgroupSection("Subgroups, recomputed from the store", fromStore));
  if (!fromJudgement && !fromStore) out.push("No subgroup (protected attribute) figures were recorded.\n");
  out.push("## Change history\n");
  out.push(
    `${table(
      ["as", "judgements", "first", "last", "pass", "fail", "inconclusive", "against", "Rollouts"],
      [roleRow("candidate", d.seen.asCandidate), roleRow("baseline", d.seen.asBaseline)],
    )}\n`,
  );
  const t = d.seen.traffic;
  out.push(
    t
      ? `Traffic in the store: ${t.events} events from ${t.firstEvent ?? "–"} to ${t.lastEvent ?? "–"} (${t.scored} scored, ${t.labelled} labelled, ${t.errors} errors).\n`
      : "Traffic: the store holds no events of this version (none sent, erased, or another source was judged).\n",
  );
  out.push("## Judgements\n");
  if (d.seen.asCandidate === null && d.seen.asBaseline === null) out.push("None.\n");
  return out.join("\n");
}

/** One judgement: what was judged, the reason, the gates, and its audit record. `ordinal` counts from 1. */
export function markdownJudgement(e: EvidenceJudgement, ordinal: number): string {
  return `### ${ordinal}. ${text(e.at)}: ${e.verdict} (${code(e.id)})

${roleText(e)[0].toUpperCase()}${roleText(e).slice(1)}.

Reason: ${text(e.reason)}

${gateTable(e.gates)}

Audit record ${e.seq}: hash ${code(e.hash)}, linked to the record before it by ${code(e.prev)}.
`;
}

/** How the chain proves the records, and the head to compare against. */
export function markdownTail(d: EvidenceDocument): string {
  return `
## Audit-chain proof

Each judgement above is one line of modelgate's judgement audit log (\`<data-dir>/judge/audit.jsonl\`).
A record's hash is sha256(previous hash + "\\n" + sequence number + "\\n" + the record's canonical JSON),
and the first record links to ${code(d.chain.genesis)}, so changing, removing or reordering any record
breaks every hash after it. The records listed lead to the chain head ${code(d.chain.head)} (record ${d.chain.records}).
To check a copy of the log: \`modelgate audit verify --file audit.jsonl\` recomputes every hash and prints the head,
which is this one or a later one whose chain passes through record ${d.chain.records} with this hash.
`;
}

/** The whole document as Markdown (all its judgements in memory). */
export function evidenceMarkdown(d: EvidenceDocument): string {
  return [markdownHead(d), ...d.judgements.map((e, i) => markdownJudgement(e, i + 1)), markdownTail(d)].join(
    "\n",
  );
}
