#!/usr/bin/env bash
# modelgate in five minutes, on a laptop, without Kubernetes.
#
# Starts `modelgate serve` on a temporary data directory, sends it synthetic traffic of a model
# "fraud" (baseline v1, a good candidate v2, a bad candidate v3), asks POST /v1/judge about each
# candidate the way Argo Rollouts would, prints the verdicts, and stops the server on exit.
#
#   examples/quickstart.sh                 # bad candidate: 50% slower (latency gate fails)
#   examples/quickstart.sh --bad unfair    # or shifted-scores | worse-auc | errors
#   examples/quickstart.sh --keep          # leave the server running to browse /ui (Ctrl-C stops it)
#
# Environment: EVENTS (events per version, default 30000), PORT (default 8080 if free, else any free
# port), MODELGATE (the command, default `node --import tsx src/cli/main.ts` from this checkout).
# Exit code: 0 when the good candidate passes (or is inconclusive) and the bad one fails, else 1.
# Needs: node ≥ 20 with this checkout's dependencies (npm ci), curl. Listens on 127.0.0.1 only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BAD=slow
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --bad) BAD="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "quickstart: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
case "$BAD" in shifted-scores|slow|worse-auc|unfair|errors) ;; *)
  echo "quickstart: --bad must be shifted-scores, slow, worse-auc, unfair or errors" >&2; exit 2 ;;
esac
EVENTS="${EVENTS:-30000}"
# tsx is loaded by URL so that the scripts work from any directory
TSX="file://${ROOT// /%20}/node_modules/tsx/dist/loader.mjs"
if [ -n "${MODELGATE:-}" ]; then
  # shellcheck disable=SC2206 # MODELGATE is a command line, split on purpose
  MG=($MODELGATE)
else
  MG=(node --import "$TSX" "$ROOT/src/cli/main.ts")
fi
GENERATE=(node --import "$TSX" "$ROOT/examples/generate-events.ts")
command -v curl >/dev/null || { echo "quickstart: needs curl" >&2; exit 2; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/modelgate-quickstart.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "==> stopping the server (pid $SERVER_PID)"
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
STATUS=130
trap 'exit "$STATUS"' INT TERM

# 8080 when nothing answers there; otherwise port 0, and the server reports the port it got
if [ -z "${PORT:-}" ]; then
  if (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null; then PORT=0; else PORT=8080; fi
fi

echo "==> starting modelgate serve (data in $WORK/data)"
"${MG[@]}" serve --host 127.0.0.1 --port "$PORT" --data-dir "$WORK/data" 2>"$WORK/server.log" &
SERVER_PID=$!
URL=""
for _ in $(seq 1 300); do
  URL="$(sed -n 's/.*"msg":"modelgate listening","url":"\([^"]*\)".*/\1/p' "$WORK/server.log" | head -n 1)"
  [ -n "$URL" ] && curl -fs "$URL/readyz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "quickstart: the server exited:" >&2; cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
curl -fs "$URL/readyz" >/dev/null || { echo "quickstart: the server is not ready after 30 s" >&2; cat "$WORK/server.log" >&2; exit 1; }
echo "    ready at $URL ($(curl -s "$URL/readyz"))"

echo "==> generating $EVENTS events per version over the last 5 minutes"
# one "now" for the three files, a whole minute: every version's traffic spans the same 5 buckets
NOW="$(( $(date +%s) / 60 * 60 ))000"
"${GENERATE[@]}" --only baseline --events "$EVENTS" --now "$NOW" --out "$WORK/v1-baseline.ndjson"
"${GENERATE[@]}" --only candidate --scenario good --candidate-version v2 --events "$EVENTS" --now "$NOW" \
  --out "$WORK/v2-good.ndjson"
"${GENERATE[@]}" --only candidate --scenario "$BAD" --candidate-version v3 --events "$EVENTS" --now "$NOW" \
  --out "$WORK/v3-$BAD.ndjson"
head -n 1 "$WORK/v1-baseline.ndjson"

# Prints the summary and one line per gate of a /v1/judge answer read on stdin; outputs the verdict
# on fd 3 so the caller can check it without jq.
show() {
  node -e '
    let s = ""; process.stdin.on("data", (c) => (s += c)).on("end", () => {
      const j = JSON.parse(s);
      if (!j.summary) { console.log(s); require("fs").writeSync(3, "error\n"); return; }
      console.log(`    verdict: ${j.summary.verdict.toUpperCase()}  (score ${j.summary.score}, judgement ${j.judgement.id})`);
      if (j.summary.verdict !== "pass") console.log(`    reason:  ${j.summary.reason}`);
      for (const [name, g] of Object.entries(j.gates))
        console.log(`      ${name.padEnd(9)} ${g.verdict.padEnd(13)} ${g.metric} = ${g.value === null ? "–" : Number(g.value.toPrecision(3))}`);
      require("fs").writeSync(3, `${j.summary.verdict} ${j.judgement.id}\n`);
    });'
}

ingest() { # the progress lines go to a file, shown only when something goes wrong
  "${MG[@]}" ingest "$1" --url "$URL" 2>"$WORK/ingest.err" || { cat "$WORK/ingest.err" >&2; exit 1; }
}

judge() { # judge CANDIDATE → prints the answer, sets VERDICT and JUDGEMENT
  local out
  echo "==> curl -X POST $URL/v1/judge -d '{\"model\":\"fraud\",\"baseline\":\"v1\",\"candidate\":\"$1\"}'"
  out="$(curl -s -X POST "$URL/v1/judge" -H 'content-type: application/json' \
    -d "{\"model\":\"fraud\",\"baseline\":\"v1\",\"candidate\":\"$1\"}" | show 3>"$WORK/verdict")"
  echo "$out"
  read -r VERDICT JUDGEMENT <"$WORK/verdict" || true
}

echo "==> modelgate ingest: baseline v1 and the good candidate v2"
ingest "$WORK/v1-baseline.ndjson"
ingest "$WORK/v2-good.ndjson"
judge v2
GOOD="$VERDICT"

echo "==> modelgate ingest: the bad candidate v3 ($BAD)"
ingest "$WORK/v3-$BAD.ndjson"
judge v3
BADV="$VERDICT"

if [ "$BADV" = fail ] && { [ "$GOOD" = pass ] || [ "$GOOD" = inconclusive ]; }; then
  echo "==> OK: the good candidate is $GOOD, the bad one ($BAD) failed"
  STATUS=0
else
  echo "==> UNEXPECTED: good candidate $GOOD, bad candidate $BADV" >&2
  STATUS=1
fi
echo "==> report pages: $URL/ui  (this judgement: $URL/ui/judgements/$JUDGEMENT)"
if [ "$KEEP" = 1 ]; then
  echo "    the server keeps running; press Ctrl-C to stop it"
  wait "$SERVER_PID" || true
fi
exit "$STATUS"
