#!/usr/bin/env bash
# Live tail latency: a script prints a line every 200 ms after a 1 s pause; an SSE client (GET /api/runs/{id}/logs,
# Accept: text/event-stream) notes when each line arrives and subtracts the line's own time (stamped by the
# executor as it reads the line). Only lines printed after the client connected count. Bounded: N runs.
#   bench/live-tail/run.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-10}"; PORT=18192; WORK=$(mktemp -d /tmp/cronhook-tail-XXXX)
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
jar=$(ls app/target/cronhook-app-*.jar | grep -v -- -plain | head -1)
CRONHOOK_HOME="$WORK/home" CRONHOOK_PORT=$PORT CRONHOOK_ADMIN_PASSWORD=bench-password-1 \
  "$JAVA_HOME/bin/java" -jar "$jar" >"$WORK/app.log" 2>&1 &
APP_PID=$!; trap 'kill $APP_PID 2>/dev/null || true' EXIT
for _ in $(seq 180); do curl -fs "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null 2>&1 && break; sleep 1; done
python3 - "$PORT" "$N" <<'PY'
import json, sys, time, urllib.request, threading
port, n = int(sys.argv[1]), int(sys.argv[2])
base = f"http://127.0.0.1:{port}"
def call(method, path, body=None, token=None, accept="application/json"):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json"); req.add_header("Accept", accept)
    if token: req.add_header("Authorization", "Bearer " + token)
    return urllib.request.urlopen(req, timeout=60)
token = json.load(call("POST", "/api/auth/login", {"username": "admin", "password": "bench-password-1"}))["token"]
code = ("export default async () => { await new Promise(r => setTimeout(r, 1000));"
        " for (let i = 0; i < 5; i++) { console.log('tick', i); await new Promise(r => setTimeout(r, 200)); } return 1; }")
script = json.load(call("POST", "/api/scripts", {"name": "tail", "code": code}, token))
for _ in range(120):
    if json.load(call("GET", "/api/scripts/" + script["id"], token=token)).get("activeVersion"): break
    time.sleep(1)
lat = []
for i in range(n):
    run = json.load(call("POST", f"/api/scripts/{script['id']}/runs", {"event": {}}, token))
    stream = call("GET", f"/api/runs/{run['id']}/logs", token=token, accept="text/event-stream")
    connected = time.time()
    event = None
    for raw in stream:
        line = raw.decode().rstrip("\n")
        if line.startswith("event:"): event = line[6:].strip()
        elif line.startswith("data:") and event == "line":
            now = time.time()
            d = json.loads(line[5:])
            from datetime import datetime
            t = datetime.fromisoformat(d["time"].replace("Z", "+00:00")).timestamp()
            if t > connected: lat.append((now - t) * 1000)
        elif line.startswith("data:") and event == "end":
            break
lat.sort()
p = lambda q: lat[min(len(lat) - 1, int(round(q / 100 * (len(lat) - 1))))]
print(f"live tail, line printed -> SSE client (ms): n={len(lat)} p50={p(50):.1f} p90={p(90):.1f} max={lat[-1]:.1f}")
PY
