#!/usr/bin/env bash
# The run page of a run with N log lines (default 10,000, the documented maximum) in headless Chromium: the packaged
# app on embedded defaults (Docker runs the script), one run that logs N lines, then the run page opened R times
# (default 5) through Debian's chromedriver; each time the page's own measure (data-rendered-ms on #run-log:
# milliseconds from navigation until every line is in the DOM and laid out). Prints each and the median.
#   bench/run-page/run.sh [N] [R]
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-10000}"; R="${2:-5}"; PORT=18193; WORK=$(mktemp -d /tmp/cronhook-runpage-XXXX)
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
jar=$(ls app/target/cronhook-app-*.jar | grep -v -- -plain | head -1)
CRONHOOK_HOME="$WORK/home" CRONHOOK_PORT=$PORT CRONHOOK_ADMIN_PASSWORD=bench-password-1 \
  "$JAVA_HOME/bin/java" -jar "$jar" >"$WORK/app.log" 2>&1 &
APP_PID=$!; trap 'kill $APP_PID 2>/dev/null || true' EXIT
for _ in $(seq 180); do curl -fs "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null 2>&1 && break; sleep 1; done
python3 "$(dirname "$0")/bench.py" "http://127.0.0.1:$PORT" bench-password-1 "$N" "$R"
