#!/usr/bin/env bash
# The runbooks' commands that talk to modelgate, run for real: starts `modelgate serve` on a
# temporary data directory, feeds it synthetic traffic (examples/generate-events.ts) for the models
# the runbooks use, judges the candidates the way Argo Rollouts would, then prints each runbook
# command ($ …) followed by its output. The outputs quoted in docs/runbooks/*.md come from this.
#
#   docs/runbooks/examples.sh            # needs node with this checkout's dependencies, curl, jq
#
# Models: fraud (stable 6b7f9c5d8; candidates 84c2d7f4b with shifted scores, 9a1c4e6f2 50% slower,
# 7f3a9b2e1 with only 150 events) and credit (stable 6b7f9c5d8, candidate 5d9e1a7c3 unfair to
# region=apac). Listens on 127.0.0.1 only; stops its servers and deletes its files on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TSX="file://${ROOT// /%20}/node_modules/tsx/dist/loader.mjs"
MODELGATE=(node --import "$TSX" "$ROOT/src/cli/main.ts")
GENERATE=(node --import "$TSX" "$ROOT/examples/generate-events.ts")
for tool in curl jq; do command -v "$tool" >/dev/null || { echo "examples.sh: needs $tool" >&2; exit 2; }; done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/modelgate-runbooks.XXXXXX")"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
# `modelgate` on PATH, as the runbooks write it
mkdir -p "$WORK/bin"
printf '#!/bin/sh\nexec node --import "%s" "%s" "$@"\n' "$TSX" "$ROOT/src/cli/main.ts" >"$WORK/bin/modelgate"
chmod +x "$WORK/bin/modelgate"
export PATH="$WORK/bin:$PATH"

# serve NAME [VAR=VALUE …]: starts a server on a free port and sets MG to its URL once it is ready
serve() {
  local name="$1"; shift
  env "$@" "${MODELGATE[@]}" serve --host 127.0.0.1 --port 0 --data-dir "$WORK/$name" \
    >/dev/null 2>"$WORK/$name.log" &
  PIDS+=($!)
  for _ in $(seq 1 300); do
    MG="$(sed -n 's/.*"msg":"modelgate listening","url":"\([^"]*\)".*/\1/p' "$WORK/$name.log" | head -n 1)"
    [ -n "$MG" ] && curl -fs "$MG/readyz" >/dev/null 2>&1 && return
    sleep 0.1
  done
  echo "examples.sh: $name did not start:" >&2; cat "$WORK/$name.log" >&2; exit 1
}

# run 'COMMAND': prints the command as the runbooks show it, then runs it
run() {
  printf '\n$ %s\n' "$1"
  bash -c "$1" 2>&1 || true
}

export MG TOKEN="" # authentication is off in this demo: any token is accepted
serve main

NOW="$(date +%s)000"
gen() { "${GENERATE[@]}" --now "$NOW" --events 30000 "$@"; }
gen --only baseline --baseline-version 6b7f9c5d8 --out "$WORK/fraud-stable.ndjson"
gen --only candidate --scenario shifted-scores --candidate-version 84c2d7f4b --out "$WORK/fraud-drift.ndjson"
gen --only candidate --scenario slow --candidate-version 9a1c4e6f2 --out "$WORK/fraud-slow.ndjson"
gen --only candidate --scenario good --candidate-version 7f3a9b2e1 --candidate-events 150 --out "$WORK/fraud-small.ndjson"
gen --only baseline --model credit --baseline-version 6b7f9c5d8 --out "$WORK/credit-stable.ndjson"
gen --only candidate --model credit --scenario unfair --candidate-version 5d9e1a7c3 --out "$WORK/credit-unfair.ndjson"
for f in fraud-stable fraud-drift fraud-slow fraud-small credit-stable credit-unfair; do
  "${MODELGATE[@]}" ingest "$WORK/$f.ndjson" --url "$MG" >/dev/null 2>&1
done

# The training set's profile of fraud (here: the stable's own traffic), for drift.reference=profile.
jq -s '{description: "training set 2026-10", scores: [.[] | .score | select(. != null)],
        features: {amount: [.[] | .features.amount | select(. != null)],
                   channel: [.[] | .features.channel | select(. != null)]}}' \
  "$WORK/fraud-stable.ndjson" | curl -fs -X PUT -H 'content-type: application/json' --data-binary @- \
  "$MG/v1/models/fraud/reference" >/dev/null

# Argo's looks, with the request body of manifests/templates/modelgate-all (its default run key is
# model/baseline/candidate): the drifted candidate fails at once, the small one stays inconclusive,
# credit's unfair candidate fails.
look() {
  curl -fs -X POST "$MG/v1/judge" -H 'content-type: application/json' \
    -d "{\"model\":\"$1\",\"baseline\":\"6b7f9c5d8\",\"candidate\":\"$2\",\"optional\":\"auc\"}" >/dev/null
}
look fraud 84c2d7f4b
look fraud 7f3a9b2e1
look fraud 7f3a9b2e1
look credit 5d9e1a7c3

echo "# verdict-failed.md"
run 'curl -s -H "Authorization: Bearer $TOKEN" "$MG/v1/judgements?model=fraud&limit=20" | jq -c '\''.judgements[] | select(.summary.verdict == "fail") | {id: .judgement.id, at: .judgement.at, baseline: .judgement.baseline, candidate: .judgement.candidate, runKey: .judgement.runKey}'\'''
FAIL_ID="$(curl -s "$MG/v1/judgements?model=fraud&limit=20" | jq -r '[.judgements[] | select(.summary.verdict == "fail")][0].judgement.id')"
run "curl -s -H \"Authorization: Bearer \$TOKEN\" \"\$MG/v1/judgements/$FAIL_ID\" | jq -r '.summary.reason, (.gates | to_entries[] | \"\\(.key)\\t\\(.value.verdict)\\t\\(.value.metric) = \\(.value.value)\")'"

echo
echo "# quality-drift.md"
run 'curl -s -H "Authorization: Bearer $TOKEN" "$MG/v1/models/fraud/versions" | jq -c '\''.versions[] | {version, events, scored, labelled, errors, invalid, lastTs}'\'''
run 'curl -s -H "Authorization: Bearer $TOKEN" "$MG/v1/judge/drift?model=fraud&baseline=6b7f9c5d8&candidate=84c2d7f4b&drift.features=all&drift.reference=both&runKey=oncall/fraud" | jq -r '\''.gates.drift | "\(.verdict): \(.reason)", (.metrics.features | to_entries[] | "  \(.key): \(.value.verdict), PSI \(.value.psi * 1000 | round / 1000)")'\'''
run 'curl -s -H "Authorization: Bearer $TOKEN" "$MG/v1/judge/drift?model=fraud&baseline=6b7f9c5d8&candidate=6b7f9c5d8&drift.features=all&drift.reference=profile&runKey=oncall/fraud-stable" | jq -r '\''.gates.drift | "\(.verdict): \(.reason)"'\'''

echo
echo "# model-slo.md"
run 'curl -s -H "Authorization: Bearer $TOKEN" "$MG/v1/judge?model=fraud&baseline=6b7f9c5d8&candidate=9a1c4e6f2&gates=latency,errors&runKey=oncall/fraud-slo" | jq -r '\''.gates[] | "\(.verdict): \(.reason)"'\'''
run 'curl -s -H "Authorization: Bearer $TOKEN" "$MG/v1/judgements?model=fraud&limit=1" | jq -c '\''.judgements[0].gates.latency.metrics | {baselineP50, baselineP95, baselineP99, candidateP50, candidateP95, candidateP99} | map_values(. * 10 | round / 10)'\'''

echo
echo "# fairness.md"
CREDIT_ID="$(curl -s "$MG/v1/judgements?model=credit&limit=1" | jq -r '.judgements[0].judgement.id')"
run 'curl -s -H "Authorization: Bearer $TOKEN" "$MG/v1/judgements?model=credit&limit=1" | jq -r '\''.judgements[0] | .judgement.id, .summary.reason'\'''
run "curl -s -H \"Authorization: Bearer \$TOKEN\" \"\$MG/v1/judgements/$CREDIT_ID\" | jq -r '.gates.fairness.metrics.groups | to_entries[] | .key as \$attr | .value | to_entries[] | [\"\\(\$attr)=\\(.key)\", .value.candidate.n, (.value.baseline.selectionRate, .value.candidate.selectionRate, .value.baseline.tpr, .value.candidate.tpr | . * 1000 | round / 1000)] | @tsv'"
cd "$WORK"
run "ID=$CREDIT_ID; mkdir -p evidence/\$ID && curl -s -H \"Authorization: Bearer \$TOKEN\" \"\$MG/v1/judgements/\$ID\" > evidence/\$ID/judgement.json && curl -s -H \"Authorization: Bearer \$TOKEN\" \"\$MG/ui/judgements/\$ID\" > evidence/\$ID/report.html && ls evidence/\$ID"
cp "$WORK/main/judge/audit.jsonl" "$WORK/evidence/$CREDIT_ID/audit.jsonl" # kubectl exec … cat, in a cluster
run "modelgate audit verify --file evidence/$CREDIT_ID/audit.jsonl"
run "grep '\"hash\":\"${CREDIT_ID#j-}' evidence/$CREDIT_ID/audit.jsonl | jq -c '{seq, hash, prev}'"
cd "$ROOT"

echo
echo "# stuck-inconclusive.md"
run 'curl -s -H "Authorization: Bearer $TOKEN" "$MG/v1/judgements?model=fraud&limit=20" | jq -c '\''.judgements[] | select(.judgement.candidate == "7f3a9b2e1") | {at: .judgement.at, look: .judgement.look, verdict: .summary.verdict}'\'''
run 'curl -s -H "Authorization: Bearer $TOKEN" "$MG/v1/judgements?model=fraud&limit=20" | jq -r '\''[.judgements[] | select(.judgement.candidate == "7f3a9b2e1")][0].gates | to_entries[] | "\(.key)\t\(.value.verdict)\t\(.value.reason)"'\'''
run 'curl -s -H "Authorization: Bearer $TOKEN" "$MG/v1/models" | jq -c '\''.models[] | {model, versions, events, lastTs}'\'''
run 'curl -s -H "Authorization: Bearer $TOKEN" "$MG/v1/models/fraud/versions" | jq -c '\''.versions[] | {version, events, labelled, lastTs}'\'''

echo
echo "# modelgate-down.md (a modelgate whose Prometheus is unreachable)"
# a port nothing listens on
CLOSED="$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
export MODELGATE_PROMETHEUS_URL="http://127.0.0.1:$CLOSED"
serve down
run 'curl -s -w " HTTP %{http_code}\n" "$MG/readyz"'
run 'curl -s -H "Authorization: Bearer $TOKEN" -w " HTTP %{http_code}\n" "$MG/v1/judge?model=fraud&baseline=6b7f9c5d8&candidate=84c2d7f4b&source=prometheus"'
(cd "$WORK" && run "grep '\"request failed\"' down.log")
run 'curl -s "$MG/metrics" | grep -E '\''^modelgate_http_requests_total\{.*status="5'\'''
run 'node -e '\''fetch(process.env.MODELGATE_PROMETHEUS_URL + "/-/ready").then(async (r) => console.log(r.status, await r.text()), (e) => console.log(String(e.cause ?? e)))'\'''
