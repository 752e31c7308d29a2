#!/usr/bin/env bash
# Two builds side by side, measured in alternating windows (issue 24): this machine's speed drifts by ±20-30% over
# minutes, more than a change of 5-10% to the webhook path, and one app at a time cannot show such a change. Both
# platforms run at once (each on embedded defaults under its own temporary home), each with one hello script; after
# a warm-up at 64 connections on each, one-connection windows alternate between them, then 64-connection windows.
# Prints every window and the means (the first pair of one-connection windows is left out as warm-up). Run it twice
# with the jars swapped: the window measured second can gain from the order alone.
#
#   bench/webhook/alternate.sh before.jar after.jar
#   PAIRS=10       one-connection windows per app
#   SECONDS_1=6    length of a one-connection window
#   PAIRS_64=3     64-connection windows per app
#   SECONDS_64=10  length of a 64-connection window
#   WARMUP=30      seconds at 64 connections on each app first
#
# Needs wrk, python3 and a Docker engine (bash .ci/services.sh). Everything listens on 127.0.0.1 (ports 18481-18483
# and 18491-18493); the apps, their containers and their homes are removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/webhook/script.sh
[ $# -eq 2 ] || { echo "usage: $0 A.jar B.jar" >&2; exit 2; }
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
WORK=$(mktemp -d /tmp/cronhook-alternate-XXXX)
OWNER="alternate-$(basename "$WORK" | cut -d- -f3)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for app in A B; do
    docker ps -aq --filter "label=dev.cronhook.executor=$OWNER-$app" | xargs -r docker rm -f >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

start() { # name jar port
  cp "$2" "$WORK/$1.jar"
  CRONHOOK_HOME="$WORK/$1" CRONHOOK_PORT=$3 CRONHOOK_MANAGEMENT_PORT=$(($3 + 2)) CRONHOOK_ADMIN_PASSWORD=bench-password-1 \
    CRONHOOK_WEBHOOKS_RATE_LIMIT_PER_SECOND=1000000 \
    "$JAVA_HOME/bin/java" -jar "$WORK/$1.jar" --cronhook.executor.consumer-name="$OWNER-$1" >"$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  hello_webhook "$3" >"$WORK/$1.hook" || { tail -30 "$WORK/$1.log"; exit 1; }
}

echo "== $(date -u '+%F %T') UTC, A=$1, B=$2"
start A "$1" 18481
start B "$2" 18491
for app in A B; do wrk -t2 -c64 -d"${WARMUP:-30}s" -s bench/webhook/post.lua "$(cat "$WORK/$app.hook")" >/dev/null; done
window() { # app connections seconds
  wrk -t"$([ "$2" = 1 ] && echo 1 || echo 2)" -c"$2" -d"$3s" --latency -s bench/webhook/post.lua "$(cat "$WORK/$1.hook")" \
    | awk -v app="$1" -v c="$2" '/ 50%/ {p50=$2} /Requests\/sec/ {rps=$2} END {print app, c, p50, rps}'
}
: >"$WORK/windows"
for i in $(seq "${PAIRS:-10}"); do
  for app in A B; do window "$app" 1 "${SECONDS_1:-6}" | tee -a "$WORK/windows" | sed "s/^/   window $i: /"; done
done
for i in $(seq "${PAIRS_64:-3}"); do
  for app in A B; do window "$app" 64 "${SECONDS_64:-10}" | tee -a "$WORK/windows" | sed "s/^/   window $i: /"; done
done
python3 - "$WORK/windows" <<'PY'
import sys, collections
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
def ms(v): return float(v[:-2]) / 1000 if v.endswith('us') else float(v[:-2]) if v.endswith('ms') else float(v[:-1]) * 1000
seen = collections.Counter(); stats = collections.defaultdict(list)
for app, c, p50, rps in rows:
    seen[(app, c)] += 1
    if c == '1' and seen[(app, c)] == 1: continue  # the first pair is warm-up
    stats[(app, c)].append((ms(p50), float(rps)))
for c in ('1', '64'):
    for app in ('A', 'B'):
        v = stats[(app, c)]
        if v: print(f"== {app}, {c} connection(s), {len(v)} windows: p50 mean {sum(x for x, _ in v) / len(v):.3f} ms, req/s mean {sum(y for _, y in v) / len(v):,.0f}")
PY
