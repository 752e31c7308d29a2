#!/usr/bin/env bash
# Idle platform CPU (issue 24): the whole platform as ./cronhook starts it (embedded PostgreSQL and Redis under a
# temporary home, scripts in the Docker engine), optionally with K warm scripts, left alone; then for a window the CPU
# of each of its processes is measured: the app's JVM, its redis-server, its PostgreSQL cluster, dockerd, containerd,
# the containerd-shims and the containers of its warm sandboxes. Prints ms of CPU per second for each and the total;
# recording them in bench/RESULTS.md is left to a human.
#
#   bench/idle/run.sh
#   SCRIPTS=3        K scripts made, each called CALLS times so that warm containers exist (0: an empty platform)
#   CALLS=2          webhook calls to each script
#   SETTLE=60        seconds left alone after the last call before the window (start-up work and the JIT settle)
#   WINDOW=60        the measured window, in seconds
#   ROUNDS=1         windows measured one after another (the figures of each are printed)
#   PROFILE=0        1: after the windows, one more window of the same length with probes on, not counted in the
#                    figures above: Redis commands per second (INFO commandstats), PostgreSQL statements per second
#                    (log_min_duration_statement=0 for the window), the JVM's threads by CPU and wake-ups (from
#                    /proc/<pid>/task), then its system calls over the last 10 s (strace -c -f)
#   START_TIMEOUT=600  seconds the app may take to become ready (a fresh JVM on 2 loaded cores takes minutes)
#   PORT=18381       the app's port (and PORT+2 for its management port): two runs side by side, e.g. of the
#                    jars before and after a change, need two
#   CRONHOOK_BENCH_JAR  another build's jar; default app/target/cronhook-app-*.jar (copied: a rebuild while this
#                    runs must not pull classes out from under it)
#
# The engine (dockerd, containerd) is the machine's: other users of the same engine show in its rows. The app's
# containers are those labelled with this run's executor name. Needs: a built jar (./mvnw -DskipTests package),
# python3, a Docker engine (bash .ci/services.sh), redis-cli and psql for PROFILE=1. Everything listens on 127.0.0.1;
# the run is bounded (MAX_SECONDS, default 900) and removes its containers, images and home at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=bench/idle
SCRIPTS="${SCRIPTS:-3}"
CALLS="${CALLS:-2}"
SETTLE="${SETTLE:-60}"
WINDOW="${WINDOW:-60}"
ROUNDS="${ROUNDS:-1}"
PROFILE="${PROFILE:-0}"
MAX_SECONDS="${MAX_SECONDS:-900}"
PORT="${PORT:-18381}"
BASE="http://127.0.0.1:$PORT"
ADMIN_PASSWORD=bench-password-1
WORK=$(mktemp -d /tmp/cronhook-idle-XXXX)
OWNER="idle-bench-$(basename "$WORK" | cut -d- -f3)"
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
  # this run's containers and its scripts' images only: others use the engine
  docker ps -aq --filter "label=dev.cronhook.executor=$OWNER" | xargs -r docker rm -f >/dev/null 2>&1
  if [ -s "$WORK/ids" ]; then
    docker images --format '{{.Repository}}:{{.Tag}} {{.ID}}' | grep -F -f "$WORK/ids" | cut -d' ' -f2 | sort -u \
      | xargs -r docker rmi -f >/dev/null 2>&1
  fi
  rm -rf "$WORK/home" "$WORK/cronhook-app.jar"
  echo "== total time $(elapsed) s, load average $(load); app.log and raw outputs in $WORK"
}
trap cleanup EXIT
trap 'echo "== stopped"; exit 143' TERM INT

( trap 'kill $sleeper 2>/dev/null; exit 0' TERM
  sleep "$MAX_SECONDS" & sleeper=$!
  wait $sleeper
  echo "== time budget of $MAX_SECONDS s used up: stopping"
  kill -TERM $$ ) &
WATCHDOG=$!

cp "${CRONHOOK_BENCH_JAR:-$(ls app/target/cronhook-app-*.jar | grep -v -- -plain | head -1)}" "$WORK/cronhook-app.jar"
echo "== $(date -u '+%F %T UTC'), $(nproc) cores, load average $(load); SCRIPTS=$SCRIPTS CALLS=$CALLS" \
  "SETTLE=$SETTLE WINDOW=$WINDOW ROUNDS=$ROUNDS"
echo "== starting Cronhook (home $WORK/home, port $PORT, executor $OWNER)"
CRONHOOK_HOME="$WORK/home" CRONHOOK_PORT=$PORT CRONHOOK_MANAGEMENT_PORT=$((PORT + 2)) \
  CRONHOOK_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
  "$JAVA_HOME/bin/java" -jar "$WORK/cronhook-app.jar" --cronhook.executor.consumer-name="$OWNER" \
  >"$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq "${START_TIMEOUT:-600}"); do curl -fs "$BASE/actuator/health/readiness" >/dev/null 2>&1 && break; sleep 1; done
curl -fs "$BASE/actuator/health/readiness" >/dev/null || { echo "the app did not start"; tail -50 "$WORK/app.log"; exit 1; }
echo "   ready after $(elapsed) s"

if [ "$SCRIPTS" -gt 0 ]; then
  echo "== making $SCRIPTS script(s) and calling each $CALLS time(s)"
  python3 "$HERE/scripts.py" "$BASE" "$ADMIN_PASSWORD" "$SCRIPTS" "$CALLS" "$WORK/ids"
fi
echo "== $(docker ps -q --filter "label=dev.cronhook.executor=$OWNER" | wc -l) container(s) of the app running;" \
  "left alone for ${SETTLE}s"
sleep "$SETTLE"

for round in $(seq "$ROUNDS"); do
  echo "== window $round of $ROUNDS: ${WINDOW}s, nothing called (load average $(load))"
  python3 "$HERE/cpu.py" measure "$APP_PID" "$OWNER" "$WINDOW" "$WORK/cpu-$round.json"
done

if [ "$PROFILE" = 1 ]; then
  echo "== probes: one more window of ${WINDOW}s, not counted above"
  RPORT=$(python3 "$HERE/cpu.py" redis-port "$APP_PID")
  rcli() { REDISCLI_AUTH="$(cat "$WORK/home/redis/password")" redis-cli -p "$RPORT" "$@"; }
  PPORT=$(sed -n 4p "$WORK/home/postgres/data/postmaster.pid")
  pg() { PGPASSWORD="$(cat "$WORK/home/postgres/password")" psql -h 127.0.0.1 -p "$PPORT" -U cronhook -d cronhook -Atqc "$1"; }
  rcli INFO commandstats >"$WORK/redis-before.txt"
  pg "ALTER SYSTEM SET log_min_duration_statement = 0" && pg "SELECT pg_reload_conf()" >/dev/null
  pglog=$(ls "$WORK"/home/postgres/postgres.log)
  from=$(stat -c %s "$pglog")
  python3 "$HERE/cpu.py" threads "$APP_PID" $((WINDOW - 10)) >"$WORK/threads.txt"
  timeout 10 strace -c -f -p "$APP_PID" -o "$WORK/strace.txt" >/dev/null 2>&1 || true
  rcli INFO commandstats >"$WORK/redis-after.txt"
  tail -c +$((from + 1)) "$pglog" >"$WORK/pg-window.log"
  pg "ALTER SYSTEM RESET log_min_duration_statement" && pg "SELECT pg_reload_conf()" >/dev/null
  python3 "$HERE/probes.py" "$WORK" "$WINDOW"
  cat "$WORK/threads.txt"
fi
