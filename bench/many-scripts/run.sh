#!/usr/bin/env bash
# Many-scripts benchmark (issue 24): 64 connections spread round-robin over N distinct hello scripts (all built and
# active, same code answering {hello: body.name}), for N in NS, N scripts of one user and N scripts of N users, each
# against the N=1 throughput of the same mode in the same run. The one-hot-script figure and the Node-RED comparison
# stay in bench/webhook/run.sh. Prints the numbers and a Markdown table; recording them in bench/RESULTS.md is left
# to a human.
#
#   bench/many-scripts/run.sh
#   NS="1 10 100 1000"      the Ns of one user's scripts ("" skips the mode)
#   NS_USERS="$NS"          the Ns of scripts of one user each ("" skips the mode)
#   SECONDS_PER_WINDOW=20   the measured wrk window at each N
#   WARMUP=10               seconds of wrk over the N scripts before each window, after one call to each of them
#   WARMUP_ROUND_MAX=120    at most this many seconds for that one call to each (N users' first calls start N
#                           containers: on 2 cores ~1,000 take longer than 120 s)
#   JIT_WARMUP=60           seconds of wrk on the first script before anything is measured (the JIT of a fresh JVM)
#   CREATE_TIMEOUT=1800     seconds for making and building one batch of scripts before the run fails
#   MAX_SECONDS=5400        the whole run's budget: past it the run stops (the table so far is printed)
#   PARALLEL=16             HTTP calls at once while making scripts and in the warm-up round
#   DENSITY_WAIT=30         after the last one-user window, seconds idle before the platform's memory is measured
#                           (memory.py: PSS of the JVM, its PostgreSQL and Redis, every container and its shim); 0 skips
#   CRONHOOK_BENCH_JAR      another build's jar; default app/target/cronhook-app-*.jar (copied: a rebuild while
#                           this runs must not pull classes out from under it)
#   CRONHOOK_REGISTRY       passed through: with it images go to that registry, else into the local engine
#
# Scripts are made incrementally (10, then 90 more for 100, ...) with parallel HTTP, and how long each batch takes
# until every script is active is printed. Before each window the run waits (at most 180 s) until the app has
# stopped finishing runs (calls whose callers hung up when the last wrk stopped are still worked off: at large N
# dozens of cold starts, which would slow the next N's window), then every one of the N webhooks is called once
# (the warm-up round, which shows the cold starts), then wrk runs WARMUP seconds over them. wrk: 2 threads, 64
# connections, --timeout 30s (slow calls measured, not dropped; a call still running when the window ends is not
# counted), --latency. The app's ERROR lines during each window are counted. Needs: a built jar (./mvnw
# -DskipTests package), wrk, python3, a Docker engine (bash .ci/services.sh). Everything listens on 127.0.0.1 and
# stops by itself; the containers and images of the benchmark's scripts are removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=bench/many-scripts
NS="${NS-1 10 100 1000}"
NS_USERS="${NS_USERS-$NS}"
SECONDS_PER_WINDOW="${SECONDS_PER_WINDOW:-20}"
WARMUP="${WARMUP:-10}"
JIT_WARMUP="${JIT_WARMUP:-60}"
DENSITY_WAIT="${DENSITY_WAIT:-30}"
WARMUP_ROUND_MAX="${WARMUP_ROUND_MAX:-120}"
MAX_SECONDS="${MAX_SECONDS:-5400}"
export CREATE_TIMEOUT="${CREATE_TIMEOUT:-1800}" PARALLEL="${PARALLEL:-16}"
PORT=18281
BASE="http://127.0.0.1:$PORT"
ADMIN_PASSWORD=bench-password-1
WORK=$(mktemp -d /tmp/cronhook-many-XXXX)
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
STARTED=$(date +%s)

load() { cut -d' ' -f1-3 /proc/loadavg; }
elapsed() { echo $(($(date +%s) - STARTED)); }

cleanup() {
  set +e
  [ -n "${WATCHDOG:-}" ] && kill "$WATCHDOG" 2>/dev/null
  if [ -n "${APP_PID:-}" ]; then
    kill "$APP_PID" 2>/dev/null
    for _ in $(seq 60); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$APP_PID" 2>/dev/null
    wait "$APP_PID" 2>/dev/null
  fi
  # what the app left on the engine: the containers and images of this run's scripts only (others use the engine)
  python3 -c 'import json, sys; [print(s["id"]) for f in sys.argv[1:] for s in json.load(open(f))]' \
    $(ls "$WORK"/one.json "$WORK"/users.json 2>/dev/null) >"$WORK/ids" 2>/dev/null
  if [ -s "$WORK/ids" ]; then
    docker ps -a --filter label=dev.cronhook.executor --format '{{.ID}} {{.Label "dev.cronhook.executor.script"}}' \
      | grep -F -f "$WORK/ids" | cut -d' ' -f1 | xargs -r docker rm -f >/dev/null 2>&1
    docker images --format '{{.Repository}}:{{.Tag}} {{.ID}}' | grep -F -f "$WORK/ids" | cut -d' ' -f2 | sort -u \
      | xargs -r docker rmi -f >/dev/null 2>&1
  fi
  rm -rf "$WORK/home" "$WORK/cronhook-app.jar"
  if [ -s "$RESULTS" ]; then
    echo "== results (raw outputs and app.log in $WORK)"
    python3 "$HERE/table.py" print "$RESULTS"
  fi
  echo "== total time $(elapsed) s, load average $(load)"
}
trap cleanup EXIT
trap 'echo "== stopped"; exit 143' TERM INT

# the whole run is bounded: past MAX_SECONDS the step under way is ended and the run stops
( trap 'kill $sleeper 2>/dev/null; exit 0' TERM
  sleep "$MAX_SECONDS" & sleeper=$!
  wait $sleeper
  echo "== time budget of $MAX_SECONDS s used up: stopping"
  kill -TERM $$; pkill -TERM -P $$ -x wrk; pkill -TERM -P $$ -x python3 ) &
WATCHDOG=$!

cp "${CRONHOOK_BENCH_JAR:-$(ls app/target/cronhook-app-*.jar | grep -v -- -plain | head -1)}" "$WORK/cronhook-app.jar"
echo "== $(date -u '+%F %T UTC'), $(nproc) cores, load average $(load); NS=\"$NS\" NS_USERS=\"$NS_USERS\"" \
  "SECONDS_PER_WINDOW=$SECONDS_PER_WINDOW WARMUP=$WARMUP JIT_WARMUP=$JIT_WARMUP"
echo "== starting Cronhook (home $WORK/home, port $PORT)"
CRONHOOK_HOME="$WORK/home" CRONHOOK_PORT=$PORT CRONHOOK_MANAGEMENT_PORT=$((PORT + 2)) \
  CRONHOOK_ADMIN_PASSWORD="$ADMIN_PASSWORD" CRONHOOK_WEBHOOKS_RATE_LIMIT_PER_SECOND=1000000 \
  "$JAVA_HOME/bin/java" -jar "$WORK/cronhook-app.jar" >"$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 180); do curl -fs "$BASE/actuator/health/readiness" >/dev/null 2>&1 && break; sleep 1; done
curl -fs "$BASE/actuator/health/readiness" >/dev/null || { echo "the app did not start"; tail -50 "$WORK/app.log"; exit 1; }
echo "   ready after $(elapsed) s"

window() { # mode n paths-file
  local mode=$1 n=$2 paths=$3 out="$WORK/wrk-$1-$2.txt" from
  echo "== $mode, N=$n: waiting until the app has worked off the calls of the last window"
  python3 "$HERE/scripts.py" quiet "http://127.0.0.1:$((PORT + 2))/actuator/prometheus" 180
  echo "== $mode, N=$n: warm-up round (load average $(load))"
  python3 "$HERE/scripts.py" call "$BASE" "$paths" "$WARMUP_ROUND_MAX"
  wrk -t2 -c64 -d"${WARMUP}s" --timeout 30s -s "$HERE/paths.lua" "$BASE" -- "$paths" \
    | grep -E "Requests/sec|non-2xx" | sed 's/^/   warm-up wrk: /' || true
  local before
  before=$(load)
  echo "== $mode, N=$n: 64 connections, ${SECONDS_PER_WINDOW}s (load average $before)"
  from=$(stat -c %s "$WORK/app.log")
  wrk -t2 -c64 -d"${SECONDS_PER_WINDOW}s" --timeout 30s --latency -s "$HERE/paths.lua" "$BASE" -- "$paths" >"$out" || true
  grep -E "^\s+(50|90|99)%|Requests/sec|requests in|non-2xx" "$out" | sed 's/^ */   /'
  sleep 1 # the app's lines about the calls wrk dropped at the end
  python3 "$HERE/table.py" errors "$WORK/app.log" "$from" >"$out.errors"
  local errors
  errors=$(head -1 "$out.errors")
  [ "$errors" = 0 ] || { echo "   app.log ERROR lines in the window: $errors"; tail -n +2 "$out.errors" | sed 's/^/   /'; }
  python3 "$HERE/table.py" row "$mode" "$n" "$out" "$errors" "$before" >>"$RESULTS"
}

first=1
for mode in one users; do
  ns=$([ "$mode" = one ] && echo "$NS" || echo "$NS_USERS")
  for n in $ns; do
    echo "== $mode: making scripts up to N=$n ($(elapsed) s in, load average $(load))"
    python3 "$HERE/scripts.py" create "$BASE" "$ADMIN_PASSWORD" "$WORK" "$mode" "$n"
    paths="$WORK/paths-$mode-$n.txt"
    if [ "$first" = 1 ] && [ "$JIT_WARMUP" -gt 0 ]; then
      echo "== JIT warm-up: ${JIT_WARMUP}s at 64 connections on one script"
      head -1 "$paths" >"$WORK/paths-jit.txt"
      wrk -t2 -c64 -d"${JIT_WARMUP}s" --timeout 30s -s "$HERE/paths.lua" "$BASE" -- "$WORK/paths-jit.txt" \
        | grep -E "Requests/sec|non-2xx" | sed 's/^/   /' || true
    fi
    first=0
    window "$mode" "$n" "$paths"
    if [ "$mode" = one ] && [ "$n" = "$(echo $NS | awk '{print $NF}')" ] && [ "$DENSITY_WAIT" -gt 0 ]; then
      # density: the N scripts were all called in the last minute; now idle
      python3 "$HERE/scripts.py" quiet "http://127.0.0.1:$((PORT + 2))/actuator/prometheus" 180
      sleep "$DENSITY_WAIT"
      echo "== density: $n scripts of one user called in the last minute, idle ${DENSITY_WAIT}s (load average $(load))"
      python3 "$HERE/memory.py" "$APP_PID" "$WORK/home"
    fi
  done
done
echo "== app.log, the whole run: $(python3 "$HERE/table.py" errors "$WORK/app.log" 0 | head -1) ERROR line(s)"
