#!/usr/bin/env bash
# The node harness's own cost of a warm call (issue 24), without the platform around it: a driver on a Unix socket
# sends hello calls one at a time, as the executor does, and reads the harness process's CPU from /proc. Compares
# the harness of the working tree with the one of a git revision, in alternating rounds (this machine's speed drifts
# between minutes), in both modes: a container per version ("own") and a shared sandbox ("shared").
#
#   bench/harness/run.sh [calls per round, default 20000] [revision, default HEAD] [rounds, default 3]
#
# Needs node and python3; nothing listens on a port.
set -euo pipefail
cd "$(dirname "$0")/../.."
HARNESS=core/src/main/resources/dev/cronhook/core/harness/harness.mjs
before=$(mktemp --suffix=.mjs)
trap 'rm -f "$before"' EXIT
git show "${2:-HEAD}:$HARNESS" >"$before"
echo "== $(date -u '+%F %T') UTC, node $(node --version), load average $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "${3:-3}"); do
  for mode in own shared; do
    echo "   round $round, ${2:-HEAD}:   $(python3 bench/harness/drive.py "$before" "${1:-20000}" "$mode")"
    echo "   round $round, working tree: $(python3 bench/harness/drive.py "$HARNESS" "${1:-20000}" "$mode")"
  done
done
