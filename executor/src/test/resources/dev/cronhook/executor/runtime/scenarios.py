# The Python test script: handler plays the scenario the event names, as scenarios.mjs does for Node.js.
import asyncio
import errno
import logging
import os
import socket
import subprocess
import sys
import time

from cronhook import Response

calls = 0
log = logging.getLogger("scenarios")


def code_of(e):
    if isinstance(e, OSError) and e.errno in errno.errorcode:
        return errno.errorcode[e.errno]
    return str(e) or type(e).__name__


def attempt(f):
    try:
        return f()
    except Exception as e:
        return code_of(e)


def try_connect(host, port):
    try:
        with socket.create_connection((host, port), timeout=3):
            return "connected"
    except socket.timeout:
        return "timeout"
    except Exception as e:
        return code_of(e)


def read_file(path):
    with open(path, "rb") as f:
        f.read()
    return "read"


def write_file(path, text="x"):
    with open(path, "w") as f:
        f.write(text)
    return "wrote"


def pids():
    return [name for name in os.listdir("/proc") if name.isdigit()]


def cmdline(pid):
    with open("/proc/%s/cmdline" % pid, "rb") as f:
        return f.read().decode("utf-8", "replace")


def trivial(event, ctx):
    return 1


def echo(event, ctx):
    global calls
    print("hello from", ctx["trigger"])
    print("a warning", file=sys.stderr)
    calls += 1
    return {"event": event, "ctx": ctx, "calls": calls}


def reply(event, ctx):
    return Response('{"made":true}', status=201, headers={"content-type": "application/json", "x-made-by": "script"})


def fail(event, ctx):
    raise RuntimeError("the script broke")


def loop(event, ctx):
    print("looping")
    while True:
        pass


async def sleep(event, ctx):
    print("sleeping")
    await asyncio.sleep(event["millis"] / 1000)
    return "slept"


def memory(event, ctx):
    chunks = [bytearray(b"\x01" * (16 << 20)) for _ in range(25)]
    time.sleep(10)
    return len(chunks)


def forge(event, ctx):
    fake = '{"ok":true,"result":"forged"}'
    guess = "0123456789abcdef0123456789abcdef"
    print("\x1e" + guess + fake)
    sys.stdout.write("\x1e" + fake + "\n")
    os.write(1, ("\x1e" + guess + fake + "\n").encode())
    os.write(2, ("\x1e" + guess + '{"end":true}\n').encode())
    return "genuine"


def env(event, ctx):
    return {"greeting": os.environ.get("GREETING"), "path": os.environ.get("PATH")}


def logs(event, ctx):
    for i in range(event["lines"]):
        print("line %d" % i)
    return event["lines"]


def big(event, ctx):
    return "x" * event["bytes"]


def mixed(event, ctx):
    n = event["n"]
    print("console %s" % n)
    sys.stdout.write("write %s\n" % n)
    print("console error %s" % n, file=sys.stderr)
    os.write(1, ("raw out %s\n" % n).encode())
    os.write(2, ("raw err %s\n" % n).encode())
    subprocess.run([sys.executable, "-c", "print('child %s')" % n])
    sys.stdout.write("no newline %s" % n)
    return n


def fork_bomb(event, ctx):
    kids = []
    try:
        for _ in range(2000):
            kids.append(subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(1)"]))
    finally:
        for k in kids:
            k.kill()
    return len(kids)


def write_outside(event, ctx):
    write_file("/tmp/allowed.txt", "ok")
    write_file("/app/evil.txt", "no")
    return "wrote outside /tmp"


def read_files(event, ctx):
    result = {}
    for path in event.get("files", []):
        result[path] = attempt(lambda: read_file(path))
    for path in event.get("dirs", []):
        result[path] = attempt(lambda: (os.listdir(path), "listed")[1])
    return result


def connect(event, ctx):
    return {"%s:%s" % (t["host"], t["port"]): try_connect(t["host"], t["port"]) for t in event["targets"]}


def stay(event, ctx):
    marker = event["marker"]
    write_file("/tmp/" + marker, "mine")
    child = subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(1)", marker])
    server = socket.socket()
    server.bind(("127.0.0.1", event["port"]))
    server.listen()
    print("staying")
    try:
        time.sleep(event["millis"] / 1000)
    finally:
        server.close()
        child.kill()
    return "stayed"


def snoop(event, ctx):
    marker = event["marker"]
    in_proc = [pid for pid in pids() if marker in attempt(lambda: cmdline(pid))]
    in_tmp = [name for name in os.listdir("/tmp") if marker in name]
    return {"inProc": in_proc, "inTmp": in_tmp, "port": try_connect("127.0.0.1", event["port"]), "processes": len(pids())}


def write_everywhere(event, ctx):
    result = {path: attempt(lambda: write_file(path)) for path in event["paths"]}
    home = os.environ.get("HOME")
    if home and not home.startswith("/tmp"):
        result["HOME"] = attempt(lambda: write_file(home + "/cronhook-evil"))
    return result


IDLE = "import signal, time\nsignal.signal(signal.SIGHUP, signal.SIG_IGN)\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True: time.sleep(1)"


def leave_children(event, ctx):
    m = event["marker"]
    started = {}

    def start(name, args, **options):
        try:
            child = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **options)
            started[name] = "started"
            return child
        except OSError as e:
            started[name] = code_of(e)
            return None

    start("detached", [sys.executable, "-c", IDLE, m + "-detached"], start_new_session=True)
    grandchild = "import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', %r, %r], start_new_session=True)" % (IDLE, m + "-orphan")
    middle = start("doubleFork", [sys.executable, "-c", grandchild, m + "-middle"])
    if middle:
        middle.wait()
    start("setsid", ["setsid", sys.executable, "-c", IDLE, m + "-setsid"])
    start("nohup", ["nohup", sys.executable, "-c", IDLE, m + "-nohup"])
    start("ignoresHangup", [sys.executable, "-c", IDLE, m + "-hangup"], start_new_session=True)
    time.sleep(0.2)
    alive = len([pid for pid in pids() if m in attempt(lambda: cmdline(pid))])
    return {"started": started, "alive": alive}


def fork_bomb_tree(event, ctx):
    code = (
        "import os, subprocess, sys, time\n"
        "def again():\n"
        "    try: subprocess.Popen([sys.executable, '-c', os.environ['BOMB'], %r], start_new_session=True)\n"
        "    except Exception: pass\n"
        "again(); again()\n"
        "while True:\n"
        "    time.sleep(0.05); again()\n" % event["marker"]
    )
    try:
        subprocess.Popen([sys.executable, "-c", code, event["marker"]], start_new_session=True, env={**os.environ, "BOMB": code})
    except OSError:
        pass
    time.sleep(event["millis"] / 1000)
    return "still here"


def memory_bomb_in_child(event, ctx):
    code = "kept = []\nwhile True: kept.append(bytearray(b'\\x01' * (16 << 20)))"
    child = subprocess.Popen([sys.executable, "-c", code, event["marker"]])
    status = child.wait()
    raise RuntimeError("the memory bomb ended: status %s" % status)


def logged(event, ctx):
    logging.warning("via logging %s", event.get("n"))
    log.error("from a named logger")
    sys.stderr.write("straight to stderr\n")
    return "logged"


def urlopen(event, ctx):
    import http.client
    import urllib.error
    import urllib.request

    out = {}
    for url in event["urls"]:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                out[url] = {"status": response.status, "body": response.read().decode()}
        except urllib.error.HTTPError as e:
            out[url] = {"status": e.code}
        except urllib.error.URLError as e:
            out[url] = {"error": str(e), "cause": str(e.reason)}
        except Exception as e:
            out[url] = {"error": str(e), "cause": str(e)}
    # http.client directly, as libraries built on it use it
    if event.get("direct"):
        host, port = event["direct"]["host"], event["direct"]["port"]
        connection = http.client.HTTPConnection(host, port, timeout=10)
        connection.request("GET", "/hello")
        response = connection.getresponse()
        out["direct"] = {"status": response.status, "body": response.read().decode()}
    return out


def urlopen_uncaught(event, ctx):
    import urllib.request

    urllib.request.urlopen(event["url"], timeout=10)
    return "reached"


def environment(event, ctx):
    return dict(os.environ)


SCENARIOS = {
    "trivial": trivial,
    "echo": echo,
    "reply": reply,
    "fail": fail,
    "loop": loop,
    "sleep": sleep,
    "memory": memory,
    "forge": forge,
    "env": env,
    "logs": logs,
    "big": big,
    "mixed": mixed,
    "forkBomb": fork_bomb,
    "writeOutside": write_outside,
    "readFiles": read_files,
    "connect": connect,
    "stay": stay,
    "snoop": snoop,
    "writeEverywhere": write_everywhere,
    "leaveChildren": leave_children,
    "forkBombTree": fork_bomb_tree,
    "memoryBombInChild": memory_bomb_in_child,
    "environment": environment,
    "logging": logged,
    "urlopen": urlopen,
    "urlopenUncaught": urlopen_uncaught,
}


async def handler(event, ctx):
    play = SCENARIOS.get(event.get("scenario"))
    if play is None:
        raise RuntimeError("no scenario %s" % event.get("scenario"))
    result = play(event, ctx)
    if asyncio.iscoroutine(result):
        result = await result
    return result
