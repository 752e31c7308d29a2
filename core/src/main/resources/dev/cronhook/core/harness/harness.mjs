// Cronhook harness: loads ./script.mjs once and serves invocations, one at a time, over newline-delimited JSON.
//
// Every frame the harness writes starts with "\x1e<nonce>"; the nonce is fresh per invocation and never given to
// the script, so nothing the script writes can pass for a frame: the executor takes such output as log lines.
//
// stdio (protocol 1; the process runtime, and any container started without CRONHOOK_HARNESS_SOCKET):
//   in  (stdin, one line):  {"id":"<nonce>","event":{...},"ctx":{...},"env":{"NAME":"value"},"maxResultBytes":N}
//   out (stdout, one line): "\x1e<nonce>" + {"ok":true,"result":<json>} | {"ok":true,"reply":{status,headers,body,base64}}
//                                           | {"ok":false,"error":"...","fatal":bool}
//   end (stderr, one line): "\x1e<nonce>" + {"end":true}   (everything the invocation wrote to stderr came before it)
//
// socket (protocol 2; CRONHOOK_HARNESS_SOCKET names a Unix socket the executor listens on, in a directory mounted
// read-only): the harness connects before it loads the script. Invocation frames come in on the socket; out go, in
// order on the same socket, the invocation's log frames "\x1e<nonce>" + {"log":"stdout"|"stderr","text":"..."}
// (console.*, process.stdout.write, process.stderr.write) and then its result frame. Output that goes around the
// harness (raw writes to fd 1/2, child processes, node's own fatal messages) still reaches stdout/stderr. When an
// invocation may have written there (it wrote to fd 1/2 or /dev/stdout-like paths through node:fs, or started a
// child process, or one is still running), the harness writes "\x1e<nonce>{"end":true}" to stdout and to stderr and
// sends "\x1e<nonce>{"drain":true}" before the result, so the executor waits for both marks; otherwise the result
// is the last word. Output that goes around node:fs and child_process as well (native code, a restored write
// method) may reach the executor after the result and be logged with the next invocation or not at all.
//
// Never relies on stdin EOF (a Docker attach cannot send one).
import childProcess from "node:child_process";
import fs from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import net from "node:net";
import { StringDecoder } from "node:string_decoder";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { getHeapStatistics } from "node:v8";

const MARK = "\x1e";
const stringify = JSON.stringify;
const parse = JSON.parse;
// node defines Response as a lazy global whose first read loads fetch (undici): ~40 ms of every cold start on a
// small VM. Its getter is taken now (a script cannot swap it) and called only for a result that looks like one.
const responseGlobal = Object.getOwnPropertyDescriptor(globalThis, "Response");
let ResponseType = responseGlobal && !responseGlobal.get ? responseGlobal.value : undefined;
function isResponse(value) {
  if (value === null || typeof value !== "object" || typeof value.arrayBuffer !== "function") return false;
  ResponseType ??= responseGlobal?.get?.call(globalThis);
  return typeof ResponseType === "function" && value instanceof ResponseType;
}
const BufferType = Buffer;
const spawnSync = childProcess.spawnSync; // the harness's own, before watchBypasses wraps it
const rawWriteSync = fs.writeSync;
const netConnect = net.connect;
const env = process.env;
const socketPath = env.CRONHOOK_HARNESS_SOCKET;
delete env.CRONHOOK_HARNESS_SOCKET;
// stdio pipes become blocking once their streams exist; frames are written synchronously below
void process.stdout;
void process.stderr;

function writeFully(fd, text) {
  const buf = BufferType.from(text, "utf8");
  let off = 0;
  while (off < buf.length) {
    try {
      off += rawWriteSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if (e.code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

let current = null; // {id, done}

// ---- socket mode ------------------------------------------------------------------------------------------
let channel = null;
let send = null;
let bypassed = false; // the invocation may have written around the harness
let liveChildren = 0;
const LOG_CHUNK = 8192; // characters per log frame, so one frame never grows past what the executor reads whole
const STD_PATH = /^\/dev\/(stdout|stderr|tty)$|^\/(dev|proc\/(self|thread-self|\d+))\/fd\/[12]$/;

function sendLog(stream, text, id = current?.id ?? "") {
  for (let i = 0; i < text.length; ) {
    let end = Math.min(text.length, i + LOG_CHUNK);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--; // keep a surrogate pair in one frame
    send(MARK + id + '{"log":"' + stream + '","text":' + stringify(text.slice(i, end)) + "}\n");
    i = end;
  }
}

/** console.* and process.stdout/stderr.write become log frames of the current invocation. */
function captureWrites(stream, name) {
  const decoder = new StringDecoder("utf8");
  stream.write = function write(chunk, encoding, callback) {
    if (typeof encoding === "function") {
      callback = encoding;
      encoding = undefined;
    }
    let text;
    if (typeof chunk === "string") {
      text = !encoding || /^utf-?8$/i.test(encoding) ? chunk : decoder.write(BufferType.from(chunk, encoding));
    } else if (ArrayBuffer.isView(chunk)) {
      text = decoder.write(BufferType.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } else {
      text = String(chunk);
    }
    if (text) sendLog(name, text);
    if (typeof callback === "function") process.nextTick(callback);
    return true;
  };
}

function isStd(target) {
  if (target === 1 || target === 2) return true;
  if (target instanceof URL) target = target.protocol === "file:" ? target.pathname : null;
  return typeof target === "string" && STD_PATH.test(target);
}

/** Replaces object[name] with make(original), keeping what util.promisify and friends look for on it. */
function wrap(object, name, make) {
  const original = object[name];
  if (typeof original !== "function") return;
  const wrapper = make(original);
  for (const key of Reflect.ownKeys(original)) {
    if (key === "length" || key === "name" || key === "prototype") continue;
    const property = Object.getOwnPropertyDescriptor(original, key);
    // child_process.exec's own promisified form calls the original: wrap it too
    if (key === promisify.custom && typeof property.value === "function") property.value = make(property.value);
    Object.defineProperty(wrapper, key, property);
  }
  object[name] = wrapper;
}

/** Notes the ways a script usually writes around process.stdout/stderr: node:fs on fd 1/2 and child processes. */
function watchBypasses() {
  const onStd = (test) => (original) =>
    function (...args) {
      if (test(args)) bypassed = true;
      return original.apply(this, args);
    };
  const first = (args) => isStd(args[0]);
  for (const name of ["write", "writeSync", "writev", "writevSync", "writeFile", "writeFileSync", "appendFile",
    "appendFileSync", "open", "openSync"]) {
    wrap(fs, name, onStd(first));
  }
  wrap(fs, "createWriteStream", onStd((args) => isStd(args[0]) || isStd(args[1]?.fd)));
  for (const name of ["writeFile", "appendFile", "open"]) wrap(fs.promises, name, onStd(first));
  const spawning = (original) =>
    function (...args) {
      bypassed = true;
      const result = original.apply(this, args);
      const child = result instanceof childProcess.ChildProcess ? result : result?.child;
      if (child instanceof childProcess.ChildProcess) {
        liveChildren++;
        let gone = false;
        const done = () => {
          if (gone) return;
          gone = true;
          liveChildren--;
        };
        child.once("exit", done);
        child.once("error", done);
      }
      return result;
    };
  for (const name of ["spawn", "spawnSync", "exec", "execSync", "execFile", "execFileSync", "fork"]) {
    wrap(childProcess, name, spawning);
  }
  // `import { writeSync } from "node:fs"` in the script sees the wrappers too
  syncBuiltinESMExports();
}

if (socketPath) {
  channel = await new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    socket.once("connect", () => resolve(socket));
    socket.once("error", reject);
  }).catch((e) => {
    writeFully(2, `cronhook harness: cannot connect to ${socketPath}: ${e?.message ?? e}\n`);
    process.exit(70);
  });
  // written synchronously like the stdio frames: in order with everything else, and out before an exit
  const fd = channel._handle?.fd;
  send = typeof fd === "number" && fd >= 0 ? (text) => writeFully(fd, text) : (text) => channel.write(text);
  channel.on("error", () => {});
  // the executor is gone (or gave up on this container): nobody is left to answer
  channel.on("close", () => process.exit(0));
  captureWrites(process.stdout, "stdout");
  captureWrites(process.stderr, "stderr");
  watchBypasses();
}

// ---- egress ---------------------------------------------------------------------------------------------------
// The sandbox has no network interface but loopback. Where the executor gives it an egress proxy (a Unix socket in
// the sandbox's directory), every connection of node's http/https agents (and so of axios, node-fetch, got and the
// like) and of fetch is a CONNECT tunnel through it; the proxy allows or refuses it by the script's allow-list and
// never reaches a private address. A refusal fails the request at once with the proxy's reason, which also goes to
// the run's log and into the run's error. Raw sockets, UDP and DNS have no route at all.
const egressSocket = env.CRONHOOK_EGRESS_SOCKET;
delete env.CRONHOOK_EGRESS_SOCKET;
let egressRefused = null; // the last refusal in the current invocation, for its error

function egressError(message) {
  const error = new Error(message);
  error.code = "CRONHOOK_EGRESS_BLOCKED";
  return error;
}

/** Opens a tunnel to host:port through the proxy; calls back with the socket once the proxy said yes. */
function tunnel(host, port, callback) {
  const target = host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
  const socket = netConnect(egressSocket);
  let head = BufferType.alloc(0);
  let done = false;
  const finish = (error, value) => {
    if (done) return;
    done = true;
    socket.removeListener("data", onData);
    if (error) {
      socket.destroy();
      callback(error);
    } else callback(null, value);
  };
  const onData = (chunk) => {
    head = BufferType.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) {
      if (head.length > 16384) finish(egressError(`egress to ${target} failed: unreadable answer from the proxy`));
      return;
    }
    const lines = head.subarray(0, end).toString("latin1").split("\r\n");
    const status = Number(lines[0].split(" ")[1]);
    const rest = head.subarray(end + 4);
    if (status === 200) {
      socket.pause();
      if (rest.length) socket.unshift(rest);
      return finish(null, socket);
    }
    // the answer is short and ends the connection: wait for all of it
    const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head.subarray(0, end + 2).toString("latin1"))?.[1] ?? 0);
    if (rest.length < length) return;
    const reason = rest.subarray(0, length).toString("utf8") || `egress to ${target} failed: proxy answered ${status}`;
    if (/\r\nx-cronhook-egress: blocked/i.test(head.subarray(0, end + 2).toString("latin1"))) {
      egressRefused = reason;
      const line = `cronhook: ${reason}\n`;
      if (channel && current) sendLog("stderr", line);
      else if (!channel) writeFully(2, line);
    }
    finish(egressError(reason));
  };
  socket.on("data", onData);
  socket.once("error", (e) => finish(egressError(`egress to ${target} failed: the proxy is unreachable (${e.code ?? e.message})`)));
  socket.once("close", () => finish(egressError(`egress to ${target} failed: the proxy closed the connection`)));
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
}

function agentTarget(options) {
  const host = String(options.host ?? options.hostname ?? "localhost").replace(/^\[(.*)\]$/, "$1");
  return [host, Number(options.port) || options.defaultPort];
}

// Connections kept alive for reuse (the agents' free sockets, fetch's pool) are tunnels the proxy opened for the
// script of the call that made them: the proxy cuts them when a call of another script begins, and that script
// must not find them in the pool (a dead socket fails its request with "fetch failed"). So they are dropped before
// a call of another script than the last (only a shared sandbox serves several).
const agentsSeen = new Set(); // WeakRefs of the agents that made a tunnel
const agentRefs = new WeakMap();
function sawAgent(agent) {
  if (agentRefs.has(agent)) return;
  const ref = new WeakRef(agent);
  agentRefs.set(agent, ref);
  agentsSeen.add(ref);
}
let dropPooledConnections = () => {};

const http = egressSocket ? (await import("node:http")).default : null;
const https = egressSocket ? (await import("node:https")).default : null;
const tls = egressSocket ? (await import("node:tls")).default : null;
if (egressSocket) {
  // every http.Agent and https.Agent (the global ones, and those a client makes) connects through a tunnel
  http.Agent.prototype.createConnection = function createConnection(options, oncreate) {
    sawAgent(this);
    const [host, port] = agentTarget({ defaultPort: 80, ...options });
    tunnel(host, port, (error, socket) => {
      if (error) return oncreate(error);
      socket.resume();
      oncreate(null, socket);
    });
  };
  https.Agent.prototype.createConnection = function createConnection(options, oncreate) {
    sawAgent(this);
    const [host, port] = agentTarget({ defaultPort: 443, ...options });
    tunnel(host, port, (error, socket) => {
      if (error) return oncreate(error);
      const servername = options.servername ?? (net.isIP(host) ? undefined : host);
      const secure = tls.connect({ ...options, host, port, socket, servername });
      socket.resume();
      oncreate(null, secure);
    });
  };
  // fetch: node loads it (undici) on first use; its dispatcher is swapped for one that connects the same way then
  const fetchProperty = Object.getOwnPropertyDescriptor(globalThis, "fetch");
  let realFetch = null;
  const undiciConnect = (opts, callback) => {
    const secureScheme = opts.protocol === "https:";
    const host = String(opts.hostname).replace(/^\[(.*)\]$/, "$1");
    const port = Number(opts.port) || (secureScheme ? 443 : 80);
    tunnel(host, port, (error, socket) => {
      if (error) return callback(error);
      socket.resume();
      if (!secureScheme) return callback(null, socket);
      const servername = opts.servername || (net.isIP(host) ? undefined : host);
      const secure = tls.connect({ socket, servername, ALPNProtocols: ["http/1.1"] });
      let called = false;
      secure.once("secureConnect", () => { if (!called) { called = true; callback(null, secure); } });
      secure.once("error", (e) => { if (!called) { called = true; callback(e); } });
    });
  };
  const routedFetch = function fetch(...args) {
    if (!realFetch) {
      realFetch = fetchProperty.get ? fetchProperty.get.call(globalThis) : fetchProperty.value;
      // node's fetch loads undici on its first call; reading Response loads it now, and with it the dispatcher
      responseGlobal?.get?.call(globalThis);
      freshDispatcher();
    }
    return realFetch.apply(this, args);
  };
  const dispatcherKey = Symbol.for("undici.globalDispatcher.1");
  let DispatcherType = null;
  function freshDispatcher() {
    const old = globalThis[dispatcherKey];
    DispatcherType ??= old?.constructor;
    if (typeof DispatcherType !== "function") return;
    globalThis[dispatcherKey] = new DispatcherType({ connect: undiciConnect });
    if (old && old.constructor === DispatcherType) old.destroy?.().catch?.(() => {});
  }
  dropPooledConnections = () => {
    if (realFetch) freshDispatcher();
    for (const ref of agentsSeen) {
      const agent = ref.deref();
      if (!agent) {
        agentsSeen.delete(ref);
        continue;
      }
      for (const sockets of Object.values(agent.freeSockets ?? {})) for (const socket of sockets) socket.destroy();
    }
  };
  Object.defineProperty(globalThis, "fetch", { value: routedFetch, writable: true, configurable: true, enumerable: true });
}

// ---- the script ---------------------------------------------------------------------------------------------
function frame(id, body) {
  if (channel) {
    if (bypassed || liveChildren > 0) {
      bypassed = false;
      const end = MARK + id + '{"end":true}\n';
      writeFully(1, end);
      writeFully(2, end);
      send(MARK + id + '{"drain":true}\n');
    }
    send(MARK + id + stringify(body) + "\n");
    return;
  }
  // a newline first would be a blank log line; the executor finds the mark anywhere in a line instead
  writeFully(1, MARK + id + stringify(body) + "\n");
  writeFully(2, MARK + id + '{"end":true}\n');
}

// A blank sandbox (started before anyone asked for it) is told where its code will be: the executor puts it there
// before the first invocation, which loads it. Otherwise the script beside the harness is loaded now. A shared
// sandbox (one user's environment) serves several scripts: each invocation frame names the script it calls
// ("script", a file the executor placed under the sandbox's own directory), loaded on its first call and kept.
const deferredScript = env.CRONHOOK_HARNESS_SCRIPT;
delete env.CRONHOOK_HARNESS_SCRIPT;

/** A script file, its directory as the user sees it (paths in its errors made relative to it) and its module. */
function scriptModule(file) {
  const dir = file.slice(0, file.lastIndexOf("/") + 1);
  return {
    file,
    dir,
    dirUrl: pathToFileURL(dir).href,
    // the directory only where a path starts (not inside a URL such as https://example.com/app/)
    dirPath: new RegExp("(^|[\\s(\"'`])" + dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g"),
    loaded: false,
    script: undefined,
    loadError: undefined,
    loadStack: undefined,
  };
}
const defaultModule = scriptModule(deferredScript ?? fileURLToPath(new URL("./script.mjs", import.meta.url)));
const modules = new Map([[defaultModule.file, defaultModule]]);
/** The module an invocation calls: the one its frame names, else the sandbox's own. */
function moduleOf(req) {
  if (typeof req.script !== "string" || !req.script) return defaultModule;
  let mod = modules.get(req.script);
  if (!mod) modules.set(req.script, (mod = scriptModule(req.script)));
  return mod;
}

/** Text about a script as the user sees it: paths relative to the script's directory (never a host path). */
function relative(text, mod = defaultModule) {
  return text.split(mod.dirUrl).join("").replace(mod.dirPath, "$1");
}

/** An error's stack with the harness's and node's own frames removed and paths made relative. */
function userStack(e, mod = defaultModule) {
  if (e === null || typeof e !== "object") return String(e);
  const lines = String(e.stack ?? e).split("\n");
  const kept = lines.filter((line) => !/^\s+at /.test(line) || !/harness\.mjs|\(node:|at node:/.test(line));
  return relative(kept.join("\n"), mod);
}

/** Where in the script a load error is: the first frame in script.mjs, or for a syntax error what node --check says. */
function whereInScript(e, mod) {
  const name = mod.file.slice(mod.dir.length).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const frame = new RegExp(name + ":(\\d+):(\\d+)").exec(String(e?.stack ?? ""));
  if (frame) return { line: Number(frame[1]), column: Number(frame[2]) };
  if (!(e instanceof SyntaxError)) return null;
  // node gives an ES module's syntax error no location; its syntax check prints the line and a caret under the spot
  try {
    const checked = spawnSync(process.execPath, ["--check", mod.file], { encoding: "utf8", timeout: 10000 });
    const at = /:(\d+)\r?\n[^\n]*\r?\n([ \t]*)\^/.exec(checked.stderr ?? "");
    if (at) return { line: Number(at[1]), column: at[2].length + 1 };
  } catch {
    // no location, then
  }
  return null;
}

function describeLoadError(e, mod) {
  const what = e instanceof Error ? `${e.name}: ${relative(e.message, mod)}` : relative(String(e), mod);
  const where = whereInScript(e, mod);
  return where ? `${what} (script.mjs, line ${where.line}, column ${where.column})` : what;
}

async function load(mod) {
  mod.loaded = true;
  try {
    mod.script = await import(pathToFileURL(mod.file).href);
    if (typeof mod.script.default !== "function") mod.loadError = "script.mjs has no default export function";
  } catch (e) {
    mod.loadError = describeLoadError(e, mod);
    mod.loadStack = userStack(e, mod);
  }
}
if (!deferredScript) await load(defaultModule);
// A blank sandbox started for a dependency tree (already beside where its code will be) loads those packages now,
// while it waits: the code's own imports of them are then served from the module cache. Packages that cannot be
// required (ES modules only) are left to the code's import.
const preload = env.CRONHOOK_HARNESS_PRELOAD;
delete env.CRONHOOK_HARNESS_PRELOAD;
if (deferredScript && preload) {
  const requireFromCode = createRequire(deferredScript);
  for (const name of preload.split(",")) {
    try {
      if (name) requireFromCode(name);
    } catch {
      // the code's own import will say what is wrong, if anything is
    }
  }
}

async function toReply(res, max) {
  const bytes = BufferType.from(await res.arrayBuffer());
  const headers = {};
  res.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = [value];
  });
  const cookies = res.headers.getSetCookie?.() ?? [];
  if (cookies.length) headers["set-cookie"] = cookies;
  if (bytes.length > max) throw new ResultTooLargeError(bytes.length, max);
  const body = bytes;
  const text = new TextDecoder("utf-8", { fatal: false }).decode(body);
  const isText = BufferType.from(text, "utf8").equals(body);
  return { status: res.status, headers, body: isText ? text : body.toString("base64"), base64: !isText };
}

/** A result or reply body over the limit fails the run: a cut one would pass for the script's answer. */
class ResultTooLargeError extends Error {
  constructor(bytes, max) {
    super(`result too large: ${bytes} bytes, limit ${max}`);
  }
}

function toResult(value, max) {
  if (value === undefined) return null;
  const json = stringify(value);
  if (json === undefined) return null;
  const bytes = BufferType.byteLength(json, "utf8");
  if (bytes > max) throw new ResultTooLargeError(bytes, max);
  return parse(json);
}

function finish(inv, body) {
  if (inv.done) return;
  inv.done = true;
  for (const [name, old] of inv.saved) {
    if (old === undefined) delete env[name];
    else env[name] = old;
  }
  if (current === inv) current = null;
  // a shared sandbox says what its heap holds: the executor retires one whose loaded scripts fill it. V8's own
  // figure (what process.memoryUsage().heapUsed returns), without memoryUsage()'s read of /proc for the RSS: ~11 µs
  // of this process's CPU a call, a fifth of its whole cost of a warm call (bench/harness)
  if (inv.mod !== defaultModule) body.heap = getHeapStatistics().used_heap_size;
  frame(inv.id, body);
  next();
}

function failCurrent(e, fatal) {
  console.error(userStack(e, current?.mod));
  if (current) finish(current, { ok: false, error: String(e?.message ?? e), fatal });
}

process.on("uncaughtException", (e) => failCurrent(e, true));
process.on("unhandledRejection", (e) => failCurrent(e, true));

let lastScriptId = null; // the script of the last call, in a sandbox that serves several

async function invoke(req) {
  const inv = { id: String(req.id), done: false, saved: [], mod: moduleOf(req) };
  const mod = inv.mod;
  const scriptId = String(req.ctx?.scriptId ?? "");
  if (lastScriptId !== null && lastScriptId !== scriptId) dropPooledConnections();
  lastScriptId = scriptId;
  current = inv;
  egressRefused = null;
  const max = req.maxResultBytes > 0 ? req.maxResultBytes : 1048576;
  try {
    for (const [name, value] of Object.entries(req.env ?? {})) {
      inv.saved.push([name, env[name]]);
      env[name] = String(value);
    }
    if (!mod.loaded) await load(mod);
    if (mod.loadError) {
      if (mod.loadStack) console.error(mod.loadStack);
      inv.quiet = true;
      throw new Error(`script failed to load: ${mod.loadError}`);
    }
    const value = await mod.script.default(req.event ?? {}, Object.freeze({ ...(req.ctx ?? {}) }));
    if (isResponse(value)) finish(inv, { ok: true, reply: await toReply(value, max) });
    else finish(inv, { ok: true, result: toResult(value, max) });
  } catch (e) {
    if (!inv.done && !inv.quiet) console.error(e instanceof ResultTooLargeError ? e.message : userStack(e, mod));
    let error = String(e?.message ?? e);
    // "fetch failed" says nothing: a refusal of the egress proxy in this invocation says why
    if (egressRefused && !error.includes(egressRefused)) error += ` (${egressRefused})`;
    finish(inv, { ok: false, error, fatal: false });
  }
}

const queue = [];
function next() {
  if (current || queue.length === 0) return;
  const line = queue.shift();
  let req;
  try {
    req = parse(line);
  } catch (e) {
    // the executor writes the id first: answer for it, so the run fails now instead of timing out
    const id = /^\{"id":"([0-9a-f]+)"/.exec(line)?.[1];
    const complaint = `cronhook harness: unreadable invocation frame: ${String(e?.message ?? e)}\n`;
    if (channel) sendLog("stderr", complaint, id ?? "");
    else writeFully(2, complaint);
    if (id) frame(id, { ok: false, error: "unreadable invocation frame (the event is not JSON)", fatal: false });
    return next();
  }
  invoke(req);
}

function serve(input) {
  let pending = "";
  input.setEncoding("utf8");
  input.on("data", (chunk) => {
    pending += chunk;
    let nl;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.trim()) queue.push(line);
    }
    next();
  });
}

if (channel) {
  serve(channel);
} else {
  serve(process.stdin);
  // stdin ends only when the executor is gone (a process runtime's parent died): nobody is left to answer
  process.stdin.on("end", () => process.exit(0));
}
