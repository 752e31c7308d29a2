#!/usr/bin/env bash
# Try-out latency: POST /api/try-out, one at a time, against the packaged app on embedded defaults (a try-out runs
# in a blank Docker sandbox when an engine answers, else in the process runtime's sandbox). Two scripts: one whose
# dependency (lodash) is already in the cache, one without dependencies. Prints p50/p90/p99/max of the round trip
# and of the run alone (runMs) for each. Bounded: N requests per script, then it stops the app.
#   bench/try-out/run.sh [N]      (default 100)
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-100}"; PORT=18191; WORK=$(mktemp -d /tmp/cronhook-tryout-XXXX)
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
jar=$(ls app/target/cronhook-app-*.jar | grep -v -- -plain | head -1)
CRONHOOK_HOME="$WORK/home" CRONHOOK_PORT=$PORT CRONHOOK_ADMIN_PASSWORD=bench-password-1 \
  "$JAVA_HOME/bin/java" -jar "$jar" >"$WORK/app.log" 2>&1 &
APP_PID=$!; trap 'kill $APP_PID 2>/dev/null || true' EXIT
for _ in $(seq 180); do curl -fs "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null 2>&1 && break; sleep 1; done
TOKEN=$(curl -fs "http://127.0.0.1:$PORT/api/auth/login" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"bench-password-1"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
WITH_DEPS='{"code":"import _ from \"lodash\";\nexport default async (e) => { console.log(\"hi\"); return _.sum([1,2,3]); }","dependencies":{"lodash":"^4.17.21"},"event":{}}'
NO_DEPS='{"code":"export default async (e) => { console.log(\"hi\"); return 6; }","event":{}}'
measure() { # name body
  local name=$1 body=$2
  # the first call installs lodash into the cache (and waits for the sandbox image on a fresh home)
  curl -fs "http://127.0.0.1:$PORT/api/try-out" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \
    -d "$body" >/dev/null
  for i in $(seq "$N"); do
    curl -fs -o "$WORK/out.json" -w '%{time_total}\n' "http://127.0.0.1:$PORT/api/try-out" \
      -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d "$body" >>"$WORK/$name-total.txt"
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["status"]=="SUCCEEDED", d; print(d["runMs"])' \
      "$WORK/out.json" >>"$WORK/$name-run.txt"
  done
}
measure deps "$WITH_DEPS"
measure nodeps "$NO_DEPS"
grep -E "try-outs run|blank sandbox image" "$WORK/app.log" | sed 's/^.*\(try-outs run\|blank sandbox image\)/\1/' || true
python3 - "$WORK" <<'PY'
import sys
w=sys.argv[1]
def pct(v,p): v=sorted(v); return v[min(len(v)-1,int(round(p/100*(len(v)-1))))]
for name, label in (("deps", "deps cached (lodash)"), ("nodeps", "no dependencies")):
    t=[float(x)*1000 for x in open(f"{w}/{name}-total.txt")]; r=[float(x) for x in open(f"{w}/{name}-run.txt")]
    print(f"try-out, {label}, round trip (ms): n={len(t)} p50={pct(t,50):.0f} p90={pct(t,90):.0f} p99={pct(t,99):.0f} max={max(t):.0f}")
    print(f"  of which the run (ms): p50={pct(r,50):.0f} p90={pct(r,90):.0f} p99={pct(r,99):.0f} max={max(r):.0f}")
PY
