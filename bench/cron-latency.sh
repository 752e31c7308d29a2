#!/usr/bin/env bash
# Cron lateness benchmark: packages the app, then runs dev.cronhook.bench.CronLatencyBench against the local
# PostgreSQL and Redis (logical DB 14). Usage: bench/cron-latency.sh [schedules=10000] [window-seconds=120]
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
# one reactor: the sibling modules are not installed, so the class path can only be resolved beside the package
./mvnw -B -q -pl app,bench -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
cd bench
exec "${JAVA_HOME:-/usr}/bin/java" -cp "target/classes:../core/target/classes:$(cat target/classpath.txt)" \
  dev.cronhook.bench.CronLatencyBench ../app/target/cronhook-app-0.1.0-SNAPSHOT.jar "${1:-10000}" "${2:-120}"
