#!/usr/bin/env python3
"""CPU of the idle platform, by process, from /proc and the containers' cgroups (bench/idle/run.sh).

  cpu.py measure APP_PID OWNER SECONDS [JSON]  prints ms of CPU per second of each process group and the total
  cpu.py redis-port APP_PID                     the port its embedded redis-server listens on
  cpu.py threads APP_PID SECONDS                 the JVM's threads by CPU and by wake-ups (voluntary context
                                                switches) over SECONDS

Groups: the app's JVM; its embedded redis-server; its embedded PostgreSQL (every process of its cluster); any other
process under the JVM; the engine (dockerd, containerd: shared by everything on the machine that uses Docker); the
containerd-shims of the app's containers; the app's containers themselves (cgroup cpuacct, which also counts their
short-lived processes). The containers are those labelled dev.cronhook.executor=OWNER.

A process's CPU is utime+stime from /proc/<pid>/stat (10 ms ticks: ±0.2 ms/s per process over 60 s) plus the
cutime+cstime of the children it reaped, so a PostgreSQL autovacuum worker that comes and goes inside the window is
counted in its postmaster.
"""
import json
import os
import re
import subprocess
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")
GROUPS = [
    "cronhook JVM",
    "redis-server",
    "postgres (all)",
    "other children of the JVM",
    "dockerd",
    "containerd",
    "containerd-shims (the app's)",
    "containers (the app's)",
]


def processes():
    """pid -> (ppid, comm, cmdline, ticks of its own, ticks of its reaped children)."""
    out = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = open(f"/proc/{pid}/stat").read()
            cmd = open(f"/proc/{pid}/cmdline").read().replace("\0", " ")
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        f = stat[stat.rindex(")") + 2 :].split()
        out[int(pid)] = (int(f[1]), comm, cmd, int(f[11]) + int(f[12]), int(f[13]) + int(f[14]))
    return out


def containers(owner):
    ids = subprocess.run(
        ["docker", "ps", "-q", "--no-trunc", "--filter", f"label=dev.cronhook.executor={owner}"],
        capture_output=True, text=True, timeout=30,
    ).stdout.split()
    return ids


def cgroup_ns(cid):
    for path in (f"/sys/fs/cgroup/cpuacct/docker/{cid}/cpuacct.usage",
                 f"/sys/fs/cgroup/system.slice/docker-{cid}.scope/cpu.stat",
                 f"/sys/fs/cgroup/docker/{cid}/cpu.stat"):
        try:
            text = open(path).read()
        except OSError:
            continue
        if path.endswith("cpuacct.usage"):
            return int(text)
        for line in text.splitlines():
            if line.startswith("usage_usec"):
                return int(line.split()[1]) * 1000
    return None


def snapshot(app_pid, owner, ids):
    """(group, member) -> CPU ns so far, for every member alive now: a pid, or a container id."""
    procs = processes()
    children = {}
    for pid, p in procs.items():
        children.setdefault(p[0], []).append(pid)
    descendants, todo = set(), [app_pid]
    while todo:
        for child in children.get(todo.pop(), []):
            descendants.add(child)
            todo.append(child)
    out = {}

    def ns(ticks):
        return ticks * 1_000_000_000 // HZ

    if app_pid in procs:
        out[("cronhook JVM", app_pid)] = ns(procs[app_pid][3])
        # the JVM's reaped children (a restarted Redis, a finished helper) are not the JVM's own CPU
        out[("other children of the JVM", f"reaped by {app_pid}")] = ns(procs[app_pid][4])
    for pid in descendants:
        _, comm, cmd, own, reaped = procs[pid]
        if comm.startswith("redis-server"):
            group = "redis-server"
        elif comm == "postgres" or cmd.startswith("postgres:"):
            group = "postgres (all)"
        else:
            group = "other children of the JVM"
        out[(group, pid)] = ns(own + reaped)
    for pid, (_, comm, cmd, own, reaped) in procs.items():
        if comm == "dockerd":
            out[("dockerd", pid)] = ns(own + reaped)
        elif comm == "containerd":
            out[("containerd", pid)] = ns(own + reaped)
        elif comm.startswith("containerd-shim") and any(f"-id {cid}" in cmd for cid in ids):
            out[("containerd-shims (the app's)", pid)] = ns(own + reaped)
    for cid in ids:
        usage = cgroup_ns(cid)
        if usage is not None:
            out[("containers (the app's)", cid)] = usage
    return out


def measure(app_pid, owner, seconds):
    ids = containers(owner)
    t0 = time.monotonic()
    before = snapshot(app_pid, owner, ids)
    time.sleep(seconds)
    after = snapshot(app_pid, owner, ids)
    elapsed = time.monotonic() - t0
    sandbox = ("containerd-shims (the app's)", "containers (the app's)")
    gone = [k for k in before if k not in after and k[0] in sandbox]
    if gone:
        # the warm pool retired an idle container in the window: what it and its shim used until then is not known
        # here, and is left out (a short-lived process of PostgreSQL is counted in its postmaster, which reaps it)
        print(f"   note: {len(gone)} of the app's containers and shims ended during the window and are not counted;"
              f" the app's containers now: {len(containers(owner))} (were {len(ids)})")
    print(f"   CPU over {elapsed:.1f} s (load average {' '.join(open('/proc/loadavg').read().split()[0:3])}):")
    print(f"     {'process':32s} {'n':>4s} {'ms/s':>8s}")
    total = 0.0
    rows = {}
    for g in GROUPS:
        keys = [k for k in after if k[0] == g]
        ms = sum(after[k] - before.get(k, 0) for k in keys) / 1e6 / elapsed
        members = sum(1 for k in keys if not isinstance(k[1], str) or g == "containers (the app's)")
        rows[g] = round(ms, 2)
        total += ms
        print(f"     {g:32s} {members:4d} {ms:8.2f}")
    print(f"     {'total':32s} {'':4s} {total:8.2f}")
    rows["total"] = round(total, 2)
    return rows


if __name__ == "__main__":
    if sys.argv[1] == "measure":
        rows = measure(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]))
        if len(sys.argv) > 5:
            with open(sys.argv[5], "w") as f:
                json.dump(rows, f)
    elif sys.argv[1] == "threads":
        pid, seconds = int(sys.argv[2]), float(sys.argv[3])

        def tasks():
            out = {}
            for tid in os.listdir(f"/proc/{pid}/task"):
                try:
                    stat = open(f"/proc/{pid}/task/{tid}/stat").read()
                    status = open(f"/proc/{pid}/task/{tid}/status").read()
                except OSError:
                    continue
                name = stat[stat.index("(") + 1 : stat.rindex(")")]
                f = stat[stat.rindex(")") + 2 :].split()
                switches = int(re.search(r"voluntary_ctxt_switches:\s+(\d+)", status).group(1))
                out[tid] = (name, int(f[11]) + int(f[12]), switches)
            return out

        before = tasks()
        time.sleep(seconds)
        after = tasks()
        rows = {}
        for tid, (name, ticks, switches) in after.items():
            b = before.get(tid, (name, 0, 0))
            key = re.sub(r"\d+", "N", name)
            r = rows.setdefault(key, [0, 0, 0])
            r[0] += 1
            r[1] += (ticks - b[1]) * 1000 / HZ / seconds
            r[2] += (switches - b[2]) / seconds
        print(f"   JVM threads over {seconds:.0f} s (names with digits as N; wake-ups = voluntary context switches):")
        print(f"     {'thread':24s} {'n':>4s} {'ms/s':>7s} {'wake-ups/s':>11s}")
        for key, (n, ms, wakes) in sorted(rows.items(), key=lambda kv: -kv[1][2])[:25]:
            print(f"     {key:24s} {n:4d} {ms:7.2f} {wakes:11.1f}")
    elif sys.argv[1] == "redis-port":
        procs = processes()
        app_pid = int(sys.argv[2])
        for pid, (ppid, comm, cmd, _, _) in procs.items():
            if comm.startswith("redis-server") and ppid == app_pid:
                # Redis rewrites its command line to "<binary> 127.0.0.1:<port>"
                m = re.search(r"--port (\d+)", cmd) or re.search(r"127\.0\.0\.1:(\d+)", cmd)
                print(m.group(1))
                break
    else:
        sys.exit(__doc__)
