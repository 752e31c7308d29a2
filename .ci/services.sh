#!/usr/bin/env bash
# Makes this machine ready for the tests: packages, JDK 25, PostgreSQL, Redis, a Docker engine and a registry
# on 127.0.0.1:5000, Chromium. Idempotent: what is installed or running is left alone.
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
command -v bwrap >/dev/null || packages+=(bubblewrap)
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
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

if ! docker info >/dev/null 2>&1; then
  need_root "dockerd"
  runtimes=()
  if crun_usable; then
    runtimes=(--add-runtime "crun=$(command -v crun)")
    log "starting the Docker engine (no bridge, no iptables; crun offered besides runc)"
  else
    log "starting the Docker engine (no bridge, no iptables; runc only)"
  fi
  mkdir -p /var/log/cronhook
  nohup dockerd --bridge=none --iptables=false --ip-masq=false "${runtimes[@]}" >/var/log/cronhook/dockerd.log 2>&1 &
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start:" >&2; tail -20 /var/log/cronhook/dockerd.log >&2; exit 1; }
fi

if ! curl -fsS http://127.0.0.1:5000/v2/ >/dev/null 2>&1; then
  log "starting the registry on 127.0.0.1:5000"
  mkdir -p /var/lib/cronhook-registry /var/log/cronhook
  here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  nohup /usr/bin/docker-registry serve "$here/registry.yml" >/var/log/cronhook/registry.log 2>&1 &
  for _ in $(seq 30); do curl -fsS http://127.0.0.1:5000/v2/ >/dev/null 2>&1 && break; sleep 0.5; done
fi
log "ready"
