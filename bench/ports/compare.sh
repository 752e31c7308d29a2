#!/usr/bin/env bash
# Issue 23's "behaviour and figures unchanged": the webhook benchmark (bench/webhook/run.sh, Cronhook only) and the
# executor's queue path (RunBenchmark, -Dphases=queue) on the code before the ports refactor and after it, in one
# sitting, alternating (before, after, before, after) so that the machine's drift hits both alike.
#
#   bench/ports/compare.sh BEFORE_CHECKOUT [rounds=2] [webhook seconds=15] [webhook warm-up seconds=60]
#
# BEFORE_CHECKOUT is a checkout of the commit before the refactor (git worktree add /tmp/before c82b0cc) with its
# jar and bench classes built: ./mvnw -B -q -DskipTests package && ./mvnw -B -q -pl bench -am -DskipTests package
# dependency:build-classpath -Dmdep.outputFile=$PWD/bench/target/bench.cp (the same in this checkout). Prints the numbers; recording
# them in bench/RESULTS.md is left to a human. AFTER=<checkout> measures another checkout than this one as after. Needs what both benchmarks need (wrk, Docker, Redis on 6379).
set -euo pipefail
HERE="$(cd "$(dirname "$0")/../.." && pwd)"
AFTER="${AFTER:-$HERE}"
BEFORE="$(cd "${1:?a checkout of the commit before}" && pwd)"
ROUNDS="${2:-2}"
SECONDS_EACH="${3:-15}"
WARMUP="${4:-60}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
for round in $(seq "$ROUNDS"); do
  for side in before after; do
    dir=$([ "$side" = before ] && echo "$BEFORE" || echo "$AFTER")
    echo "######## round $round, $side ($dir, $(git -C "$dir" rev-parse --short HEAD)), load $(cut -d' ' -f1-3 /proc/loadavg)"
    jar=$(ls "$dir"/app/target/cronhook-app-*.jar | grep -v -- -plain | head -1)
    (cd "$HERE" && CRONHOOK_BENCH_JAR="$jar" WINDOWS=2 bash bench/webhook/run.sh "$SECONDS_EACH" "$WARMUP" cronhook) 2>&1 \
      | grep -E "^==|Requests/sec|^\s+(50|99)%|cpu|CPU|Non-2xx|errors" || true
    (cd "$dir" && "$JAVA_HOME/bin/java" -Dphases=queue -cp "$(cat bench/target/bench.cp):bench/target/classes" \
      dev.cronhook.bench.run.RunBenchmark 1000 0 5000 16 8) 2>&1 | grep -vE "^\s*$|DEBUG|INFO" | tail -15 || true
  done
done
