/** Markdown rendering of the benchmark results (docs/BENCHMARKS.md). */
import type { CompareRow } from "./compare-python.js";
import { oraclePower, rateDifferencePassLimit } from "./efficiency/oracle.js";
import { qualityOracleN80 } from "./efficiency/quality-oracle.js";
import type { EfficiencyResult } from "./efficiency/run.js";
import { BASE_ERROR_RATE, BASELINE_RATIO } from "./efficiency/scenarios.js";
import type { IngestionResult } from "./ingestion.js";
import type { LatencyRow } from "./judge-latency.js";
import { FIXED_LIMITS } from "./judges/fixed-thresholds.js";
import { GATE_KEYS } from "./judges/judge.js";
import { KAYENTA_THRESHOLDS } from "./judges/kayenta-judge.js";
import type { QualityResult, Rate } from "./quality.js";
import type { Scenario } from "./sim/world.js";
import type { SoakResult, SoakSettings } from "./soak.js";

export interface Machine {
  cpu: string;
  cores: number;
  ramGb: number;
  node: string;
  os: string;
  commit: string;
  /** 1-minute load average when the run started and when it ended (other work on the machine) */
  load: [number, number];
}

export interface BenchResults {
  mode: "full" | "quick";
  command: string;
  date: string;
  seconds: number;
  machine: Machine;
  quality?: QualityResult;
  /** the same judges at 10× the traffic on a subset of regressions */
  qualityHighRate?: QualityResult;
  /** sample efficiency of every gate decision against the information limit */
  efficiency?: EfficiencyResult;
  /** A/A at twice the declared looks, and changes inside the tolerance, with many runs */
  spending?: { aa: QualityResult; inside: QualityResult };
  latency?: { rows: LatencyRow[]; gates: string[] };
  python?: CompareRow[];
  ingestion?: IngestionResult | { error: string };
  /** the soak (rendered by bench/soak.ts) */
  soak?: { result: SoakResult; settings: SoakSettings };
  notes: string[];
  /** sections replaced by later runs (`--render FILE --with LATER.json`): where each came from */
  later?: LaterRun[];
}

/** A later run whose sections replaced this run's (bench/run.ts --with). */
export interface LaterRun {
  sections: string[];
  command: string;
  date: string;
  seconds: number;
  commit: string;
}

const pct = (r: Rate) => `${(r.rate * 100).toFixed(1)}%`;
const pctCi = (r: Rate) =>
  `${pct(r)} (${(r.interval[0] * 100).toFixed(1)}–${(r.interval[1] * 100).toFixed(1)})`;
const int = (x: number) => Math.round(x).toLocaleString("en-US");
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const table = (head: string[], rows: string[][]) =>
  [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");

/** Whether the injected change is beyond modelgate's default tolerance for that gate. */
export function beyondTolerance(s: Scenario): string {
  switch (s.kind) {
    case "drift":
      return s.size > 0.25 ? "yes" : "no (maxPsi 0.25)";
    case "latency":
      return s.size > 1.2 ? "yes" : s.size === 1.2 ? "at limit (1.2×)" : "no (maxRatio 1.2)";
    case "auc":
      return -s.size > 0.02 ? "yes" : -s.size === 0.02 ? "at margin (0.02)" : "no (margin 0.02)";
    case "fairness":
      // the fairness gate fails below a 0.8 ratio or a drop of more than 0.05 from the baseline's (1.0)
      return "yes (drop > 0.05)";
    case "errors":
      return s.size > 0.005 ? "yes" : "at limit (+0.5%)";
    default:
      return "";
  }
}

function qualitySection(q: QualityResult, heading: string, setup = true): string {
  const out: string[] = [];
  const r = q.run;
  const judges = q.aa.map((a) => a.judge);
  out.push(`${heading}\n`);
  if (!setup) {
    out.push(
      `Same model, judges and rules as above; traffic at **${int(r.rate)} requests/s** (≈ ${int(r.rate * r.candidateShare * r.lookSeconds)} canary events per look), ${Math.round(r.labelledShare * 100)}% of events labelled, fewer runs (wider intervals).\n`,
    );
  }
  if (setup)
    out.push(
      [
        `Each run: traffic at **${r.rate} requests/s** (Poisson), **${Math.round((1 - r.candidateShare) * 100)}/${Math.round(r.candidateShare * 100)}** stable/canary split, **${r.looks} looks ${r.lookSeconds} s apart** over the cumulative window (≈ ${int(r.rate * r.candidateShare * r.lookSeconds)} canary events per look, ≈ ${int(r.rate * r.candidateShare * r.lookSeconds * r.looks)} by the last one); ${Math.round(r.labelledShare * 100)}% of events carry their label. A run **fails** at the first look at which the judge says fail (Argo's default \`failureLimit: 0\` aborts there). All judges see the same events of the same runs (seeded).`,
        "",
        "Synthetic model (bench/sim/world.ts): label ~ Bernoulli(0.3); score = logistic(z), z ~ N(1.19·label, 1) (AUC 0.80); latency ~ LogNormal(ln 50 ms, 0.5) (p95 ≈ 114 ms); groups a/b 50/50, decision = score ≥ 0.5 (selection rate ≈ 0.61 in both). Regressions are injected into the canary only: prediction shift (z + δ, δ solved for the stated PSI on 10 baseline-decile bins), latency × factor, AUC drop by label noise (scores and selection rates unchanged), group b's positive decisions kept with probability = target parity ratio, errors at the stated rate (stable: 0).",
        "",
        "Judges:",
        `- **modelgate**: the registered gates (${q.gates.modelgate.join(", ")}) with default configs, each at alpha/${q.gates.modelgate.length} of a family-wise alpha 0.05 (the judge's Bonferroni split), combined by the judge's policy; summaries built by the store's CohortState.applyEvent. Anytime-valid: no look schedule declared.`,
        `- **modelgate, ${r.looks} looks declared**: the same, with the request declaring Argo's count (\`looks: ${r.looks}\`, as the shipped templates pass it): group-sequential bounds over the declared looks with an anytime reserve.`,
        `- **fixed thresholds** as written by hand, checked on cumulative point estimates at every look: PSI < ${FIXED_LIMITS.psi}, canary p95 < ${FIXED_LIMITS.p95Ratio} × stable p95, AUC drop < ${FIXED_LIMITS.aucDrop}, parity ratio ≥ ${FIXED_LIMITS.parityRatio}, canary error rate < ${FIXED_LIMITS.errorRate * 100}%.`,
        `- **Kayenta NetflixACAJudge** (bench/baselines/kayenta.ts) re-applied at every look to per-${r.stepSeconds}-second aggregates of each arm since the start: mean score (either), p95 latency (increase, allowedIncrease 1.2), error rate (increase), AUC of the step's labelled events (decrease), selection rate of group a and of group b (either); one Kayenta group per gate, equal weights; the run fails when a look's score ≤ marginal ${KAYENTA_THRESHOLDS.marginal} or the last look's score < pass ${KAYENTA_THRESHOLDS.pass} (standalone canary analysis semantics, REFERENCES §1.6).`,
        "",
      ].join("\n"),
    );
  out.push(`### A/A: identical stable and canary, ${int(q.aaRuns)} runs\n`);
  out.push(
    "False-fail rate = share of runs failed at some look (95% Wilson interval). Per-gate columns count a gate (Kayenta: a metric of that group classified High/Low) failing on its own at some look; a target of ≤ 5% applies to the overall column.\n",
  );
  out.push(
    table(
      ["judge", "overall false-fail", ...GATE_KEYS],
      q.aa.map((a) => [
        a.judge,
        `**${pctCi(a.fail)}**`,
        ...GATE_KEYS.map((g) => (a.gates[g] ? pct(a.gates[g]) : "—")),
      ]),
    ),
  );
  if (q.aa.some((a) => a.judge.startsWith("Kayenta"))) {
    out.push(
      "\nWhy Kayenta's run-level rate is lower than its per-metric rates (and than the 66/100 Netflix reports for a plain Mann–Whitney re-run at every look): one metric flagged at an intermediate look only lowers the score to 80 or 90, above the marginal 75, so it fails the run only if it is still flagged at the last look; and its rule asks the interval's lower bound to exceed a quarter of the Hodges–Lehmann estimate, stricter than “the interval excludes 0”.",
    );
  }
  for (const mg of q.aa.filter((a) => a.judge.startsWith("modelgate"))) {
    out.push(
      `\n${mg.judge} said **pass** at some look in ${pctCi(mg.pass)} of the A/A runs${mg.passBy.length >= 5 ? `, by look 5 in ${pctCi(mg.passBy[4])}` : ""} (per gate: ${GATE_KEYS.filter(
        (g) => mg.gatePass[g],
      )
        .map((g) => `${g} ${pct(mg.gatePass[g] as Rate)}`)
        .join(
          ", ",
        )})${mg.pass.rate < 1 ? "; in the other runs it stayed inconclusive, which in Argo leaves the rollout paused for a human rather than promoting it" : ""}.`,
    );
    if (mg.passAucOptional) {
      out.push(
        `With the AUC gate optional (as the modelgate-all AnalysisTemplate ships it), ${mg.judge} passed ${pctCi(mg.passAucOptional)} of the A/A runs at some look.`,
      );
    }
  }
  out.push(`\n### A/B: injected regressions, ${int(q.abRuns)} run${q.abRuns === 1 ? "" : "s"} per row\n`);
  out.push(
    "Detection rate, then median look and median canary events at the failing look (among detecting runs). “beyond tolerance” says whether the change exceeds modelgate's default tolerance for that gate: failing a change inside it is a false alarm from that policy's point of view, not power.\n",
  );
  const cell = (j: QualityResult["ab"][number]["judges"][number], oracle: number | null) =>
    j.detected.count === 0
      ? `0%`
      : `${pct(j.detected)} · look ${j.medianLook} · ${int(j.medianEvents ?? 0)} ev${
          j.n80 !== null ? ` · n80 ${int(j.n80)}${oracle ? ` (${(j.n80 / oracle).toFixed(1)}×)` : ""}` : ""
        }`;
  out.push(
    "n80: median canary events at the look by which 80% of runs had failed (and, where the change is beyond the tolerance, n80 over the oracle's: a fixed-sample one-sided z-test at alpha/5 that knows the true variance, 80% power against modelgate's tolerance — REFERENCES §7). Looks are 60 s apart, so n80 is read on that coarse grid; §0 measures it on a fine one.\n",
  );
  out.push(
    table(
      ["regression", "beyond tolerance", "oracle n80", ...judges],
      q.ab.map(({ scenario, judges: js }) => {
        const oracle = beyondTolerance(scenario).startsWith("yes")
          ? qualityOracleN80(scenario, q.run, 0.01)
          : null;
        return [
          scenario.label,
          beyondTolerance(scenario),
          oracle === null ? "—" : int(oracle),
          ...js.map((j) => cell(j, oracle)),
        ];
      }),
    ),
  );
  out.push(`\n${comparison(q)}\n`);
  return out.join("\n");
}

/** Larger = worse for the canary, whatever the sign convention of the scenario's size. */
const severity = (s: Scenario) => (s.kind === "auc" || s.kind === "fairness" ? -s.size : s.size);

/** Data-driven reading of the tables: where modelgate is ahead and where it is behind. */
function comparison(q: QualityResult): string {
  const lines: string[] = [`### Reading the tables (${int(q.run.rate)} req/s)\n`];
  const mg = q.aa.find((a) => a.judge === "modelgate");
  for (const a of q.aa) {
    const over =
      a.fail.interval[0] > 0.05 ? "above" : a.fail.interval[1] <= 0.05 ? "below" : "not distinguishable from";
    lines.push(`- A/A: ${a.judge} false-fails ${pct(a.fail)} of runs, ${over} the 5% target.`);
  }
  const behind: string[] = [];
  const ahead: string[] = [];
  for (const { scenario, judges } of q.ab) {
    const m = judges.find((j) => j.judge === "modelgate");
    if (!m || !beyondTolerance(scenario).startsWith("yes")) continue;
    for (const j of judges) {
      if (j === m) continue;
      if (j.detected.rate > m.detected.rate + 0.1)
        behind.push(`${scenario.label} (${j.judge} ${pct(j.detected)} vs ${pct(m.detected)})`);
      else if (m.detected.rate > j.detected.rate + 0.1)
        ahead.push(`${scenario.label} (${pct(m.detected)} vs ${j.judge} ${pct(j.detected)})`);
    }
  }
  if (mg) {
    lines.push(
      `- Regressions beyond tolerance where modelgate detects **less often** than a baseline (by > 10 points): ${behind.length > 0 ? behind.join("; ") : "none"}.`,
    );
    lines.push(
      `- Regressions beyond tolerance where modelgate detects more often (by > 10 points): ${ahead.length > 0 ? ahead.join("; ") : "none"}.`,
    );
  }
  for (const judge of q.aa.map((a) => a.judge)) {
    for (const kind of new Set(q.ab.map((x) => x.scenario.kind))) {
      const rows = q.ab
        .filter((x) => x.scenario.kind === kind)
        .sort((x, y) => severity(x.scenario) - severity(y.scenario));
      for (let i = 1; i < rows.length; i++) {
        const smaller = rows[i - 1].judges.find((j) => j.judge === judge);
        const larger = rows[i].judges.find((j) => j.judge === judge);
        if (smaller && larger && smaller.detected.rate > larger.detected.rate + 0.1) {
          const why = judge.startsWith("Kayenta")
            ? ": its rule needs the interval's lower bound above a quarter of the Hodges–Lehmann estimate, which grows with the shift (the spinnaker/spinnaker#6278 effect)"
            : "";
          lines.push(
            `- ${judge} detects ${rows[i - 1].scenario.label} more often (${pct(smaller.detected)}) than the larger ${rows[i].scenario.label} (${pct(larger.detected)})${why}.`,
          );
        }
      }
    }
  }
  // the bar: where the oracle needs ≤ 6,000 canary events, modelgate detects at least as often as
  // Kayenta and at an earlier median look
  for (const { scenario, judges } of q.ab) {
    const oracle = beyondTolerance(scenario).startsWith("yes")
      ? qualityOracleN80(scenario, q.run, 0.01)
      : null;
    if (oracle === null || oracle > 6000) continue;
    const k = judges.find((j) => j.judge.startsWith("Kayenta"));
    if (!k) continue;
    // what the information limit itself detects with the canary events of the run's last look
    const lastEvents = q.run.rate * q.run.candidateShare * q.run.lookSeconds * q.run.looks;
    const limit = oraclePower(oracle, lastEvents, 0.01);
    for (const m of judges.filter((j) => j.judge.startsWith("modelgate"))) {
      const atLeast = m.detected.rate >= k.detected.rate;
      const earlier = m.medianLook !== null && (k.medianLook === null || m.medianLook < k.medianLook);
      const unreachable =
        !atLeast && k.detected.rate - limit > 0.05
          ? `; no valid test of the tolerance reaches Kayenta's rate here: the oracle on the ${int(lastEvents)} canary events of look ${q.run.looks} detects ${(100 * limit).toFixed(0)}% (Kayenta's rule tests “any change”, not the tolerance)`
          : "";
      lines.push(
        `- ${scenario.label} (oracle n80 ${int(oracle)}): ${m.judge} ${pct(m.detected)} at median look ${m.medianLook ?? "—"} vs Kayenta ${pct(k.detected)} at look ${k.medianLook ?? "—"}: ${atLeast && earlier ? "as often and earlier" : atLeast ? "as often, not earlier" : "**less often**"}${unreachable}.`,
      );
    }
  }
  lines.push(
    "- A baseline's higher detection rate comes with its A/A false-fail rate: a judge that fails often on identical cohorts also fails often on changed ones. Compare power at equal A/A error, and look at the rows inside the tolerance, where every fail is a false alarm for the stated policy.",
  );
  return lines.join("\n");
}

function latencySection(l: { rows: LatencyRow[]; gates: string[] }): string {
  return [
    "## 2. Judgement latency\n",
    `runJudgement with the real embedded source (merge of the store's 60 s buckets over a 10-minute window), gates ${l.gates.join(", ")}, history and hash-chained audit record; cohorts built beforehand (not timed) with CohortState.applyEvent; in-process, no HTTP.\n`,
    table(
      [
        "events per cohort",
        "judgements",
        "p50 ms",
        "p99 ms",
        "max ms",
        "declared 10 looks: p50 / p99 ms",
        "after each declared look, idle work: p50 / p99 ms",
      ],
      l.rows.map((r) => [
        int(r.eventsPerCohort),
        String(r.judgements),
        ms(r.p50Ms),
        ms(r.p99Ms),
        ms(r.maxMs),
        r.declaredP50Ms === undefined ? "—" : `${ms(r.declaredP50Ms)} / ${ms(r.declaredP99Ms ?? 0)}`,
        r.continuationP50Ms === undefined
          ? "—"
          : `${ms(r.continuationP50Ms)} / ${ms(r.continuationP99Ms ?? 0)}`,
      ]),
    ),
    "\nDeclared schedule: every look of runs of 10 looks is timed, look k seeing the first k minutes of the window, so at each look every contrast takes a group-sequential step from the run's state. The step's costly parts are left to the event loop's idle turns after the answer (one contrast per turn): the density update the run's next look starts from, and the next look's boundaries at twelve information levels 2% apart around where its information is expected (src/stats/group-sequential.ts), so the next look reads its boundary from that table instead of solving for it. The last column is that work per look, done between looks here as the minute between Argo's measurements would (a look arriving before it is done solves what it needs then, the same numbers: one root-find per contrast).\n",
    "",
  ].join("\n");
}

function ingestionSection(i: IngestionResult | { error: string }): string {
  if ("error" in i) return `## 3. Ingestion\n\nNot measured: ${i.error}\n`;
  return [
    "## 3. Ingestion (NDJSON over loopback HTTP)\n",
    `\`modelgate serve\` as a child process (one Node process: one core), embedded store on a temporary directory (SQLite log committed before each 202), NDJSON batches of ${int(i.batchSize)} events (${i.bytesPerEvent.toFixed(0)} bytes/event: model, version, id, ts, score, latency, group, label on half) POSTed to /v1/events, ${i.inFlight} requests in flight, load generated by this process. The load cycles through 8 pre-built batches, so request ids repeat: the outcome-join and shadow-pairing indexes see mostly ids they already hold, their cheap case (with every id unique the server costs ≈ 6.6 µs of CPU per event with pairing on, ≈ 4 µs with it off: docs/ingestion.md).\n`,
    table(
      ["events", "accepted", "seconds", "events/s"],
      [[int(i.events), int(i.accepted), i.seconds.toFixed(2), `**${int(i.eventsPerSecond)}**`]],
    ),
    "\nResident memory of the server process as events accumulate (one model, two versions; half of the events wait in the bounded outcome-join index for their label):\n",
    table(
      ["events ingested", "RSS MB"],
      i.rss.map((r) => [int(r.events), r.rssMb.toFixed(0)]),
    ),
    // results saved before the peak was recorded have none
    ...(i.peakRssMb === undefined
      ? []
      : [
          `\nPeak resident memory of the server over the run (VmHWM): ${i.peakRssMb.toFixed(0)} MB (the Deployment's memory limit and heap cap are sized in docs/kubernetes.md, "Memory").`,
        ]),
    "",
  ].join("\n");
}

function pythonSection(rows: CompareRow[]): string {
  const out = ["## 4. Side by side with scipy/sklearn, and binned vs exact accuracy\n"];
  const missing = rows.find((r) => r.pythonMissing)?.pythonMissing;
  if (missing)
    out.push(
      `**${missing}**: the scipy columns are empty and accuracy is measured against modelgate's exact implementations.\n`,
    );
  out.push(
    "Same raw events for every column (A/B cohorts with a mild shift). scipy/sklearn (`/usr/bin/python3`, best of the repeats) computes exactly on the raw arrays: ks_2samp, PSI (numpy, 10 baseline-decile bins), wasserstein_distance, roc_auc_score for both arms, percentiles p50/p95/p99 for both arms. “modelgate exact” is the same list with src/stats on the raw arrays. “modelgate judgement” is every registered gate evaluated on the two cohort summaries (which also compute JS distance, chi-square, DeLong, CDF bands, fairness and error e-values).\n",
  );
  out.push(
    table(
      [
        "events per cohort",
        "scipy/sklearn ms",
        "modelgate exact ms",
        "modelgate judgement ms",
        "scipy ÷ judgement",
      ],
      rows.map((r) => [
        int(r.eventsPerCohort),
        r.python ? ms(r.python.timesMs.total) : "—",
        ms(r.modelgateExactMs),
        ms(r.modelgateJudgementMs),
        r.python ? `${(r.python.timesMs.total / r.modelgateJudgementMs).toFixed(1)}×` : "—",
      ]),
    ),
  );
  const detail = rows.filter((r) => r.python);
  if (detail.length > 0) {
    const keys = Object.keys(detail[0].python?.timesMs ?? {}).filter((k) => k !== "total");
    out.push("\nscipy/sklearn time per statistic (ms):\n");
    out.push(
      table(
        ["events per cohort", ...keys],
        detail.map((r) => [
          int(r.eventsPerCohort),
          ...keys.map((k) => ms(r.python?.timesMs[k] ?? Number.NaN)),
        ]),
      ),
    );
  }
  out.push(
    `\nAccuracy of the binned statistics the gates read (reference: ${rows[0]?.accuracy.source ?? "scipy"} on the raw events):\n`,
  );
  out.push(
    table(
      [
        "events per cohort",
        "\\|ΔKS\\| (200 bins)",
        "\\|ΔAUC\\| (binned)",
        "AUC binning bound",
        "relative Δp95 (1% sketch)",
      ],
      rows.map((r) => [
        int(r.eventsPerCohort),
        r.accuracy.ks.toExponential(2),
        r.accuracy.auc.toExponential(2),
        r.accuracy.aucBound.toExponential(2),
        `${(r.accuracy.p95Relative * 100).toFixed(2)}%`,
      ]),
    ),
  );
  out.push("");
  return out.join("\n");
}

const ratio = (x: number | null) => (x === null ? "not reached" : `${x.toFixed(2)}×`);

function efficiencySection(e: EfficiencyResult): string {
  const head = [
    "## 0. Sample efficiency against the information limit\n",
    `Each gate alone at alpha ${e.alpha} (its share of a family-wise 0.05 over five gates), on the simulated model of §1 with every event labelled, a 10% canary (baseline = 9 × candidate) and a baseline error rate of 0.5%; ${int(e.runs)} seeded runs per row. **n80** = candidate events by which 80% of runs have reached the right decision (fail for a regression beyond the tolerance, pass for an equal model); a run's first decision counts, and a wrong one never turns right.`,
    "",
    "- **oracle**: the information limit (REFERENCES §7): a fixed-sample one-sided z-test at the same alpha that knows the true variance of the deciding contrast, 80% power against the gate's own tolerance boundary; variances from the simulator's known laws (log-normal quantile, exact binormal AUC placement variances, delta-method parity ratio, binomial rates, multinomial PSI). The drift pass row's oracle is the fixed-sample two-sample Kolmogorov–Smirnov equivalence test (the claim is about sup |F_c − F_b|).",
    "- **anytime-valid** (the default): looks on a grid of 1.1× steps; the decisions do not depend on how often Argo looks.",
    `- **declared ${e.declaredLooks} looks**: the request declares Argo's count (\`looks\`); the schedule is what \`modelgate plan\` would suggest for the row (equally spaced, the last look where the plan (src/plan, the gate's own claims and alpha shares) expects 90% of runs to have decided), and Argo keeps asking ${e.declaredLooks} more times (only the anytime reserve can decide there). “by look ${e.declaredLooks}”: runs decided right by the last declared look.`,
    "",
  ];
  const rows = e.rows.map((r) => [
    r.row.gate,
    `${r.row.expect}: ${r.row.label}`,
    int(r.oracle),
    r.anytime.n80 === null ? "not reached" : `${int(r.anytime.n80)} (**${ratio(r.anytime.ratio)}**)`,
    r.declared === null
      ? "— (anytime only)"
      : `${r.declared.n80 === null ? "not reached" : `${int(r.declared.n80)} (**${ratio(r.declared.ratio)}**)`} · ${(r.declared.byLast * 100).toFixed(0)}% by look ${e.declaredLooks} (${int(r.declared.lastDeclared)})`,
    String(r.anytime.wrong + (r.declared?.wrong ?? 0)),
  ]);
  return [
    ...head,
    table(
      [
        "gate",
        "decision",
        "oracle n80",
        "anytime-valid n80 (÷ oracle)",
        `declared ${e.declaredLooks} looks n80 (÷ oracle)`,
        "wrong decisions",
      ],
      rows,
    ),
    "",
    ...errorsPassNote(e),
  ].join("\n");
}

/**
 * The errors pass row against the limit a *valid* test can reach: the oracle's z-test uses the
 * variance at the truth (equal rates), which at the boundary it must hold against is too small.
 */
function errorsPassNote(e: EfficiencyResult): string[] {
  const r = e.rows.find((x) => x.row.gate === "errors" && x.row.expect === "pass");
  if (!r) return [];
  const limit = rateDifferencePassLimit(BASE_ERROR_RATE, 0.005, BASELINE_RATIO, e.alpha);
  const over = (n: number | null | undefined) => (n == null ? "not reached" : ratio(n / limit.validN));
  return [
    `The errors pass row's oracle is not a valid test: with equal rates (${(BASE_ERROR_RATE * 100).toFixed(1)}%) its variance is the truth's, but at the boundary it must hold against (an increase of exactly 0.5%) the candidate's rate is ${((BASE_ERROR_RATE + 0.005) * 100).toFixed(1)}%, where the difference's variance is larger, so that z-test would pass ${(limit.oracleSize * 100).toFixed(1)}% of candidates sitting on the boundary instead of ${(e.alpha * 100).toFixed(0)}%. The smallest valid fixed-sample test (the boundary's variance for alpha, the truth's for power) needs ${int(limit.validN)} candidate events, not ${int(limit.oracleN)}: against it modelgate's errors pass is ${over(r.anytime.n80)} (anytime-valid) and ${over(r.declared?.n80)} (declared looks).`,
    "",
  ];
}

function spendingSection(s: { aa: QualityResult; inside: QualityResult }, main?: QualityResult): string {
  const out = [
    "## 1c. Spending the alpha\n",
    `Per-gate false-fail rates against each gate's share of alpha (0.05/5 = 1%): A/A with the run of §1 (10 looks) and, below, with ${s.aa.run.looks} looks where the declared variant declared 10 (Argo asking twice as often as declared); then changes inside the tolerance, where every fail is a false alarm. ${int(s.aa.aaRuns)} runs per A/A row, ${int(s.inside.abRuns)} per change.\n`,
  ];
  const rows: string[][] = [];
  for (const [label, q] of [
    [`${main?.run.looks ?? 10} looks`, main],
    [`${s.aa.run.looks} looks`, s.aa],
  ] as const) {
    if (!q) continue;
    for (const a of q.aa.filter((x) => x.judge.startsWith("modelgate"))) {
      rows.push([
        a.judge,
        label,
        `**${pctCi(a.fail)}**`,
        ...GATE_KEYS.map((g) => (a.gates[g] ? pct(a.gates[g]) : "—")),
      ]);
    }
  }
  out.push(table(["judge", "A/A run", "overall", ...GATE_KEYS], rows));
  out.push("\nChanges inside the tolerance (a fail is a false alarm):\n");
  out.push(
    table(
      ["change", ...(s.inside.ab[0]?.judges.map((j) => j.judge) ?? [])],
      s.inside.ab.map(({ scenario, judges }) => [scenario.label, ...judges.map((j) => pctCi(j.detected))]),
    ),
  );
  out.push(
    "\nA time-uniform bound spends its alpha over an unlimited number of looks, so over a finite run it is used only in part; a declared schedule spends it across the looks it names, so its realised rate sits nearer the share.\n",
  );
  return out.join("\n");
}

/** The figures a reader wants first, each pointing to its section. */
function headline(r: BenchResults): string {
  const lines = ["## Headline figures\n"];
  const e = r.efficiency;
  if (e) {
    const spread = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return `median **${ratio(sorted[Math.floor((sorted.length - 1) / 2)])}**, ${ratio(sorted[0])}–${ratio(sorted.at(-1) ?? null)}`;
    };
    const anytime = e.rows.flatMap((x) => (x.anytime.ratio === null ? [] : [x.anytime.ratio]));
    const declared = e.rows.flatMap((x) => (x.declared?.ratio == null ? [] : [x.declared.ratio]));
    lines.push(
      `- Data needed to decide, over the information limit (§0, candidate events by which 80% of runs decided right ÷ a fixed-sample z-test that knows the variance; ${e.rows.length} fail and pass decisions over the five gates): anytime-valid ${spread(anytime)}; with the look schedule declared (${declared.length} decisions) ${spread(declared)}.`,
    );
  }
  const q = r.quality;
  if (q) {
    lines.push(
      `- A/A false-fail rate over ${int(q.aaRuns)} simulated runs of 10 looks (§1): ${q.aa.map((a) => `${a.judge} **${pctCi(a.fail)}**`).join(", ")}.`,
    );
    const beyond = q.ab.filter((x) => beyondTolerance(x.scenario).startsWith("yes"));
    for (const a of q.aa) {
      const rates = beyond.map((x) => x.judges.find((j) => j.judge === a.judge)?.detected.rate ?? 0);
      const mean = rates.reduce((x, y) => x + y, 0) / Math.max(1, rates.length);
      lines.push(
        `- ${a.judge}: mean detection rate over the ${beyond.length} regressions beyond modelgate's tolerance at ${int(q.run.rate)} req/s: **${(mean * 100).toFixed(0)}%**.`,
      );
    }
  }
  const l = r.latency?.rows.at(-1);
  if (l) {
    lines.push(
      `- Judgement latency at ${int(l.eventsPerCohort)} events per cohort (§2): p50 **${ms(l.p50Ms)} ms**, p99 **${ms(l.p99Ms)} ms** (at ${int(r.latency?.rows[0].eventsPerCohort ?? 0)}: p50 ${ms(r.latency?.rows[0].p50Ms ?? 0)} ms)${l.declaredP99Ms === undefined ? "" : `; with 10 looks declared, p50 **${ms(l.declaredP50Ms ?? 0)} ms**, p99 **${ms(l.declaredP99Ms)} ms**`}.`,
    );
  }
  if (r.ingestion && !("error" in r.ingestion)) {
    lines.push(
      `- Ingestion (§3): **${int(r.ingestion.eventsPerSecond)} events/s** of NDJSON over loopback HTTP into the real server, RSS ${r.ingestion.rss[0].rssMb.toFixed(0)} → ${r.ingestion.rss.at(-1)?.rssMb.toFixed(0)} MB after ${int(r.ingestion.events)} events.`,
    );
  }
  const p = r.python?.at(-1);
  if (p) {
    lines.push(
      p.python
        ? `- At ${int(p.eventsPerCohort)} events per cohort (§4), scipy/sklearn takes ${ms(p.python.timesMs.total)} ms on the raw events, the judgement ${ms(p.modelgateJudgementMs)} ms on the summaries; binned vs exact: |ΔKS| ${p.accuracy.ks.toExponential(1)}, |ΔAUC| ${p.accuracy.auc.toExponential(1)}, p95 within ${(p.accuracy.p95Relative * 100).toFixed(2)}%.`
        : `- §4: ${p.pythonMissing}.`,
    );
  }
  lines.push("");
  return lines.join("\n");
}

const CAVEATS = `## What these figures do not show

- The simulation is idealised: independent events, a constant traffic rate and split, labels arriving with the
  prediction (no delay, no join), one protected attribute with two equally sized groups. Real canaries have
  diurnal traffic, correlated requests and late labels; the sequential guarantees do not need a constant rate,
  the fixed-horizon baselines' error rates depend on it.
- Every judge uses its default or commonly written configuration (modelgate's gate defaults, Kayenta's
  hard-coded 98% and 0.25·|HL| rule with the thresholds above, hand-written limits). Other settings trade
  false fails against power differently; the tolerance column says which changes each policy should catch.
- Kayenta is fed exact per-step quantiles and AUCs computed from the raw events, which is kinder to it than
  Prometheus' histogram_quantile; it never sees the raw events themselves (that is how Kayenta works).
- “Detection” counts a run failed at any look; for modelgate a regression that is not detected usually ends
  the run inconclusive (the rollout pauses), not passed.
- Timings were measured on a shared machine (other processes were running), single-threaded, in-process
  for the judgement; they are indicative, not a controlled benchmark. The judgement latency excludes HTTP.
`;

const REPRODUCE = `## Reproduce

\`\`\`sh
npm run bench                    # everything, full sizes, writes docs/BENCHMARKS.md (≈ 10–15 min on 2 cores)
npm run bench -- --quick         # everything small (CI), report to $TMPDIR/modelgate-benchmarks-quick.md and stdout
npm run bench -- --only quality --aa 200 --ab 50   # one section, other run counts
npm run bench -- --json out.json # also keep the raw results; --render out.json re-renders them
\`\`\`

Where things are: bench/run.ts (entry), bench/sim/ (world model, analysis runs, per-step series),
bench/judges/ (modelgate, fixed thresholds, Kayenta adapter), bench/baselines/kayenta.ts (NetflixACAJudge),
bench/judge-latency.ts, bench/ingestion.ts, bench/compare-python.ts and bench/reference_stats.py.
The python side needs Debian's python3-scipy and python3-sklearn; without them the report says so.
`;

export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const out: string[] = [
    "# Benchmarks",
    "",
    r.later && r.later.length > 0
      ? `Generated by \`${r.command}\` (${r.mode} mode) on ${r.date}, in ${Math.round(r.seconds)} s, except the sections listed below the machine table, which later runs replaced. Rerun the commands to reproduce (all simulations are seeded; timings vary with the machine).`
      : `Generated by \`${r.command}\` (${r.mode} mode) on ${r.date}, in ${Math.round(r.seconds)} s. Every figure below was measured in this one run; rerun the command to reproduce (all simulations are seeded; timings vary with the machine).`,
    "",
    table(
      ["machine", ""],
      [
        ["CPU", m.cpu],
        ["cores", String(m.cores)],
        ["RAM", `${m.ramGb.toFixed(0)} GB`],
        ["Node", m.node],
        ["OS", m.os],
        ["commit", m.commit],
        ["load average (1 min) at start / end", `${m.load[0].toFixed(1)} / ${m.load[1].toFixed(1)}`],
      ],
    ),
    "",
  ];
  const sectionName: Record<string, string> = {
    efficiency: "§0 (sample efficiency)",
    quality: "§1 (judgement quality)",
    spending: "§1 (spending the alpha)",
    qualityHighRate: "§1 at 1,000 req/s",
    latency: "§2 (judgement latency)",
    ingestion: "§3 (ingestion)",
    python: "the comparison with scipy/sklearn",
    soak: "the soak",
  };
  for (const l of r.later ?? [])
    out.push(
      `> ${l.sections.map((s) => sectionName[s] ?? s).join(", ")}: from \`${l.command}\` on ${l.date} (commit ${l.commit}, ${Math.round(l.seconds)} s).`,
      "",
    );
  if (r.notes.length > 0) out.push(...r.notes.map((n) => `> ${n}`), "");
  out.push(headline(r));
  if (r.efficiency) out.push(efficiencySection(r.efficiency));
  if (r.quality)
    out.push(qualitySection(r.quality, "## 1. Judgement quality on simulated Argo analysis runs"));
  if (r.spending) out.push(spendingSection(r.spending, r.quality));
  if (r.qualityHighRate) {
    out.push(
      qualitySection(
        r.qualityHighRate,
        `## 1b. Judgement quality at ${int(r.qualityHighRate.run.rate)} requests/s (subset)`,
        false,
      ),
    );
  }
  if (r.latency) out.push(latencySection(r.latency));
  if (r.ingestion) out.push(ingestionSection(r.ingestion));
  if (r.python) out.push(pythonSection(r.python));
  out.push(CAVEATS, REPRODUCE);
  return `${out.join("\n")}\n`;
}
