#!/usr/bin/env python3
"""The many-scripts benchmark's table: one row per wrk window, the ratio to the N=1 req/s of the same mode and run.

  table.py row MODE N WRK_OUTPUT APP_LOG_ERRORS LOAD_AVERAGE >> results.tsv
  table.py print results.tsv
  table.py errors APP_LOG FROM_BYTE      the ERROR lines from that byte on: the count, then up to 3 kinds

A caller that hangs up before its answer is sent (wrk stopping at the end of a window with calls in flight) is
logged as an ERROR with reactor.netty's AbortedException "Connection has been closed BEFORE send operation": those
are counted apart ("+n hang-ups"), they are the client's doing.
"""
import re
import sys

MODES = {"one": "one user", "users": "N users"}


def seconds(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def row(mode, n, wrk_output, app_errors, load):
    text = open(wrk_output).read()
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
    requests = re.search(r"(\d+) requests in", text)
    errors = re.search(r"non-2xx/3xx: (\d+), socket errors: connect (\d+) read (\d+) write (\d+) timeout (\d+)", text)
    non2xx = int(errors.group(1)) if errors else -1
    socket = sum(int(g) for g in errors.groups()[1:]) if errors else -1
    print("\t".join([mode, n, rps.group(1) if rps else "-", str(seconds(p50.group(1))) if p50 else "-",
                     str(seconds(p99.group(1))) if p99 else "-", str(non2xx), str(socket),
                     requests.group(1) if requests else "-", app_errors, load]))


def latency(s):
    if s == "-":
        return "-"
    s = float(s)
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def show(results):
    rows = [line.rstrip("\n").split("\t") for line in open(results) if line.strip()]
    print("| N scripts | of | req/s | ratio to N=1 | p50 | p99 | requests | non-2xx | socket errors | app.log ERROR "
          "lines | load average |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    first = {}
    for mode, n, rps, p50, p99, non2xx, socket, requests, app_errors, load in rows:
        if n == "1" and rps != "-":
            first.setdefault(mode, float(rps))
        ratio = f"{float(rps) / first[mode]:.1%}" if rps != "-" and mode in first else "-"
        print(f"| {int(n):,} | {MODES.get(mode, mode)} | {float(rps):,.1f} | {ratio} | {latency(p50)} | "
              f"{latency(p99)} | {requests} | {non2xx} | {socket} | {app_errors} | {load} |"
              if rps != "-" else f"| {n} | {MODES.get(mode, mode)} | no result | | | | | | | {app_errors} | {load} |")


def errors(app_log, from_byte):
    with open(app_log, "rb") as f:
        f.seek(int(from_byte))
        lines = f.read().decode(errors="replace").splitlines()
    kinds, hangups, count = {}, 0, 0
    for n, line in enumerate(lines):
        if " ERROR " not in line:
            continue
        cause = next((l.strip() for l in lines[n + 1:n + 4] if l.strip()), "")
        if "Connection has been closed BEFORE send operation" in cause:
            hangups += 1
            continue
        count += 1
        message = re.sub(r"^.* ERROR \d+ --- (\[[^]]*\] )*", "", line)[:200]
        kind = message + (" / " + cause[:120] if cause and not cause.startswith("at ") else "")
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"{count}" + (f" +{hangups} hang-ups" if hangups else ""))
    for kind, n in sorted(kinds.items(), key=lambda k: -k[1])[:3]:
        print(f"{n:6d}  {kind}")


if __name__ == "__main__":
    if sys.argv[1] == "row":
        row(*sys.argv[2:7])
    elif sys.argv[1] == "errors":
        errors(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "print":
        show(sys.argv[2])
    else:
        raise SystemExit(__doc__)
