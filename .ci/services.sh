#!/usr/bin/env bash
# Makes this machine ready for the tests: packages, JDK 25, PostgreSQL, Redis, a Docker engine offering the OCI
# runtimes runc, crun and runsc (gVisor), a registry on 127.0.0.1:5000, Chromium. Idempotent: what is installed or
# running is left alone, except an engine that lacks a runtime, which is told to reload its configuration.
set -euo pipefail

log() { echo "[services] $*"; }
need_root() { [ "$(id -u)" = 0 ] || { echo "run as root (or install the packages yourself): $*" >&2; exit 1; }; }

packages=()
command -v psql >/dev/null || packages+=(postgresql)
command -v redis-server >/dev/null || packages+=(redis-server)
command -v dockerd >/dev/null || packages+=(docker.io)
[ -x /usr/bin/docker-registry ] || packages+=(docker-registry)
[ -x /usr/bin/chromium ] || packages+=(chromium)
[ -x /usr/bin/chromedriver ] || packages+=(chromium-driver)
command -v crun >/dev/null || packages+=(crun)
command -v runsc >/dev/null || packages+=(runsc)
command -v bwrap >/dev/null || packages+=(bubblewrap)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
# Python scripts (issue 25): the base of their images and the pip that resolves their requirements
[ -x /usr/bin/python3 ] || packages+=(python3)
/usr/bin/python3 -m pip --version >/dev/null 2>&1 || packages+=(python3-pip)
/usr/bin/python3 -m venv --help >/dev/null 2>&1 || packages+=(python3-venv)
if [ ${#packages[@]} -gt 0 ]; then
  need_root "apt-get install ${packages[*]}"
  log "installing ${packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi

if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
  for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64; do
    if [ -x "$candidate/bin/java" ]; then export JAVA_HOME="$candidate"; break; fi
  done
fi
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
  echo "no JDK 25 found: set JAVA_HOME to one" >&2; exit 1
fi
export PATH="$JAVA_HOME/bin:$PATH"
log "JAVA_HOME=$JAVA_HOME"

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  log "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi

# crun starts containers ~70 ms sooner than runc; the executor takes it when the engine offers it. With hybrid
# cgroups (v1 controllers and a cgroup2 mount) crun 1.8 refuses to run while any controller sits on the cgroup2
# side (hugetlb, on Debian 12 VMs): give each such controller a v1 hierarchy of its own, as the others have.
crun_usable() {
  command -v crun >/dev/null || return 1
  local unified=/sys/fs/cgroup/unified
  [ -f "$unified/cgroup.controllers" ] || return 0
  local controller
  for controller in $(cat "$unified/cgroup.controllers"); do
    mountpoint -q "/sys/fs/cgroup/$controller" && continue
    mkdir -p "/sys/fs/cgroup/$controller" 2>/dev/null &&
      mount -t cgroup -o "$controller" cgroup "/sys/fs/cgroup/$controller" 2>/dev/null ||
      log "could not mount the $controller cgroup controller as v1"
  done
  [ -z "$(cat "$unified/cgroup.controllers")" ]
}

# The engine's extra OCI runtimes live in /etc/docker/daemon.json, not on dockerd's command line: a SIGHUP reload
# takes runtimes from that file only and drops those given with --add-runtime. runsc (gVisor) runs on the ptrace
# platform (no /dev/kvm on these VMs) with
#   --host-uds=open   the harness connects to the executor's Unix socket, bind-mounted from the host; gVisor
#                     refuses to open host sockets by default
#   --network=none    gVisor of Debian 12 (0.0~20221219) takes any network namespace for the host's on kernels
#                     that show /proc/sys/net/core/rmem_default in every namespace (6.x; gVisor issue 10704) and
#                     refuses to start: scripts here run with network "none" anyway, which this matches (loopback
#                     only); with a newer gVisor leave it out to give runsc containers a Docker network
daemon_json=/etc/docker/daemon.json
wanted_runtimes=()
configure_runtimes() {
  local crun_path="" runsc_path=""
  if crun_usable; then crun_path="$(command -v crun)"; fi
  runsc_path="$(command -v runsc || true)"
  [ -n "$crun_path" ] && wanted_runtimes+=(crun)
  [ -n "$runsc_path" ] && wanted_runtimes+=(runsc)
  mkdir -p "$(dirname "$daemon_json")"
  # merged into what the file already holds, rewritten only when it changes
  CRUN="$crun_path" RUNSC="$runsc_path" node - "$daemon_json" <<'JS'
const fs = require('fs');
const file = process.argv[2];
const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
const config = before.trim() ? JSON.parse(before) : {};
const runtimes = { ...(config.runtimes || {}) };
// a runtime that cannot run here is not offered: the executor's "auto" would pick crun and fail every start
if (process.env.CRUN) runtimes.crun = { path: process.env.CRUN };
else delete runtimes.crun;
if (process.env.RUNSC) {
  runtimes.runsc = { path: process.env.RUNSC, runtimeArgs: ['--platform=ptrace', '--host-uds=open', '--network=none'] };
} else delete runtimes.runsc;
config.runtimes = runtimes;
const after = JSON.stringify(config, null, 2) + '\n';
if (after !== before) fs.writeFileSync(file, after);
JS
}

engine_lacks_runtimes() {
  local offered runtime
  offered="$(docker info --format '{{range $name, $_ := .Runtimes}}{{$name}} {{end}}' 2>/dev/null)" || return 0
  for runtime in "${wanted_runtimes[@]}"; do
    [[ " $offered " == *" $runtime "* ]] || return 0
  done
  return 1
}

if ! docker info >/dev/null 2>&1; then
  need_root "dockerd"
  configure_runtimes
  log "starting the Docker engine (no bridge, no iptables; runtimes runc ${wanted_runtimes[*]})"
  mkdir -p /var/log/cronhook
  nohup dockerd --bridge=none --iptables=false --ip-masq=false >/var/log/cronhook/dockerd.log 2>&1 &
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start:" >&2; tail -20 /var/log/cronhook/dockerd.log >&2; exit 1; }
elif [ "$(id -u)" = 0 ]; then
  configure_runtimes
  if engine_lacks_runtimes; then
    # a reload keeps every container running; it reads $daemon_json unless dockerd was given another file
    pid="$(cat /var/run/docker.pid 2>/dev/null || pgrep -xo dockerd || true)"
    if [ -n "$pid" ] && [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" != *--config-file* ]]; then
      log "the running Docker engine lacks one of ${wanted_runtimes[*]}: reloading its configuration (SIGHUP)"
      kill -HUP "$pid"
      for _ in $(seq 20); do engine_lacks_runtimes || break; sleep 0.5; done
    fi
    if engine_lacks_runtimes; then
      log "WARNING: the running Docker engine still lacks one of ${wanted_runtimes[*]}" \
        "(it has: $(docker info --format '{{range $name, $_ := .Runtimes}}{{$name}} {{end}}'));" \
        "restart it with the runtimes of $daemon_json"
    fi
  fi
fi

if ! curl -fsS http://127.0.0.1:5000/v2/ >/dev/null 2>&1; then
  log "starting the registry on 127.0.0.1:5000"
  mkdir -p /var/lib/cronhook-registry /var/log/cronhook
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  nohup /usr/bin/docker-registry serve "$here/registry.yml" >/var/log/cronhook/registry.log 2>&1 &
  for _ in $(seq 30); do curl -fsS http://127.0.0.1:5000/v2/ >/dev/null 2>&1 && break; sleep 0.5; done
fi
log "ready"
