# Sourced by the benchmarks that call a webhook, on a platform started with CRONHOOK_ADMIN_PASSWORD=bench-password-1
# at 127.0.0.1:<port>:
#   script_webhook <port> <script JSON>  waits until the platform is ready, signs in as admin, makes the script (the
#                                        body of POST /api/scripts), waits (at most 120 s) until its version is
#                                        active and prints its webhook URL; fails, saying why, if it never is
#   hello_webhook <port>                 the same for a hello script
script_webhook() {
  local port=$1 body=$2 token script id active=""
  for _ in $(seq 180); do curl -fs "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1 && break; sleep 1; done
  token=$(curl -fs "http://127.0.0.1:$port/api/auth/login" -H 'content-type: application/json' \
    -d '{"username":"admin","password":"bench-password-1"}' | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
  script=$(curl -fs "http://127.0.0.1:$port/api/scripts" -H "authorization: Bearer $token" -H 'content-type: application/json' \
    -d "$body")
  id=$(echo "$script" | python3 -c 'import sys,json;print(json.load(sys.stdin)["id"])')
  for _ in $(seq 120); do
    active=$(curl -fs "http://127.0.0.1:$port/api/scripts/$id" -H "authorization: Bearer $token" \
      | python3 -c 'import sys,json;print(json.load(sys.stdin).get("activeVersion") or "")')
    [ -n "$active" ] && break; sleep 1
  done
  [ -n "$active" ] || { echo "the script never became active" >&2; return 1; }
  echo "$script" | python3 -c 'import sys,json;print(json.load(sys.stdin)["webhookUrl"])'
}

hello_webhook() {
  script_webhook "$1" '{"name":"hello","code":"export default async (event) => ({hello: \"world\"})"}'
}
