#!/usr/bin/env bash
# The chaos run of issue 23, long form: ChaosIT (app/src/test/java/dev/cronhook/app/chaos/) for ten minutes instead of
# two. A split deployment (two api, two scheduler, two executor, one builder, one try-out process of the app jar) on a
# PostgreSQL and a Redis of its own, under webhook load (sync and async) and cron schedules firing every second; a random
# process killed with SIGKILL every 10 s and started again, Redis and PostgreSQL restarted once each; then the counts.
# Needs root (the private PostgreSQL runs as the postgres user), a Docker engine and the registry on 127.0.0.1:5000
# (bash .ci/services.sh). The report goes to bench/chaos/last-report.md; copy it into bench/RESULTS-chaos.md.
#
#   bash bench/chaos/run.sh                      # 10 minutes, 100 schedules every second, 10 webhook calls/s
#   SCHEDULES=20 bash bench/chaos/run.sh         # the load of the 12:34 run in bench/RESULTS-chaos.md
#   DURATION=PT20M CALLS_PER_SECOND=30 bash bench/chaos/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
report="$PWD/bench/chaos/last-report.md"
./mvnw -B -ntp -o -pl app -am verify -Dtest=none -Dit.test=ChaosIT \
  -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dcronhook.chaos.duration="${DURATION:-PT10M}" \
  -Dcronhook.chaos.schedules="${SCHEDULES:-100}" \
  -Dcronhook.chaos.calls-per-second="${CALLS_PER_SECOND:-10}" \
  ${SEED:+-Dcronhook.chaos.seed="$SEED"} \
  -Dcronhook.chaos.report="$report" "$@"
echo "report: $report"
