#!/usr/bin/env python3
"""CPU time per request of each process kind, from /proc deltas around a wrk run (bench/webhook/run.sh).

  cpu.py before                      > snapshot   (prints a JSON snapshot of every process's CPU ticks)
  cpu.py after snapshot wrk-output              (prints microseconds of CPU per request, by process kind)

Processes that end between the two snapshots are not counted; short-lived ones are rare in a warm run.
"""
import json
import os
import re
import sys

HZ = os.sysconf("SC_CLK_TCK")


def kind(pid, comm, cmd, uid):
    if comm == "java" and "cronhook-app" in cmd:
        return "cronhook (JVM)"
    if comm == "java":
        return "other JVMs"
    if comm.startswith("redis-server") or comm.startswith("redis-ser"):
        return "redis"
    if comm == "postgres":
        return "postgresql"
    if comm == "dockerd":
        return "dockerd"
    if comm.startswith("containerd"):
        return "containerd + shims"
    if comm == "node-red" or (comm == "node" and "node-red" in cmd):
        return "node-red"
    if comm.startswith("node") and uid == 65532:
        return "node (scripts)"
    if comm == "wrk":
        return "wrk (load)"
    return "other"


def snapshot():
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = open(f"/proc/{pid}/stat").read()
            comm = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            ticks = int(fields[11]) + int(fields[12])
            cmd = open(f"/proc/{pid}/cmdline").read().replace("\0", " ")
            uid = os.stat(f"/proc/{pid}").st_uid
        except (OSError, ValueError):
            continue
        out[pid] = [kind(pid, comm, cmd, uid), ticks]
    return out


if sys.argv[1] == "before":
    print(json.dumps(snapshot()))
else:
    before = json.load(open(sys.argv[2]))
    wrk = open(sys.argv[3]).read()
    requests = int(re.search(r"(\d+) requests in", wrk).group(1))
    seconds = float(re.search(r"requests in ([\d.]+)(m?s)", wrk).group(1))
    totals = {}
    for pid, (k, ticks) in snapshot().items():
        totals[k] = totals.get(k, 0) + ticks - before.get(pid, [k, 0])[1]
    platform = 0.0
    print(f"   CPU per request ({requests} requests):")
    for k, ticks in sorted(totals.items(), key=lambda kv: -kv[1]):
        us = ticks / HZ * 1e6 / requests
        if k not in ("other JVMs", "wrk (load)", "other"):
            platform += us
        if ticks > 0:
            print(f"     {k:20s} {us:8.0f} µs")
    print(f"     {'serving side, total':20s} {platform:8.0f} µs")
