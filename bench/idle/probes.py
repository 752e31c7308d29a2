#!/usr/bin/env python3
"""What the idle platform does, from the probes of bench/idle/run.sh's PROFILE=1 window: Redis commands per second
(INFO commandstats before and after), PostgreSQL statements per second (the server's log with
log_min_duration_statement=0) and the JVM's system calls (strace -c -f).

  probes.py WORK_DIR WINDOW_SECONDS
"""
import collections
import os
import re
import sys

work, window = sys.argv[1], float(sys.argv[2])


def commandstats(path):
    out = {}
    for line in open(path):
        m = re.match(r"cmdstat_([^:]+):calls=(\d+)", line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


before, after = commandstats(f"{work}/redis-before.txt"), commandstats(f"{work}/redis-after.txt")
# the probe's own INFO, ALTER SYSTEM and reload are in these counts: one or two each, not per second
delta = {c: after[c] - before.get(c, 0) for c in after if after[c] - before.get(c, 0) > 0}
print(f"   Redis: {sum(delta.values()) / window:.1f} commands/s")
for c, n in sorted(delta.items(), key=lambda kv: -kv[1]):
    print(f"     {c:28s} {n / window:8.2f}/s")

statements = collections.Counter()
for line in open(f"{work}/pg-window.log", errors="replace"):
    m = re.search(r"(?:statement|execute [^:]*): (.*)", line)
    if m and "duration:" in line:
        sql = re.sub(r"\s+", " ", m.group(1)).strip() or "(empty query: a connection pool's check that it is alive)"
        statements[sql[:110]] += 1
print(f"   PostgreSQL: {sum(statements.values()) / window:.2f} statements/s")
for sql, n in statements.most_common(25):
    print(f"     {n / window:6.2f}/s  {sql}")

if os.path.exists(f"{work}/strace.txt"):
    print("   JVM system calls in 10 s (strace -c -f):")
    lines = open(f"{work}/strace.txt").read().splitlines()
    for line in lines[:14]:
        print("     " + line)
