#!/usr/bin/env bash
# A CI promotion gate with `modelgate judge`: no server, no Kubernetes. Judges the candidate
# model's held-out predictions against the production model's on every gate, writes an HTML report
# for the pipeline's artifacts, and turns the verdict into the step's exit code.
#
#   examples/ci-gate.sh --baseline prod.ndjson --candidate new.ndjson [--report report.html] [-- judge options]
#   examples/ci-gate.sh --demo good        # generate a synthetic pair first (or slow, unfair, worse-auc, …)
#
# Exit code: 0 promote (pass), 1 reject (fail), 2 not decided (inconclusive: more data or a person is
# needed) or a usage / file error. Options after `--` go to `modelgate judge` as they are, e.g.
# `-- --gates auc,fairness --set auc.margin=0.01`.
# Environment: MODELGATE (the command, default `node --import tsx src/cli/main.ts` from this checkout),
# MODEL (the name shown in the output, default fraud), EVENTS (events per version with --demo, default 30000).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASELINE=""
CANDIDATE=""
REPORT="modelgate-report.html"
DEMO=""
while [ $# -gt 0 ]; do
  case "$1" in
    --baseline) BASELINE="$2"; shift 2 ;;
    --candidate) CANDIDATE="$2"; shift 2 ;;
    --report) REPORT="$2"; shift 2 ;;
    --demo) DEMO="$2"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "ci-gate: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
# tsx is loaded by URL so that the scripts work from any directory
TSX="file://${ROOT// /%20}/node_modules/tsx/dist/loader.mjs"
if [ -n "${MODELGATE:-}" ]; then
  # shellcheck disable=SC2206 # MODELGATE is a command line, split on purpose
  MG=($MODELGATE)
else
  MG=(node --import "$TSX" "$ROOT/src/cli/main.ts")
fi

if [ -n "$DEMO" ]; then
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/modelgate-ci-gate.XXXXXX")"
  trap 'rm -rf "$WORK"' EXIT
  BASELINE="$WORK/baseline.ndjson"
  CANDIDATE="$WORK/candidate-$DEMO.ndjson"
  echo "==> generating ${EVENTS:-30000} held-out predictions per model (candidate: $DEMO)"
  node --import "$TSX" "$ROOT/examples/generate-events.ts" --only baseline --events "${EVENTS:-30000}" \
    --out "$BASELINE"
  node --import "$TSX" "$ROOT/examples/generate-events.ts" --only candidate --scenario "$DEMO" \
    --events "${EVENTS:-30000}" --out "$CANDIDATE"
fi
if [ -z "$BASELINE" ] || [ -z "$CANDIDATE" ]; then
  echo "ci-gate: give --baseline FILE and --candidate FILE, or --demo SCENARIO (try --help)" >&2
  exit 2
fi

echo "==> modelgate judge --baseline $(basename "$BASELINE") --candidate $(basename "$CANDIDATE") --report $REPORT $*"
# `|| code=$?` keeps `set -e` from ending the script on the verdicts we want to handle
code=0
rm -f "$REPORT"
"${MG[@]}" judge --model "${MODEL:-fraud}" --baseline "$BASELINE" --candidate "$CANDIDATE" --report "$REPORT" "$@" || code=$?

case "$code" in
  0) echo "==> PROMOTE: every gate passed (report: $REPORT)" ;;
  1) echo "==> REJECT: the candidate failed a gate; see the decisive reason above and $REPORT" ;;
  *) if [ -s "$REPORT" ]; then
       echo "==> NOT DECIDED: inconclusive, the reasons above say what is missing (report: $REPORT)"
     else
       echo "==> NOT DECIDED: modelgate judge could not run (exit $code)"
     fi ;;
esac
exit "$code"
