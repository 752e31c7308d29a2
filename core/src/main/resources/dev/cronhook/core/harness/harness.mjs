// Cronhook harness: loads ./script.mjs once and serves invocations, one at a time, over newline-delimited JSON.
//
// in  (stdin, one line):  {"id":"<nonce>","event":{...},"ctx":{...},"env":{"NAME":"value"},"maxResultBytes":N}
// out (stdout, one line): "\x1e<nonce>" + {"ok":true,"result":<json>} | {"ok":true,"reply":{status,headers,body,base64}}
//                                         | {"ok":false,"error":"...","fatal":bool}
// end (stderr, one line): "\x1e<nonce>" + {"end":true}   (everything the invocation wrote to stderr came before it)
//
// The nonce is fresh per invocation and never given to the script, so nothing the script writes (console.*,
// process.stdout.write, raw fd writes, child processes) can pass for a frame: the executor takes such output as
// log lines. Never relies on stdin EOF (a Docker attach cannot send one).
import { writeSync } from "node:fs";

const MARK = "\x1e";
const stringify = JSON.stringify;
const parse = JSON.parse;
const ResponseType = globalThis.Response;
const BufferType = Buffer;
const env = process.env;
// stdio pipes become blocking once their streams exist; frames are written synchronously below
void process.stdout;
void process.stderr;

function writeFully(fd, text) {
  const buf = BufferType.from(text, "utf8");
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if (e.code !== "EAGAIN") throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

function frame(id, body) {
  // a newline first would be a blank log line; the executor finds the mark anywhere in a line instead
  writeFully(1, MARK + id + stringify(body) + "\n");
  writeFully(2, MARK + id + '{"end":true}\n');
}

let script;
let loadError;
try {
  script = await import(new URL("./script.mjs", import.meta.url).href);
  if (typeof script.default !== "function") loadError = new Error("script.mjs has no default export function");
} catch (e) {
  loadError = e;
  console.error(e?.stack ?? String(e));
}

let current = null; // {id, done}

function capText(text, max) {
  if (BufferType.byteLength(text, "utf8") <= max) return { text, truncated: false };
  return { text: BufferType.from(text, "utf8").subarray(0, max).toString("utf8"), truncated: true };
}

async function toReply(res, max) {
  const bytes = BufferType.from(await res.arrayBuffer());
  const headers = {};
  res.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = [value];
  });
  const cookies = res.headers.getSetCookie?.() ?? [];
  if (cookies.length) headers["set-cookie"] = cookies;
  let body = bytes;
  if (bytes.length > max) {
    body = bytes.subarray(0, max);
    headers["x-cronhook-truncated"] = [`body was ${bytes.length} bytes, limit ${max}`];
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(body);
  const isText = BufferType.from(text, "utf8").equals(body);
  return { status: res.status, headers, body: isText ? text : body.toString("base64"), base64: !isText };
}

function toResult(value, max) {
  if (value === undefined) return null;
  const json = stringify(value);
  if (json === undefined) return null;
  if (BufferType.byteLength(json, "utf8") <= max) return parse(json);
  const head = capText(json, Math.min(max, 1024)).text;
  return `${head}… [result truncated: ${BufferType.byteLength(json, "utf8")} bytes, limit ${max}]`;
}

function finish(inv, body) {
  if (inv.done) return;
  inv.done = true;
  for (const [name, old] of inv.saved) {
    if (old === undefined) delete env[name];
    else env[name] = old;
  }
  if (current === inv) current = null;
  frame(inv.id, body);
  next();
}

function failCurrent(e, fatal) {
  console.error(e?.stack ?? String(e));
  if (current) finish(current, { ok: false, error: String(e?.message ?? e), fatal });
}

process.on("uncaughtException", (e) => failCurrent(e, true));
process.on("unhandledRejection", (e) => failCurrent(e, true));

async function invoke(req) {
  const inv = { id: String(req.id), done: false, saved: [] };
  current = inv;
  const max = req.maxResultBytes > 0 ? req.maxResultBytes : 1048576;
  try {
    for (const [name, value] of Object.entries(req.env ?? {})) {
      inv.saved.push([name, env[name]]);
      env[name] = String(value);
    }
    if (loadError) throw new Error(`script failed to load: ${loadError?.message ?? loadError}`);
    const value = await script.default(req.event ?? {}, Object.freeze({ ...(req.ctx ?? {}) }));
    if (ResponseType && value instanceof ResponseType) finish(inv, { ok: true, reply: await toReply(value, max) });
    else finish(inv, { ok: true, result: toResult(value, max) });
  } catch (e) {
    if (!inv.done) console.error(e?.stack ?? String(e));
    finish(inv, { ok: false, error: String(e?.message ?? e), fatal: false });
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
    writeFully(2, `cronhook harness: unreadable invocation frame: ${String(e?.message ?? e)}\n`);
    if (id) frame(id, { ok: false, error: "unreadable invocation frame (the event is not JSON)", fatal: false });
    return next();
  }
  invoke(req);
}

let pending = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  pending += chunk;
  let nl;
  while ((nl = pending.indexOf("\n")) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (line.trim()) queue.push(line);
  }
  next();
});
// stdin ends only when the executor is gone (a process runtime's parent died): nobody is left to answer
process.stdin.on("end", () => process.exit(0));
