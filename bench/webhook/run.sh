#!/usr/bin/env bash
# Webhook benchmark: a hello script behind its webhook, warm, end to end over HTTP on 127.0.0.1, driven by wrk
# for bounded times; then the same scenario against Node-RED (http in -> function -> http response) in the same
# run, for the ratio. Prints the numbers; recording them in bench/RESULTS.md is left to a human.
#
#   bench/webhook/run.sh [seconds] [warm-up seconds] [both|cronhook|node-red]
#   WINDOWS=n (default 1) measures the 64-connection load n times in a row: the machine's speed drifts by ~20%
#   within minutes, and one window says little about "sustained"
#
# Each side is warmed first (the JIT of a Spring application on 2 cores takes minutes to settle: measuring
# before that measures the compiler), then measured with 1 connection (latency without queueing), 16 and 64
# connections (throughput), and the CPU each process used per request is printed for the 1- and 64-connection runs
# (one connection: each process's own cost of a call; 64: with the two cores contended).
# Needs: a built jar (./mvnw -DskipTests package), wrk, node/npm, python3; Docker is used when reachable (warm
# containers), else the process runtime. Everything listens on 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/webhook/script.sh
DURATION="${1:-20}"
WARMUP="${2:-150}"
WHICH="${3:-both}"
PORT=18181
NODE_RED_PORT=18182
WORK=$(mktemp -d /tmp/cronhook-bench-XXXX)
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cleanup() {
  [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null || true
  [ -n "${RED_PID:-}" ] && kill "$RED_PID" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

if [ "$WHICH" != node-red ]; then
# a copy: rebuilding the project while this runs must not pull classes out from under it
# CRONHOOK_BENCH_JAR: another build's jar (bench/ports/compare.sh measures the code before a change with it)
cp "${CRONHOOK_BENCH_JAR:-$(ls app/target/cronhook-app-*.jar | grep -v -- -plain | head -1)}" "$WORK/cronhook-app.jar"
jar="$WORK/cronhook-app.jar"
echo "== starting Cronhook (home $WORK/home, port $PORT)"
CRONHOOK_HOME="$WORK/home" CRONHOOK_PORT=$PORT CRONHOOK_MANAGEMENT_PORT=$((PORT + 2)) CRONHOOK_ADMIN_PASSWORD=bench-password-1 \
  CRONHOOK_WEBHOOKS_RATE_LIMIT_PER_SECOND=1000000 \
  "$JAVA_HOME/bin/java" -jar "$jar" >"$WORK/app.log" 2>&1 &
APP_PID=$!
HOOK=$(hello_webhook "$PORT") || { tail -50 "$WORK/app.log"; exit 1; }
echo "webhook: $HOOK"
measure() { # name url
  # the first seconds of a fresh process under load: its JIT still compiling and, for Cronhook, one warm container
  # (from the 50 single calls before) where 64 calls at once want more; wrk's timeout raised so that slow calls
  # are measured, not dropped
  echo "== $1: fresh process, 64 connections at once, 20s"
  wrk -t2 -c64 -d20s --timeout 30s --latency -s bench/webhook/post.lua "$2" \
    | grep -E "^\s+(50|90|99)%|Latency |Requests/sec|Non-2xx|Socket errors"
  echo "== $1: warm-up ${WARMUP}s at 64 connections"
  wrk -t2 -c64 -d"${WARMUP}s" -s bench/webhook/post.lua "$2" | grep -E "Requests/sec|Non-2xx|errors"
  local conns="1 16"
  for _ in $(seq "${WINDOWS:-1}"); do conns="$conns 64"; done
  for c in $conns; do
    echo "== $1: ${c} connection(s), ${DURATION}s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    if [ "$c" != 16 ]; then
      python3 bench/webhook/cpu.py before >"$WORK/cpu-before"
    fi
    wrk -t"$([ "$c" = 1 ] && echo 1 || echo 2)" -c"$c" -d"${DURATION}s" --latency -s bench/webhook/post.lua "$2" \
      | tee "$WORK/$1-$c.txt" | grep -E "^\s+(50|90|99)%|Requests/sec|Non-2xx|Socket errors"
    if [ "$c" != 16 ]; then
      python3 bench/webhook/cpu.py after "$WORK/cpu-before" "$WORK/$1-$c.txt"
    fi
  done
}
for _ in $(seq 50); do curl -fs -XPOST "$HOOK" >/dev/null; done
measure cronhook "$HOOK"
kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=
fi
[ "$WHICH" = cronhook ] && { echo "raw outputs in $WORK"; exit 0; }

echo "== starting Node-RED (npm, cached in ~/.cache/cronhook-bench)"
RED_HOME="${HOME}/.cache/cronhook-bench/node-red"
mkdir -p "$RED_HOME"
[ -x "$RED_HOME/node_modules/.bin/node-red" ] || npm install --prefix "$RED_HOME" --no-audit --no-fund node-red@4 >/dev/null
mkdir -p "$WORK/red"
cat >"$WORK/red/flows.json" <<'FLOW'
[{"id":"tab","type":"tab","label":"bench"},
 {"id":"in","type":"http in","z":"tab","name":"","url":"/hello","method":"post","upload":false,"wires":[["fn"]]},
 {"id":"fn","type":"function","z":"tab","name":"","func":"msg.payload = {hello: 'world'};\nreturn msg;","outputs":1,"wires":[["out"]]},
 {"id":"out","type":"http response","z":"tab","name":"","statusCode":"","headers":{},"wires":[]}]
FLOW
cat >"$WORK/red/settings.js" <<SETTINGS
module.exports = { uiHost: "127.0.0.1", uiPort: $NODE_RED_PORT, flowFile: "flows.json", httpAdminRoot: false,
  logging: { console: { level: "warn" } }, editorTheme: { projects: { enabled: false } } };
SETTINGS
"$RED_HOME/node_modules/.bin/node-red" --userDir "$WORK/red" --settings "$WORK/red/settings.js" >"$WORK/red.log" 2>&1 &
RED_PID=$!
for _ in $(seq 60); do curl -fs -XPOST "http://127.0.0.1:$NODE_RED_PORT/hello" >/dev/null 2>&1 && break; sleep 1; done
for _ in $(seq 50); do curl -fs -XPOST "http://127.0.0.1:$NODE_RED_PORT/hello" >/dev/null; done
measure node-red "http://127.0.0.1:$NODE_RED_PORT/hello"
echo "raw outputs in $WORK"
