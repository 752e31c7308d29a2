#!/usr/bin/env bash
# cronhook deploy, as a user runs it (the ./cronhook launcher, a fresh JVM each time), against the packaged app on
# embedded defaults: a project of three scripts with two files each (one with an npm dependency). Measures the wall
# time of
#   - a deploy with nothing changed (issue 22: <= 1 s, JVM start included), N times;
#   - a deploy with one file changed, until the new version is built and active (<= 3 s, dependencies cached), N times.
# Bounded: 2N deploys after a first one, then it stops the app.
#   bench/cli/run.sh [N]      (default 10)
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-10}"; PORT=18192; WORK=$(mktemp -d /tmp/cronhook-cli-bench-XXXX)
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
jar=$(ls app/target/cronhook-app-*.jar | grep -v -- -plain | head -1)
CRONHOOK_HOME="$WORK/home" CRONHOOK_PORT=$PORT CRONHOOK_ADMIN_PASSWORD=bench-password-1 \
  "$JAVA_HOME/bin/java" -jar "$jar" >"$WORK/app.log" 2>&1 &
APP_PID=$!; trap 'kill $APP_PID 2>/dev/null; wait $APP_PID 2>/dev/null || true' EXIT
for _ in $(seq 180); do curl -fs "http://127.0.0.1:$PORT/actuator/health/readiness" >/dev/null 2>&1 && break; sleep 1; done
export CRONHOOK_URL="http://127.0.0.1:$PORT"
CRONHOOK_TOKEN=$(curl -fs "$CRONHOOK_URL/api/auth/login" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"bench-password-1"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
export CRONHOOK_TOKEN HOME="$WORK" XDG_CONFIG_HOME="$WORK/.config"
cronhook="$PWD/cronhook"

P="$WORK/project"; mkdir -p "$P/greet/lib" "$P/count" "$P/shout"
cat >"$P/cronhook.yaml" <<'YAML'
scripts:
  - name: greet
    timeoutSeconds: 20
  - name: count
    cron: { expression: "0 0 1 1 *", timezone: Europe/Berlin }
  - name: shout
    dependencies: { ms: "2.1.3" }
YAML
cat >"$P/greet/index.mjs" <<'JS'
import { greeting } from "./lib/words.mjs";
export default async (event) => greeting(event.body?.name ?? "world");
JS
echo 'export const greeting = (name) => `hello ${name}`;' >"$P/greet/lib/words.mjs"
cat >"$P/count/index.mjs" <<'JS'
import { readFile } from "node:fs/promises";
export default async () => JSON.parse(await readFile(new URL("./data.json", import.meta.url), "utf8")).items.length;
JS
echo '{"items": [1, 2, 3]}' >"$P/count/data.json"
cat >"$P/shout/index.mjs" <<'JS'
import ms from "ms";
import { loud } from "./loud.mjs";
export default async (event) => loud(event.body?.text ?? "quiet") + " " + ms(60000);
JS
echo 'export const loud = (s) => s.toUpperCase() + "!";' >"$P/shout/loud.mjs"

cd "$P"
"$cronhook" version >/dev/null # unpacks the CLI and writes its class-data archive, as a user's first command does
first_start=$(date +%s.%N)
"$cronhook" deploy >"$WORK/first.txt" 2>&1 || { cat "$WORK/first.txt"; exit 1; }
echo "first deploy (3 new scripts, npm install of ms): $(python3 -c "import time;print(f'{time.time()-$first_start:.2f}')") s"
cat "$WORK/first.txt"
"$cronhook" deploy >/dev/null 2>&1 # the platform's own first answers to each request, before measuring
for i in $(seq "$N"); do
  /usr/bin/time -f '%e %U %S' -o "$WORK/time" "$cronhook" deploy --json >"$WORK/out.json"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert not any(s["changed"] for s in d["scripts"]), d' \
    "$WORK/out.json"
  tail -1 "$WORK/time" >>"$WORK/unchanged.txt"
done
for i in $(seq "$N"); do
  echo "export const greeting = (name) => \`hello ${i} \${name}\`;" >"$P/greet/lib/words.mjs"
  /usr/bin/time -f '%e %U %S' -o "$WORK/time" "$cronhook" deploy --json >"$WORK/out.json"
  python3 -c '
import json,sys
d={s["name"]: s for s in json.load(open(sys.argv[1]))["scripts"]}
assert d["greet"]["changed"] and d["greet"]["activeVersion"] == d["greet"]["version"], d
assert not d["count"]["changed"] and not d["shout"]["changed"], d' "$WORK/out.json"
  tail -1 "$WORK/time" >>"$WORK/changed.txt"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in 1 2 3; do /usr/bin/time -f '%e %U %S' -o "$WORK/time" "$cronhook" version >/dev/null; tail -1 "$WORK/time" >>"$WORK/version.txt"; done
python3 - "$WORK" <<'PY'
import sys
w=sys.argv[1]
def pct(v,p): v=sorted(v); return v[min(len(v)-1,int(round(p/100*(len(v)-1))))]
for name, label in (("version", "cronhook version (JVM start alone)"), ("unchanged", "deploy, nothing changed"),
                    ("changed", "deploy, one file changed, to active")):
    rows=[[float(x) for x in l.split()] for l in open(f"{w}/{name}.txt")]
    t=[round(r[0]*1000) for r in rows]; cpu=[round((r[1]+r[2])*1000) for r in rows]
    print(f"{label} (ms, wall, JVM start included): n={len(t)} p50={pct(t,50)} p90={pct(t,90)} max={max(t)} all={t}")
    print(f"  the CLI process's CPU (user+sys, ms): p50={pct(cpu,50)} max={max(cpu)}")
PY
