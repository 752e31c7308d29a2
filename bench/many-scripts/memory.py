#!/usr/bin/env python3
"""What the platform holds in memory now, all told (issue 24's density figures).

    memory.py <app pid> <home>

PSS (proportional set size: pages shared between processes, such as the node binary of every container, divided
among them) of: the app's JVM, its embedded PostgreSQL and Redis (processes whose command line names <home>), and
every container of the platform's executors and try-out (label dev.cronhook.executor): their processes and their
containerd shim (the engine's share per container). Prints one line per part, the containers' mean, and the sum.
"""
import json
import os
import subprocess
import sys


def pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def children(pid):
    out = []
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            out = [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def tree(pid):
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(children(p))
    return seen


def parent(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def mib(b):
    return b / 1048576


def main():
    app, home = int(sys.argv[1]), sys.argv[2]
    jvm = pss(app)
    services = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != app and home in cmdline(int(entry)):
            services += pss(int(entry))
    ids = subprocess.run(["docker", "ps", "-q", "--filter", "label=dev.cronhook.executor"],
                         capture_output=True, text=True, check=True).stdout.split()
    containers = []
    if ids:
        inspected = json.loads(subprocess.run(["docker", "inspect", *ids], capture_output=True, text=True,
                                              check=True).stdout)
        for c in inspected:
            pid = c["State"]["Pid"]
            if pid <= 0:
                continue
            own = sum(pss(p) for p in tree(pid))
            shim = parent(pid)
            containers.append((own, pss(shim) if shim > 1 else 0))
    inside = sum(o for o, _ in containers)
    shims = sum(s for _, s in containers)
    total = jvm + services + inside + shims
    n = len(containers)
    print(f"   app JVM {mib(jvm):.1f} MiB, its PostgreSQL and Redis {mib(services):.1f} MiB")
    print(f"   {n} containers: their processes {mib(inside):.1f} MiB, their shims {mib(shims):.1f} MiB"
          + (f"; per container {mib((inside + shims) / n):.1f} MiB all told" if n else ""))
    print(f"   in all {mib(total):.1f} MiB")


if __name__ == "__main__":
    main()
