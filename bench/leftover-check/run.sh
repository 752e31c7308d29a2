#!/usr/bin/env bash
# The check for processes a call left behind in a warm sandbox, both ways, on a live one (issue 24): the harness's
# threads' children in /proc against the container's cgroup.procs. Needs a running Cronhook with a warm Docker sandbox
# on this host (e.g. ./cronhook and one webhook call, or bench/webhook/run.sh while it runs).
#
#   bench/leftover-check/run.sh [checks per round, default 20000]
set -euo pipefail
cd "$(dirname "$0")"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
container=$(docker ps -q --filter label=dev.cronhook.executor | head -1)
[ -n "$container" ] || { echo "no running Cronhook sandbox on this engine: start one first" >&2; exit 1; }
pid=$(docker inspect -f '{{.State.Pid}}' "$container")
if grep -q '^0::' "/proc/$pid/cgroup" && ! grep -q ':pids:' "/proc/$pid/cgroup"; then
  dir="/sys/fs/cgroup$(grep '^0::' "/proc/$pid/cgroup" | cut -d: -f3)"   # cgroup v2
  procs="$dir/cgroup.procs"
  counters=("$dir/memory.events" "$dir/pids.events")
else
  pids="/sys/fs/cgroup/pids$(grep ':pids:' "/proc/$pid/cgroup" | cut -d: -f3)"   # cgroup v1
  procs="$pids/cgroup.procs"
  counters=("/sys/fs/cgroup/memory$(grep ':memory:' "/proc/$pid/cgroup" | cut -d: -f3)/memory.oom_control" "$pids/pids.events")
fi
echo "container $container, harness pid $pid ($(ls "/proc/$pid/task" | wc -l) threads), $procs"
"$JAVA_HOME/bin/java" LeftoverCheck.java "$pid" "$procs" "${1:-20000}"
"$JAVA_HOME/bin/java" CounterReads.java "${1:-20000}" "${counters[@]}"
