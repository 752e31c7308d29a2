#!/usr/bin/env bash
# Egress benchmark (issue 18), two parts:
#  1. the egress proxy's own added latency per request on loopback (EgressBench: direct and through the proxy's Unix
#     socket, a new connection each time and one kept alive), and runs/s of a script making one call per run in the
#     Docker runtime with and without the proxy;
#  2. the webhook throughput of a script that makes one allowed call per run, end to end over HTTP with wrk: the
#     platform started as the README says (scripts on network none, their call through the proxy to an allowed
#     host), then started again with CRONHOOK_EXECUTOR_NETWORK=host (no proxy: the script calls the upstream
#     directly), alternating, each warmed first.
# The upstream is a node http server on 127.0.0.1; under the proxy it is reached as upstream.bench through the
# test-only host mapping. Prints the numbers; recording them in bench/RESULTS.md is left to a human.
#
#   bench/egress/run.sh [seconds per window] [warm-up seconds] [rounds]   (PART=2: the webhook part only)
# Needs: a built jar and the bench classes (./mvnw -B -q -pl bench -am -DskipTests package
# dependency:build-classpath -Dmdep.outputFile=/tmp/bench.cp), Docker, wrk, node, python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/webhook/script.sh
DURATION="${1:-20}"
WARMUP="${2:-30}"
ROUNDS="${3:-2}"
PORT=18191
UPSTREAM_PORT=18192
# short: the try-out worker's sockets under the home must fit a Unix socket address
WORK=$(mktemp -d /tmp/ceb-XXXX)
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cleanup() {
  [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null || true
  [ -n "${UP_PID:-}" ] && kill "$UP_PID" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

if [ "${PART:-all}" != 2 ]; then
echo "== part 1: the proxy alone, and runs/s in the Docker runtime (load average $(cut -d' ' -f1-3 /proc/loadavg))"
"$JAVA_HOME/bin/java" -cp "$(cat /tmp/bench.cp):bench/target/classes" dev.cronhook.bench.run.EgressBench \
  "${REQUESTS:-5000}" "${RUNS:-5000}" "${CONCURRENCY:-8}" 2>&1 | grep -E "^round|first failure"
fi

node -e "require('http').createServer((q,r)=>{r.setHeader('content-type','text/plain');r.end('hello from upstream')}).listen($UPSTREAM_PORT,'127.0.0.1')" &
UP_PID=$!
cp "$(ls app/target/cronhook-app-*.jar | grep -v -- -plain | head -1)" "$WORK/cronhook-app.jar"

run_mode() { # mode: proxy | host
  local mode=$1 home="$WORK/h$RANDOM" url network extra=()
  if [ "$mode" = proxy ]; then
    url="http://upstream.bench/"; network=none
    extra=(CRONHOOK_EGRESS_TEST_HOSTS="upstream.bench:80=127.0.0.1:$UPSTREAM_PORT")
  else
    url="http://127.0.0.1:$UPSTREAM_PORT/"; network=host
  fi
  env CRONHOOK_HOME="$home" CRONHOOK_PORT=$PORT CRONHOOK_ADMIN_PASSWORD=bench-password-1 \
    CRONHOOK_WEBHOOKS_RATE_LIMIT_PER_SECOND=1000000 CRONHOOK_EXECUTOR_NETWORK=$network "${extra[@]}" \
    "$JAVA_HOME/bin/java" -jar "$WORK/cronhook-app.jar" >"$WORK/app-$mode.log" 2>&1 &
  APP_PID=$!
  local body hook
  body=$(python3 - "$url" <<'PY'
import json, sys
url = sys.argv[1]
code = "export default async () => { const res = await fetch(%s); return { upstream: await res.text() }; };" % json.dumps(url)
print(json.dumps({"name": "caller", "code": code, "egress": {"allow": ["upstream.bench"]}}))
PY
)
  hook=$(script_webhook "$PORT" "$body") || { tail -50 "$WORK/app-$mode.log"; exit 1; }
  local answer; answer=$(curl -fs -XPOST "$hook")
  case "$answer" in *"hello from upstream"*) ;; *) echo "the script did not reach the upstream: $answer"; exit 1 ;; esac
  wrk -t2 -c16 -d"${WARMUP}s" -s bench/webhook/post.lua "$hook" >/dev/null
  for c in 1 16; do
    echo "== $mode ($([ "$mode" = proxy ] && echo "network none, through the egress proxy" || echo "network host, no proxy")): $c connection(s), ${DURATION}s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    wrk -t"$([ "$c" = 1 ] && echo 1 || echo 2)" -c"$c" -d"${DURATION}s" --latency -s bench/webhook/post.lua "$hook" \
      | grep -E "^\s+(50|99)%|Requests/sec|non-2xx"
  done
  kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=
}

for round in $(seq "$ROUNDS"); do
  echo "== part 2, round $round"
  run_mode proxy
  run_mode host
done
