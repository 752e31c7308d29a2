#!/usr/bin/env python3
"""One node harness (socket protocol) served warm calls of a hello script, one at a time, as an executor does.

  drive.py HARNESS CALLS own|shared   prints the harness process's CPU per call and the round trip, after a warm-up

own: the script is the harness's own script.mjs (a container per version); shared: every frame names the script's
file (a shared sandbox, which also reports its heap after each call). Run by bench/harness/run.sh.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

harness, calls, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
work = tempfile.mkdtemp(prefix="cronhook-harness-")
try:
    shutil.copy(harness, os.path.join(work, "harness.mjs"))
    script = "export default async function (event) { return { hello: event.body?.name }; }\n"
    for name in ("script.mjs", "code.mjs"):
        with open(os.path.join(work, name), "w") as f:
            f.write(script)
    path = os.path.join(work, "sock")
    server = socket.socket(socket.AF_UNIX)
    server.bind(path)
    server.listen(1)
    node = subprocess.Popen(["node", "harness.mjs"], cwd=work, env=dict(os.environ, CRONHOOK_HARNESS_SOCKET=path))
    conn, _ = server.accept()
    replies = conn.makefile("rb")
    named = ',"script":"%s"' % os.path.join(work, "code.mjs") if mode == "shared" else ""

    def call(i):
        conn.sendall(
            (
                '{"id":"%032x","maxResultBytes":1048576%s,"ctx":{"scriptId":"s","runId":"r%d"},"env":{},'
                '"event":{"method":"POST","path":"/","query":{},"headers":{"content-type":"application/json"},'
                '"rawBody":"{\\"name\\":\\"x\\"}","body":{"name":"x"}}}\n' % (i, named, i)
            ).encode()
        )
        while b'"ok":true' not in replies.readline():
            pass

    def cpu():
        fields = open(f"/proc/{node.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    for i in range(2000):
        call(i)
    cpu0, t0 = cpu(), time.perf_counter()
    for i in range(calls):
        call(10**6 + i)
    cpu1, t1 = cpu(), time.perf_counter()
    print(f"{mode:6s} node CPU {1e6 * (cpu1 - cpu0) / calls:6.1f} µs a call, round trip {1e6 * (t1 - t0) / calls:6.1f} µs")
    # the harness exits when the executor's end of its socket closes
    replies.close()
    conn.close()
    server.close()
    try:
        node.wait(10)
    except subprocess.TimeoutExpired:
        node.kill()
finally:
    shutil.rmtree(work, ignore_errors=True)
