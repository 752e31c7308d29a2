#!/usr/bin/env bash
# Live tail latency, hop by hop. A script waits 1 s, then prints "tick <i> <Date.now()>" every 200 ms; for each of
# N manual runs an SSE client (GET /api/runs/{id}/logs, Accept: text/event-stream, Python's urllib) and a plain
# Redis reader (XREAD BLOCK on the run's live stream, the way the api reads it) note when each line arrives.
# Every clock is the host's (a container shares the kernel's clock), so per line:
#   print -> executor  the line's "time" (stamped by the executor as it reads the line) minus the script's Date.now()
#   executor -> XADD    the Redis entry id's milliseconds minus the executor's stamp
#   XADD -> reader      when the Redis reader got the entry minus the entry id's milliseconds
#   reader -> SSE       when the SSE client got the line minus when the Redis reader got it
#   print -> SSE        the whole path (the issue's figure); "executor -> SSE" is the figure measured before
# Only lines printed after the client sent its request count. Bounded: N runs of ~2 s each.
#   bench/live-tail/run.sh [N]
# Needs a built jar (./mvnw -B -q -ntp -pl app -am -DskipTests package). Listens on 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-10}"; PORT=18192; WORK=$(mktemp -d /tmp/cronhook-tail-XXXX)
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
jar=$(ls app/target/cronhook-app-*.jar | grep -v -- -plain | head -1)
CRONHOOK_HOME="$WORK/home" CRONHOOK_PORT=$PORT CRONHOOK_ADMIN_PASSWORD=bench-password-1 \
  "$JAVA_HOME/bin/java" -jar "$jar" >"$WORK/app.log" 2>&1 &
APP_PID=$!; trap 'kill $APP_PID 2>/dev/null || true; wait $APP_PID 2>/dev/null || true' EXIT
for _ in $(seq 180); do curl -fs "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null 2>&1 && break; sleep 1; done
REDIS_PORT=$(grep -o 'Embedded Redis is up at redis://127.0.0.1:[0-9]*' "$WORK/app.log" | head -1 | grep -o '[0-9]*$')
echo "$(date -u +%FT%TZ) $(nproc) cpus, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
# the embedded Redis requires the password in CRONHOOK_HOME/redis/password
REDIS_PASSWORD=$(cat "$WORK/home/redis/password")
python3 - "$PORT" "$REDIS_PORT" "$N" "$REDIS_PASSWORD" <<'PY'
import json, socket, sys, threading, time, urllib.request
from datetime import datetime
port, redis_port, n, redis_password = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
base = f"http://127.0.0.1:{port}"
def call(method, path, body=None, token=None, accept="application/json"):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json"); req.add_header("Accept", accept)
    if token: req.add_header("Authorization", "Bearer " + token)
    return urllib.request.urlopen(req, timeout=60)
token = json.load(call("POST", "/api/auth/login", {"username": "admin", "password": "bench-password-1"}))["token"]
code = ("export default async () => { await new Promise(r => setTimeout(r, 1000));"
        " for (let i = 0; i < 5; i++) { console.log('tick', i, Date.now()); await new Promise(r => setTimeout(r, 200)); }"
        " return 1; }")
script = json.load(call("POST", "/api/scripts", {"name": "tail", "code": code}, token))
for _ in range(120):
    if json.load(call("GET", "/api/scripts/" + script["id"], token=token)).get("activeVersion"): break
    time.sleep(1)

def command(*args):
    out = b"*%d\r\n" % len(args)
    for a in args: out += b"$%d\r\n%s\r\n" % (len(a.encode()), a.encode())
    return out
def reply(f):
    line = f.readline(); kind, rest = line[:1], line[1:-2]
    if kind in (b"+", b"-", b":"): return rest.decode()
    if kind == b"$": return None if int(rest) < 0 else f.read(int(rest) + 2)[:-2].decode()
    if kind == b"*": return None if int(rest) < 0 else [reply(f) for _ in range(int(rest))]
    raise ValueError(line)

def redis_reader(key, seen):
    """XREAD BLOCK from the start until the end entry: tick -> (arrival, entry id ms)."""
    with socket.create_connection(("127.0.0.1", redis_port)) as s:
        f = s.makefile("rb"); last = "0-0"
        s.sendall(command("AUTH", redis_password)); reply(f)
        while True:
            s.sendall(command("XREAD", "BLOCK", "5000", "STREAMS", key, last))
            r = reply(f); now = time.time()
            for _, entries in r or []:
                for entry_id, fields in entries:
                    last = entry_id; d = dict(zip(fields[::2], fields[1::2]))
                    if "end" in d: return
                    if d.get("line", "").startswith("tick"): seen[d["line"].split()[1]] = (now, int(entry_id.split("-")[0]) / 1000)

def sse(run_id, connected, seen):
    """The SSE client: tick -> (arrival, printed, executor stamp)."""
    connected.append(time.time())  # the headers come with the first event, so this is when the request went out
    stream = call("GET", f"/api/runs/{run_id}/logs", token=token, accept="text/event-stream")
    event = None
    for raw in stream:
        line = raw.decode().rstrip("\n")
        if line.startswith("event:"): event = line[6:].strip()
        elif line.startswith("data:") and event == "line":
            now = time.time(); d = json.loads(line[5:]); _, i, printed = d["text"].split()
            stamped = datetime.fromisoformat(d["time"].replace("Z", "+00:00")).timestamp()
            seen[i] = (now, int(printed) / 1000, stamped)
        elif line.startswith("data:") and event == "end": break

hops = {k: [] for k in ("print -> executor", "executor -> XADD", "XADD -> reader", "reader -> SSE", "print -> SSE",
                        "executor -> SSE")}
for _ in range(n):
    run = json.load(call("POST", f"/api/scripts/{script['id']}/runs", {"event": {}}, token))
    at_redis, at_client, connected = {}, {}, []
    threads = [threading.Thread(target=redis_reader, args=("cronhook:run-log:" + run["id"], at_redis)),
               threading.Thread(target=sse, args=(run["id"], connected, at_client))]
    for t in threads: t.start()
    for t in threads: t.join(60)
    for i, (arrived, printed, stamped) in at_client.items():
        if not connected or printed <= connected[0] or i not in at_redis: continue
        read, added = at_redis[i]
        for k, v in zip(hops, (stamped - printed, added - stamped, read - added, arrived - read, arrived - printed,
                               arrived - stamped)):
            hops[k].append(v * 1000)
def p(xs, q): return sorted(xs)[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]
for k, xs in hops.items():
    print(f"{k:18s} n={len(xs)} p50={p(xs, 50):7.1f} p90={p(xs, 90):7.1f} max={max(xs):7.1f} ms")
PY
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
