#!/usr/bin/env bash
# Try-out latency: POST /api/try-out of a small script whose dependency (lodash) is already cached, N times,
# one at a time, against the packaged app on embedded defaults. Prints p50/p90/max of the round trip and of the
# run alone (runMs). Bounded: N requests, then it stops the app.   bench/try-out/run.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-30}"; PORT=18191; WORK=$(mktemp -d /tmp/cronhook-tryout-XXXX)
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
jar=$(ls app/target/cronhook-app-*.jar | grep -v -- -plain | head -1)
CRONHOOK_HOME="$WORK/home" CRONHOOK_PORT=$PORT CRONHOOK_ADMIN_PASSWORD=bench-password-1 \
  "$JAVA_HOME/bin/java" -jar "$jar" >"$WORK/app.log" 2>&1 &
APP_PID=$!; trap 'kill $APP_PID 2>/dev/null || true' EXIT
for _ in $(seq 180); do curl -fs "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null 2>&1 && break; sleep 1; done
TOKEN=$(curl -fs "http://127.0.0.1:$PORT/api/auth/login" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"bench-password-1"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
BODY='{"code":"import _ from \"lodash\";\nexport default async (e) => { console.log(\"hi\"); return _.sum([1,2,3]); }","dependencies":{"lodash":"^4.17.21"},"event":{}}'
# the first call installs lodash into the cache
curl -fs "http://127.0.0.1:$PORT/api/try-out" -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d "$BODY" >/dev/null
for i in $(seq "$N"); do
  curl -fs -o "$WORK/out.json" -w '%{time_total}\n' "http://127.0.0.1:$PORT/api/try-out" \
    -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d "$BODY" >>"$WORK/total.txt"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["status"]=="SUCCEEDED", d; print(d["runMs"])' "$WORK/out.json" >>"$WORK/run.txt"
done
python3 - "$WORK" <<'PY'
import sys, statistics
w=sys.argv[1]
def pct(v,p): v=sorted(v); return v[min(len(v)-1,int(round(p/100*(len(v)-1))))]
t=[float(x)*1000 for x in open(w+"/total.txt")]; r=[float(x) for x in open(w+"/run.txt")]
print(f"try-out round trip (ms): n={len(t)} p50={pct(t,50):.0f} p90={pct(t,90):.0f} max={max(t):.0f}")
print(f"  of which the run (ms):  p50={pct(r,50):.0f} p90={pct(r,90):.0f} max={max(r):.0f}")
PY
