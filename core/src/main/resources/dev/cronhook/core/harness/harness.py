# Cronhook harness for Python: loads ./script.py once and serves invocations, one at a time, over
# newline-delimited JSON. It speaks the protocol harness.mjs describes in its header, byte for byte:
#
# Every frame the harness writes starts with "\x1e<nonce>"; the nonce is fresh per invocation and never given to
# the script, so nothing the script writes can pass for a frame: the executor takes such output as log lines.
#
# stdio (protocol 1; any container started without CRONHOOK_HARNESS_SOCKET):
#   in  (stdin, one line):  {"id":"<nonce>","event":{...},"ctx":{...},"env":{"NAME":"value"},"maxResultBytes":N}
#   out (stdout, one line): "\x1e<nonce>" + {"ok":true,"result":<json>} | {"ok":true,"reply":{status,headers,body,base64}}
#                                           | {"ok":false,"error":"...","fatal":bool}
#   end (stderr, one line): "\x1e<nonce>" + {"end":true}
#
# socket (protocol 2; CRONHOOK_HARNESS_SOCKET names a Unix socket the executor listens on): invocation frames come
# in on the socket; out go, in order on the same socket, the invocation's log frames
# "\x1e<nonce>" + {"log":"stdout"|"stderr","text":"..."} (print, logging, sys.stdout, sys.stderr) and then its
# result frame. When the invocation may have written around the harness (os.write on fd 1/2, /dev/stdout-like
# paths, a child process), the harness writes "\x1e<nonce>{"end":true}" to fd 1 and fd 2 and sends
# "\x1e<nonce>{"drain":true}" before the result, so the executor waits for both marks.
#
# The script: `def handler(event, ctx)` or `async def handler(event, ctx)` in script.py. What it returns is the
# run's JSON result, unless it is a cronhook.Response (status, headers, body): that is the HTTP reply. A dict with
# "__cronhook_response__": true and the same keys is taken as a reply too (for scripts that import nothing).
import asyncio
import base64
import builtins
import importlib.util
import inspect
import json
import os
import re
import socket as socket_module
import subprocess
import sys
import threading
import traceback
import types

MARK = "\x1e"
LOG_CHUNK = 8192  # characters per log frame, so one frame never grows past what the executor reads whole
STD_PATH = re.compile(r"^/dev/(stdout|stderr|tty)$|^/(dev|proc/(self|thread-self|\d+))/fd/[12]$")

raw_write = os.write
env = os.environ
socket_path = env.pop("CRONHOOK_HARNESS_SOCKET", None)
egress_socket = env.pop("CRONHOOK_EGRESS_SOCKET", None)
deferred_script = env.pop("CRONHOOK_HARNESS_SCRIPT", None)
env.pop("CRONHOOK_HARNESS_PRELOAD", None)
dumps = json.dumps
loads = json.loads


def write_fully(fd, text):
    data = text.encode("utf-8", "surrogatepass")
    while data:
        try:
            n = raw_write(fd, data)
        except BlockingIOError:
            continue
        data = data[n:]


def to_json(value):
    # what JSON.stringify writes for the same data: no spaces, non-ASCII as is
    return dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


current = None  # the id of the invocation being served
channel = None
send_lock = threading.Lock()
bypassed = False  # the invocation may have written around the harness
live_children = set()


def send(text):
    data = text.encode("utf-8", "surrogatepass")
    with send_lock:
        channel.sendall(data)


def send_log(stream, text, id=None):
    if id is None:
        id = current or ""
    for i in range(0, len(text), LOG_CHUNK):
        send(MARK + id + '{"log":"' + stream + '","text":' + to_json(text[i : i + LOG_CHUNK]) + "}\n")


class LogStream:
    """sys.stdout / sys.stderr in socket mode: every write is a log frame of the current invocation."""

    encoding = "utf-8"
    errors = "strict"
    newlines = None
    closed = False

    def __init__(self, name, fd):
        self.name = "<" + name + ">"
        self._stream = name
        self._fd = fd
        self.buffer = _LogBuffer(self)

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not " + type(text).__name__)
        if text:
            send_log(self._stream, text)
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def readable(self):
        return False

    def writable(self):
        return True

    def seekable(self):
        return False

    def fileno(self):
        # whoever asks is about to write to the descriptor itself
        global bypassed
        bypassed = True
        return self._fd


class _LogBuffer:
    def __init__(self, owner):
        self._owner = owner

    def write(self, data):
        self._owner.write(bytes(data).decode("utf-8", "replace"))
        return len(data)

    def flush(self):
        pass


def is_std(target):
    if target in (1, 2):
        return True
    if isinstance(target, bytes):
        target = target.decode("utf-8", "replace")
    if isinstance(target, os.PathLike):
        target = os.fspath(target)
    return isinstance(target, str) and STD_PATH.match(target) is not None


def watch_bypasses():
    """Notes the usual ways a script writes around sys.stdout/stderr: fd 1/2, /dev/stdout, child processes."""

    def on_std(original):
        def wrapper(target, *args, **kwargs):
            global bypassed
            if is_std(target):
                bypassed = True
            return original(target, *args, **kwargs)

        wrapper.__wrapped__ = original
        return wrapper

    os.write = on_std(os.write)
    os.open = on_std(os.open)
    builtins.open = on_std(builtins.open)

    popen_init = subprocess.Popen.__init__

    def init(self, *args, **kwargs):
        global bypassed
        bypassed = True
        popen_init(self, *args, **kwargs)
        live_children.add(self)

    subprocess.Popen.__init__ = init

    def spawning(original):
        def wrapper(*args, **kwargs):
            global bypassed
            bypassed = True
            return original(*args, **kwargs)

        return wrapper

    for name in ("system", "fork", "forkpty", "posix_spawn", "posix_spawnp", "execv", "execve"):
        if hasattr(os, name):
            setattr(os, name, spawning(getattr(os, name)))


def children_alive():
    for child in list(live_children):
        if child.poll() is not None:
            live_children.discard(child)
    return bool(live_children)


if socket_path:
    try:
        channel = socket_module.socket(socket_module.AF_UNIX, socket_module.SOCK_STREAM)
        channel.connect(socket_path)
    except OSError as e:
        write_fully(2, "cronhook harness: cannot connect to %s: %s\n" % (socket_path, e))
        os._exit(70)
    sys.stdout = LogStream("stdout", 1)
    sys.stderr = LogStream("stderr", 2)
    watch_bypasses()


# ---- egress ---------------------------------------------------------------------------------------------------
# The sandbox has no network interface but loopback. Where the executor gives it an egress proxy (a Unix socket),
# socket.create_connection (what http.client, urllib and smtplib use) opens a CONNECT tunnel through it; the proxy
# allows or refuses it by the script's allow-list. A refusal fails the connection at once with the proxy's reason,
# which also goes to the run's log and into the run's error.
egress_refused = None


class EgressBlockedError(ConnectionRefusedError):
    pass


class TunnelSocket(socket_module.socket):
    """A tunnel through the proxy's Unix socket, which clients take for a TCP connection: TCP options are no-ops."""

    def setsockopt(self, level, option, *args):
        if level == socket_module.IPPROTO_TCP:
            return None
        return super().setsockopt(level, option, *args)


def tunnel(address, timeout=None, source_address=None, *args, **kwargs):
    global egress_refused
    host, port = address[0], address[1]
    target = "[%s]:%s" % (host, port) if ":" in host and not host.startswith("[") else "%s:%s" % (host, port)
    sock = TunnelSocket(socket_module.AF_UNIX, socket_module.SOCK_STREAM)
    if timeout is not None and timeout is not socket_module._GLOBAL_DEFAULT_TIMEOUT:
        sock.settimeout(timeout)
    try:
        sock.connect(egress_socket)
        sock.sendall(("CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (target, target)).encode("latin-1"))
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(4096)
            if not chunk:
                raise EgressBlockedError("egress to %s failed: the proxy closed the connection" % target)
            head += chunk
            if len(head) > 16384:
                raise EgressBlockedError("egress to %s failed: unreadable answer from the proxy" % target)
    except OSError as e:
        sock.close()
        if isinstance(e, EgressBlockedError):
            raise
        raise EgressBlockedError("egress to %s failed: the proxy is unreachable (%s)" % (target, e)) from None
    end = head.index(b"\r\n\r\n")
    header = head[: end + 2].decode("latin-1")
    rest = head[end + 4 :]
    status = int(header.split(" ")[1])
    if status == 200:
        if rest:
            # a proxy never speaks first after 200; nothing of the target's can be here
            pass
        return sock
    match = re.search(r"\r\ncontent-length: *(\d+)", header, re.I)
    length = int(match.group(1)) if match else 0
    while len(rest) < length:
        chunk = sock.recv(4096)
        if not chunk:
            break
        rest += chunk
    sock.close()
    reason = rest[:length].decode("utf-8", "replace") or ("egress to %s failed: proxy answered %d" % (target, status))
    if re.search(r"\r\nx-cronhook-egress: blocked", header, re.I):
        egress_refused = reason
        line = "cronhook: %s\n" % reason
        if channel is not None and current is not None:
            send_log("stderr", line)
        elif channel is None:
            write_fully(2, line)
    raise EgressBlockedError(reason)


class RouteUrllib3:
    """Routes urllib3 (and so requests) through the tunnel too: it opens its sockets itself, not with the socket module's."""

    def find_spec(self, name, path=None, target=None):
        if name != "urllib3.util.connection":
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module):
            original(module)
            module.create_connection = tunnel

        loader.exec_module = exec_module
        return spec


if egress_socket:
    socket_module.create_connection = tunnel
    sys.meta_path.insert(0, RouteUrllib3())

# The operator's extra CA certificates (an internal service the operator allowed), beside the public ones
extra_ca = env.get("NODE_EXTRA_CA_CERTS")
if extra_ca and os.path.isfile(extra_ca):
    import ssl

    _create_default_context = ssl.create_default_context

    def create_default_context(*args, **kwargs):
        context = _create_default_context(*args, **kwargs)
        try:
            context.load_verify_locations(cafile=extra_ca)
        except (OSError, ssl.SSLError):
            pass
        return context

    ssl.create_default_context = create_default_context
    ssl._create_default_https_context = create_default_context


# ---- the reply model ------------------------------------------------------------------------------------------
class Response:
    """What a script returns to answer its webhook itself: a status, headers and a body (str, bytes or JSON)."""

    def __init__(self, body=None, status=200, headers=None):
        self.status = int(status)
        self.headers = dict(headers or {})
        self.body = body

    def __repr__(self):
        return "Response(status=%d)" % self.status


cronhook = types.ModuleType("cronhook")
cronhook.Response = Response
cronhook.__doc__ = "What the Cronhook harness gives a script: Response(body, status=200, headers=None)."
sys.modules["cronhook"] = cronhook


def to_reply(value, limit):
    if isinstance(value, Response):
        status, headers, body = value.status, value.headers, value.body
    else:
        status = int(value.get("status", 200))
        headers = dict(value.get("headers") or {})
        body = value.get("body")
    out = {}
    for name, v in headers.items():
        values = v if isinstance(v, (list, tuple)) else [v]
        out.setdefault(str(name).lower(), []).extend(str(x) for x in values)
    if body is None:
        data = b""
    elif isinstance(body, (bytes, bytearray, memoryview)):
        data = bytes(body)
    elif isinstance(body, str):
        data = body.encode("utf-8", "surrogatepass")
    else:
        data = to_json(body).encode("utf-8")
        out.setdefault("content-type", ["application/json"])
    if len(data) > limit:
        raise ResultTooLarge(len(data), limit)
    try:
        return {"status": status, "headers": out, "body": data.decode("utf-8"), "base64": False}
    except UnicodeDecodeError:
        return {"status": status, "headers": out, "body": base64.b64encode(data).decode("ascii"), "base64": True}


def is_reply(value):
    return isinstance(value, Response) or (isinstance(value, dict) and value.get("__cronhook_response__") is True)


def to_result(value, limit):
    if value is None:
        return None
    text = to_json(value)
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise ResultTooLarge(size, limit)
    return value


class ResultTooLarge(Exception):
    """A result or reply body over the executor's limit: the run fails saying how large it was."""

    def __init__(self, size, limit):
        super().__init__("result too large: %d bytes, limit %d" % (size, limit))


# ---- the script -----------------------------------------------------------------------------------------------
script = None
load_error = None
loaded = False
loop = asyncio.new_event_loop()
asyncio.set_event_loop(loop)


def load():
    global script, load_error, loaded
    loaded = True
    path = deferred_script or os.path.join(os.path.dirname(os.path.abspath(__file__)), "script.py")
    try:
        sys.path.insert(0, os.path.dirname(path))
        spec = importlib.util.spec_from_file_location("script", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules["script"] = module
        spec.loader.exec_module(module)
        script = getattr(module, "handler", None)
        if not callable(script):
            load_error = "script.py has no function handler(event, ctx)"
    except BaseException as e:
        load_error = "%s: %s" % (type(e).__name__, e)
        traceback.print_exc()


if not deferred_script:
    load()


def frame(id, body):
    global bypassed
    if channel is not None:
        if bypassed or children_alive():
            bypassed = False
            end = MARK + id + '{"end":true}\n'
            write_fully(1, end)
            write_fully(2, end)
            send(MARK + id + '{"drain":true}\n')
        send(MARK + id + to_json(body) + "\n")
        return
    sys.stdout.flush()
    sys.stderr.flush()
    write_fully(1, MARK + id + to_json(body) + "\n")
    write_fully(2, MARK + id + '{"end":true}\n')


def invoke(req):
    global current, egress_refused
    id = str(req.get("id"))
    current = id
    egress_refused = None
    limit = req.get("maxResultBytes") or 0
    limit = limit if isinstance(limit, int) and limit > 0 else 1048576
    saved = []
    try:
        for name, value in (req.get("env") or {}).items():
            saved.append((name, env.get(name)))
            env[name] = str(value)
        if not loaded:
            load()
        if load_error:
            raise RuntimeError("script failed to load: " + load_error)
        ctx = dict(req.get("ctx") or {})
        value = script(req.get("event") or {}, ctx)
        if inspect.isawaitable(value):
            value = loop.run_until_complete(value)
        if is_reply(value):
            body = {"ok": True, "reply": to_reply(value, limit)}
        else:
            body = {"ok": True, "result": to_result(value, limit)}
        try:
            to_json(body)
        except (TypeError, ValueError) as e:
            raise TypeError("the result is not JSON: %s" % e) from None
    except SystemExit as e:
        traceback.print_exc()
        body = {"ok": False, "error": "the script exited (%s)" % (e.code,), "fatal": True}
    except BaseException as e:
        if isinstance(e, ResultTooLarge):
            print(str(e), file=sys.stderr)
        else:
            traceback.print_exc()
        error = str(e) or type(e).__name__
        if egress_refused and egress_refused not in error:
            error += " (%s)" % egress_refused
        body = {"ok": False, "error": error, "fatal": False}
    finally:
        for name, old in reversed(saved):
            if old is None:
                env.pop(name, None)
            else:
                env[name] = old
        current = None
    frame(id, body)
    if body.get("fatal"):
        os._exit(1)


def handle(line):
    try:
        req = loads(line)
    except ValueError as e:
        # the executor writes the id first: answer for it, so the run fails now instead of timing out
        match = re.match(r'^\{"id":"([0-9a-f]+)"', line)
        complaint = "cronhook harness: unreadable invocation frame: %s\n" % e
        if channel is not None:
            send_log("stderr", complaint, match.group(1) if match else "")
        else:
            write_fully(2, complaint)
        if match:
            frame(match.group(1), {"ok": False, "error": "unreadable invocation frame (the event is not JSON)", "fatal": False})
        return
    invoke(req)


def serve(read):
    pending = b""
    while True:
        chunk = read()
        if not chunk:
            # the executor is gone (or gave up on this sandbox): nobody is left to answer
            os._exit(0)
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            text = line.decode("utf-8", "replace")
            if text.strip():
                handle(text)


if channel is not None:
    serve(lambda: channel.recv(65536))
else:
    serve(lambda: os.read(0, 65536))
