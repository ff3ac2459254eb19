import { writeFileSync } from "node:fs";
import { ConfigError, loadConfig } from "../config.js";
import { GateConfigError } from "../gates/config-parse.js";
import { GATE_NAMES } from "../gates/registry.js";
import { SHADOW_GATE_NAMES } from "../gates/shadow/registry.js";
import { parseEvent } from "../ingest/event.js";
import type { JudgeResponse } from "../judge/judgement.js";
import { dictionary } from "../safe-keys.js";
import { judgementPage } from "../ui/judgement-page.js";
import { parseOptions } from "./command-line.js";
import { judgeFiles } from "./offline-judge.js";
import { PredictionsFileError } from "./predictions-file.js";
import type { CliIo, Command } from "./run.js";

const HELP = `modelgate judge — judge a challenger against the champion on held-out predictions (offline)

Usage: modelgate judge --baseline FILE --candidate FILE [--mode canary|shadow] [options]

Runs the same gates, statistics and policy as the service's /v1/judge on two predictions files,
so a CI pipeline can use it as a promotion gate. Exit code: 0 pass, 1 fail, 2 inconclusive or a
usage / file error.

--mode canary (default) judges the files as two samples. --mode shadow judges the two models'
answers to the SAME requests pair by pair (the service's mode=shadow and its gates: ${SHADOW_GATE_NAMES.join(", ")}):
rows are paired by their id, so every row needs one (an id repeated within a file is an error too);
rows whose id is missing from the other file are counted but not judged.

Offline judging is one look: nothing carries over from one run of the command to the next, so
there is no look schedule to declare (--looks and --spending are refused). The bounds are
anytime-valid, so judging the same comparison again on more rows stays valid.

Files are NDJSON (one object a line with the fields of POST /v1/events: score, label, decision,
latencyMs, error, ts, id, groups {…}, features {…}) or CSV with a header row (columns score, label,
decision, latencyMs, error, ts, id, group.<attribute>, feature.<name>); the format follows the
extension (.csv, else NDJSON) unless --format says. Any other field or column is an error naming it,
and so is a file without rows.

Options:
  --baseline FILE, --champion FILE     predictions of the current model
  --candidate FILE, --challenger FILE  predictions of the new model
  --mode canary|shadow  two samples (default) or paired answers to the same requests (by id)
  --gates LIST          gates to run, comma-separated (default: all of ${GATE_NAMES.join(", ")};
                        with --mode shadow all of ${SHADOW_GATE_NAMES.join(", ")})
  --optional LIST       gates whose inconclusive verdict does not block a pass
  --alpha N             family-wise error budget (default 0.05)
  --min-samples N       minimum samples for every gate
  --set GATE.FIELD=V    a gate setting, repeatable (e.g. --set latency.maxRatio=1.2)
  --model NAME          model name shown in the output (default "model")
  --threshold X         score at or above which a prediction is a positive decision, in (0, 1)
                        (default 0.5)
  --format csv|ndjson   file format when the extension does not tell
  --json                print the judgement as JSON instead of a table
  --report FILE         also write a standalone HTML report (plots, gates, reason)
  --help                show this help

Examples:
  modelgate judge --champion champion.csv --challenger challenger.csv
  modelgate judge --baseline prod.ndjson --candidate new.ndjson --gates auc,fairness --json
  modelgate judge --baseline a.csv --candidate b.csv --set auc.margin=0.01 --report report.html || exit 1
  modelgate judge --mode shadow --champion champion-answers.csv --challenger challenger-answers.csv \
    --set fairness.maxFlipRateGap=0.01
`;

/**
 * Why the offline judge takes no look schedule. Each run of the command is look 1 of a fresh run
 * (no history between runs): a schedule of K > 1 looks would spend only its first look's share of
 * alpha, and one look (a fixed-sample test) would be invalid as soon as a pipeline judges the same
 * comparison again on more rows. The anytime-valid bounds stay valid however often it is re-run.
 */
const OFFLINE_ONE_LOOK =
  "offline judging is one look (nothing carries over between runs of the command), so there is no look schedule to declare; its anytime-valid bounds stay valid when the same comparison is judged again on more rows. A declared schedule is for the service's repeated looks: the judge request's looks and spending fields, which the AnalysisTemplates send from their count and spending args";

const EXIT: Record<string, number> = { pass: 0, fail: 1, inconclusive: 2 };

/** Shadow mode: how many requests were paired, and how many rows found no partner in the other file. */
function pairingLine(r: JudgeResponse): string {
  if (r.judgement.mode !== "shadow") return "";
  const m = Object.values(r.gates).find((g) => typeof g.metrics.pairs === "number")?.metrics;
  if (!m) return "";
  const n = (k: string) => (typeof m[k] === "number" ? m[k] : 0);
  return `paired: ${n("pairs")} requests (rows without a partner: ${n("pendingBaseline") + n("unpairedBaseline")} baseline, ${n("pendingCandidate") + n("unpairedCandidate")} candidate)\n`;
}

function table(r: JudgeResponse): string {
  const f = (x: number | null) => (x === null ? "–" : Number(x.toPrecision(4)).toString());
  const rows = [
    ["gate", "verdict", "metric", "value", "threshold", "interval", "n (b/c)"],
    ...Object.entries(r.gates).map(([name, g]) => [
      name,
      g.verdict,
      g.metric,
      f(g.value),
      f(g.threshold),
      g.interval ? `[${f(g.interval[0])}, ${f(g.interval[1])}]` : "–",
      `${g.n.baseline}/${g.n.candidate}`,
    ]),
  ];
  const widths = rows[0].map((_, k) => Math.max(...rows.map((row) => row[k].length)));
  const lines = rows.map((row) =>
    row
      .map((c, k) => c.padEnd(widths[k]))
      .join("  ")
      .trimEnd(),
  );
  const reasons = Object.entries(r.gates).map(([name, g]) => `  ${name}: ${g.reason}`);
  return `verdict: ${r.summary.verdict.toUpperCase()} (score ${r.summary.score})
decisive: ${r.summary.reason}
${pairingLine(r)}
${lines.join("\n")}

reasons:
${reasons.join("\n")}
`;
}

function parseSets(sets: string[]): Record<string, string> {
  const out = dictionary<string>();
  for (const s of sets) {
    const eq = s.indexOf("=");
    if (eq <= 0 || !s.slice(0, eq).includes(".")) {
      throw new GateConfigError("--set", `expects GATE.FIELD=VALUE, got "${s}"`);
    }
    const key = s.slice(0, eq).trim();
    if (key in out) throw new GateConfigError(`--set ${key}`, "is given twice");
    out[key] = s.slice(eq + 1).trim();
  }
  return out;
}

/** Request fields the command's own flags fill: an error about one names the flag. */
const FLAG_OF_FIELD: Record<string, string> = {
  gates: "--gates",
  optional: "--optional",
  alpha: "--alpha",
  minSamples: "--min-samples",
};

/** Exactly one of two flags that name the same file; undefined when neither is given. */
function oneOf(values: Record<string, unknown>, a: string, b: string): string | undefined {
  if (values[a] !== undefined && values[b] !== undefined)
    throw new GateConfigError(`--${a}`, `give --${a} or --${b}, not both`);
  return (values[a] ?? values[b]) as string | undefined;
}

export const judgeCommand: Command = {
  name: "judge",
  summary: "judge a challenger against the champion on predictions files (CI gate)",
  async run(args: string[], io: CliIo): Promise<number> {
    const fail = (message: string) => {
      io.stderr(`modelgate judge: ${message}\n`);
      return 2;
    };
    let values: Record<string, string | boolean | string[] | undefined>;
    try {
      values = parseOptions(args, {
        baseline: { type: "string" },
        champion: { type: "string" },
        candidate: { type: "string" },
        challenger: { type: "string" },
        gates: { type: "string" },
        optional: { type: "string" },
        alpha: { type: "string" },
        "min-samples": { type: "string" },
        set: { type: "string", multiple: true },
        model: { type: "string" },
        threshold: { type: "string" },
        format: { type: "string" },
        json: { type: "boolean" },
        report: { type: "string" },
        mode: { type: "string" },
        // declared only to refuse them with the reason (see OFFLINE_ONE_LOOK)
        looks: { type: "string" },
        spending: { type: "string" },
        help: { type: "boolean" },
      }).values;
    } catch (e) {
      return fail(`${(e as Error).message}\n\n${HELP}`);
    }
    if (values.help) {
      io.stdout(HELP);
      return 0;
    }
    for (const flag of ["looks", "spending"] as const) {
      if (values[flag] !== undefined) return fail(`--${flag}: ${OFFLINE_ONE_LOOK}`);
    }
    let baselineFile: string | undefined;
    let candidateFile: string | undefined;
    try {
      baselineFile = oneOf(values, "baseline", "champion");
      candidateFile = oneOf(values, "candidate", "challenger");
    } catch (e) {
      return fail((e as Error).message);
    }
    if (!baselineFile || !candidateFile) {
      return fail(`--baseline (or --champion) and --candidate (or --challenger) are required\n\n${HELP}`);
    }
    const mode = (values.mode as string | undefined) ?? "canary";
    if (mode !== "canary" && mode !== "shadow") return fail(`--mode must be canary or shadow, got "${mode}"`);
    const model = (values.model as string | undefined) ?? "model";
    const named = parseEvent({ model, version: "v", score: 0 }, 0);
    if (!named.ok) return fail(`--model ${named.error.message}`);
    try {
      const config = loadConfig(io.env, { "decision-threshold": values.threshold as string | undefined });
      const fields: Record<string, unknown> = parseSets((values.set as string[] | undefined) ?? []);
      if (values.gates !== undefined) fields.gates = values.gates;
      if (values.optional !== undefined) fields.optional = values.optional;
      if (values.alpha !== undefined) fields.alpha = values.alpha;
      if (values["min-samples"] !== undefined) fields.minSamples = values["min-samples"];
      const view = await judgeFiles({
        baselineFile,
        candidateFile,
        format: values.format as string | undefined,
        model,
        mode,
        fields,
        config,
        now: (io.clock ?? Date.now)(),
      });
      if (values.report) {
        writeFileSync(values.report as string, judgementPage(view, { nav: false }));
      }
      io.stdout(values.json ? `${JSON.stringify(view.response, null, 2)}\n` : table(view.response));
      if (values.report && !values.json) io.stdout(`report: ${values.report}\n`);
      return EXIT[view.response.summary.verdict] ?? 2;
    } catch (e) {
      if (e instanceof PredictionsFileError) return fail(e.message);
      if (e instanceof GateConfigError) {
        const flag = FLAG_OF_FIELD[e.field];
        return fail(`invalid setting ${flag ? `${flag}${e.message.slice(e.field.length)}` : e.message}`);
      }
      if (e instanceof ConfigError) {
        // --threshold is what the service calls --decision-threshold: name the flag the user typed
        const message =
          e.setting === "--decision-threshold"
            ? `--threshold${e.message.slice(e.setting.length)}`
            : e.message;
        return fail(`invalid setting ${message}`);
      }
      if ((e as NodeJS.ErrnoException).code) return fail((e as Error).message);
      throw e;
    }
  },
};
