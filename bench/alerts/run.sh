#!/usr/bin/env bash
# Alert benchmark (issue 20): the whole platform on embedded defaults (its own PostgreSQL and Redis, scripts built
# with the host's node and run in Docker when an engine answers), then AlertBench.java against it: the latency from a
# failing run's end to its alert at a receiver on 127.0.0.1, and a burst of 1,000 failing calls across 10 scripts
# (10 alerts expected). Prints the numbers; recording them in bench/RESULTS.md is left to a human.
#
#   bench/alerts/run.sh [samples]
# Needs a built jar (./mvnw -DskipTests package). Everything listens on 127.0.0.1 and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
SAMPLES="${1:-100}"
PORT=18191
WORK=$(mktemp -d /tmp/cronhook-bench-alerts-XXXX)
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cleanup() {
  if [ -n "${APP_PID:-}" ]; then
    kill "$APP_PID" 2>/dev/null || true
    # its embedded PostgreSQL and Redis stop with it
    for _ in $(seq 60); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 1; done
  fi
}
trap cleanup EXIT
if curl -fs "http://127.0.0.1:$PORT/" >/dev/null 2>&1; then echo "port $PORT is taken"; exit 1; fi
cp "$(ls app/target/cronhook-app-*.jar | grep -v -- -plain | head -1)" "$WORK/cronhook-app.jar"
echo "== starting Cronhook (home $WORK/home, port $PORT)"
# the receiver is on 127.0.0.1: the operator setting that lets alerts reach it
CRONHOOK_HOME="$WORK/home" CRONHOOK_PORT=$PORT CRONHOOK_ADMIN_PASSWORD=bench-password-1 \
  CRONHOOK_WEBHOOKS_RATE_LIMIT_PER_SECOND=1000000 CRONHOOK_EGRESS_ALLOW_PRIVATE=127.0.0.1/32 \
  "$JAVA_HOME/bin/java" -jar "$WORK/cronhook-app.jar" >"$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 180); do curl -fs "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null 2>&1 && break; sleep 1; done
curl -fs "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null || { tail -50 "$WORK/app.log"; exit 1; }
echo "== $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA_HOME/bin/java" bench/alerts/AlertBench.java "http://127.0.0.1:$PORT" bench-password-1 "$SAMPLES"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
