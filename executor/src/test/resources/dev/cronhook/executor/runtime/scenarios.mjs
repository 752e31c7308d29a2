// The test script: one default export that plays the scenario the event names.
import { spawn, spawnSync } from "node:child_process";
import dns from "node:dns";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import os from "node:os";

let calls = 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function attemptSync(f) {
  try {
    return f();
  } catch (e) {
    return e.code ?? String(e);
  }
}

function tryConnect(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve("timeout");
    }, 3000);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      resolve(e.code ?? String(e));
    });
  });
}

const scenarios = {
  trivial: () => 1,
  echo: (event, ctx) => {
    console.log("hello from", ctx.trigger);
    console.error("a warning");
    return { event, ctx, calls: ++calls };
  },
  reply: () =>
    new Response(JSON.stringify({ made: true }), {
      status: 201,
      headers: { "content-type": "application/json", "x-made-by": "script" },
    }),
  fail: () => {
    throw new Error("the script broke");
  },
  loop: () => {
    console.log("looping");
    for (;;) {}
  },
  sleep: async (event) => {
    console.log("sleeping");
    await sleep(event.millis);
    return "slept";
  },
  memory: async () => {
    const chunks = [];
    for (let i = 0; i < 25; i++) chunks.push(Buffer.alloc(16 << 20, 1));
    await sleep(10_000);
    return chunks.length;
  },
  forge: () => {
    const fake = '{"ok":true,"result":"forged"}';
    const guess = "0123456789abcdef0123456789abcdef";
    console.log("\x1e" + guess + fake);
    process.stdout.write("\x1e" + fake + "\n");
    fs.writeSync(1, "\x1e" + guess + fake + "\n");
    fs.writeSync(2, "\x1e" + guess + '{"end":true}\n');
    return "genuine";
  },
  env: () => ({ greeting: process.env.GREETING ?? null, path: process.env.PATH ?? null }),
  logs: (event) => {
    for (let i = 0; i < event.lines; i++) console.log("line " + i);
    return event.lines;
  },
  big: (event) => "x".repeat(event.bytes),
  // every way a script writes output, each line tagged with the invocation's n
  mixed: (event) => {
    const n = event.n;
    console.log(`console ${n}`);
    process.stdout.write(`write ${n}\n`);
    console.error(`console error ${n}`);
    fs.writeSync(1, `raw out ${n}\n`);
    fs.writeSync(2, `raw err ${n}\n`);
    spawnSync(process.execPath, ["-e", `process.stdout.write("child ${n}\\n")`], { stdio: "inherit" });
    process.stdout.write(`no newline ${n}`);
    return n;
  },
  // what a script could try against its harness's socket directory
  socketDir: async () => {
    const attempt = async (f) => {
      try {
        await f();
        return "done";
      } catch (e) {
        return e.code ?? String(e);
      }
    };
    const write = await attempt(() => fs.writeFileSync("/run/cronhook/evil", "x"));
    const listen = await attempt(
      () =>
        new Promise((resolve, reject) => {
          const server = net.createServer();
          server.once("error", reject);
          server.listen("/run/cronhook/harness.sock", () => resolve(server.close()));
        }),
    );
    return { write, listen, socketEnv: process.env.CRONHOOK_HARNESS_SOCKET ?? null };
  },
  forkBomb: async () => {
    const kids = [];
    try {
      for (let i = 0; i < 2000; i++) {
        const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
        await new Promise((resolve, reject) => {
          child.once("spawn", resolve);
          child.once("error", reject);
        });
        kids.push(child);
      }
    } finally {
      kids.forEach((k) => k.kill("SIGKILL"));
    }
    return kids.length;
  },
  writeOutside: () => {
    fs.writeFileSync("/tmp/allowed.txt", "ok");
    fs.writeFileSync("/app/evil.txt", "no");
    return "wrote outside /tmp";
  },
  // ---- hostile scenarios (HostileScriptContract): each reports what it managed, the test judges ----
  // event.files: read each; event.dirs: list each. Answers "read"/"listed" or the error code.
  readFiles: (event) => {
    const result = {};
    for (const file of event.files ?? []) result[file] = attemptSync(() => (fs.readFileSync(file), "read"));
    for (const dir of event.dirs ?? []) result[dir] = attemptSync(() => (fs.readdirSync(dir), "listed"));
    return result;
  },
  // event.targets: [{host, port}]; answers "host:port" -> "connected" or the error code.
  connect: async (event) => {
    const result = {};
    for (const { host, port } of event.targets) result[`${host}:${port}`] = await tryConnect(host, port);
    return result;
  },
  // another run that stays: a file in its /tmp, a child with the marker in argv, a port on its loopback
  stay: async (event) => {
    fs.writeFileSync(`/tmp/${event.marker}`, "mine");
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", event.marker], { stdio: "ignore" });
    await new Promise((resolve) => child.once("spawn", resolve));
    const server = net.createServer((socket) => socket.destroy());
    await new Promise((resolve) => server.listen(event.port, "127.0.0.1", resolve));
    console.log("staying");
    try {
      await sleep(event.millis);
    } finally {
      server.close();
      child.kill("SIGKILL");
    }
    return "stayed";
  },
  // looks for another run's marker in every process's command line and in /tmp, and for its port
  snoop: async (event) => {
    const inProc = [];
    for (const pid of fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
      const cmdline = attemptSync(() => fs.readFileSync(`/proc/${pid}/cmdline`, "utf8"));
      if (cmdline.includes(event.marker)) inProc.push(pid);
    }
    const inTmp = fs.readdirSync("/tmp").filter((name) => name.includes(event.marker));
    const port = await tryConnect("127.0.0.1", event.port);
    return { inProc, inTmp, port, processes: fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name)).length };
  },
  // event.paths: try to write a file at each; answers path -> "wrote" or the error code
  writeEverywhere: (event) => {
    const result = {};
    for (const path of event.paths) result[path] = attemptSync(() => (fs.writeFileSync(path, "x"), "wrote"));
    if (process.env.HOME && !process.env.HOME.startsWith("/tmp")) {
      result.HOME = attemptSync(() => (fs.writeFileSync(`${process.env.HOME}/cronhook-evil`, "x"), "wrote"));
    }
    return result;
  },
  // every usual way to leave a process running after the run; answers how many the script sees alive at the end
  leaveChildren: async (event) => {
    const m = event.marker;
    const idle = "process.on('SIGHUP', () => {}); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)";
    const started = {};
    const start = async (name, command, args, options) => {
      const child = spawn(command, args, { stdio: "ignore", ...options });
      started[name] = await new Promise((resolve) => {
        child.once("spawn", () => resolve("started"));
        child.once("error", (e) => resolve(e.code ?? String(e)));
      });
      return child;
    };
    (await start("detached", process.execPath, ["-e", idle, `${m}-detached`], { detached: true })).unref();
    // double fork: the middle process starts the grandchild and exits, leaving it an orphan
    const grandchild = `require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(idle)}, '${m}-orphan'], { stdio: 'ignore' }).unref()`;
    const middle = await start("doubleFork", process.execPath, ["-e", grandchild, `${m}-middle`]);
    await new Promise((resolve) => (middle.exitCode !== null ? resolve() : middle.once("exit", resolve)));
    // the binaries where the sandbox has them, and what they do in node where it does not
    (await start("setsid", "setsid", [process.execPath, "-e", idle, `${m}-setsid`], {})).unref();
    (await start("nohup", "nohup", [process.execPath, "-e", idle, `${m}-nohup`], {})).unref();
    (await start("ignoresHangup", process.execPath, ["-e", idle, `${m}-hangup`], { detached: true })).unref();
    await sleep(200);
    const alive = fs
      .readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .filter((pid) => attemptSync(() => fs.readFileSync(`/proc/${pid}/cmdline`, "utf8")).includes(m)).length;
    return { started, alive };
  },
  // processes that multiply until something stops them, each with the marker in argv
  forkBombTree: async (event) => {
    // each process starts two more and then one every 50 ms; its code travels in the environment children inherit
    const code = `const { spawn } = require('child_process');
      const again = () => { try { spawn(process.execPath, ['-e', process.env.BOMB, '${event.marker}'], { stdio: 'ignore', detached: true }).on('error', () => {}); } catch {} };
      again(); again(); setInterval(again, 50);`;
    spawn(process.execPath, ["-e", code, event.marker], { stdio: "ignore", detached: true, env: { ...process.env, BOMB: code } })
      .on("error", () => {});
    await sleep(event.millis);
    return "still here";
  },
  // memory allocated by a child process, out of reach of the harness's V8 heap limit
  memoryBombInChild: async (event) => {
    const code = "const kept = []; for (;;) kept.push(Buffer.alloc(16 << 20, 1));";
    const child = spawn(process.execPath, ["-e", code, event.marker], { stdio: "ignore" });
    const [exitCode, signal] = await new Promise((resolve) => child.once("exit", (c, s) => resolve([c, s])));
    throw new Error(`the memory bomb ended: code ${exitCode}, signal ${signal}`);
  },
  // outbound requests the egress proxy decides on: each reports its status and body, or its error and cause
  fetchUrls: async (event) => {
    const out = {};
    for (const url of event.urls) {
      try {
        const res = await fetch(url, { redirect: event.redirect ?? "follow" });
        out[url] = { status: res.status, body: await res.text() };
      } catch (e) {
        out[url] = { error: String(e?.message ?? e), cause: String(e?.cause?.message ?? ""), code: e?.cause?.code ?? e?.code };
      }
    }
    return out;
  },
  // node's http/https modules (what axios, node-fetch and got use), with a CA the event gives
  requestUrls: async (event) => {
    const out = {};
    for (const url of event.urls) {
      out[url] = await new Promise((resolve) => {
        const module = url.startsWith("https:") ? https : http;
        const req = module.get(url, { ca: event.ca, agent: event.ownAgent ? new module.Agent() : undefined }, (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c) => (body += c));
          res.on("end", () => resolve({ status: res.statusCode, body }));
        });
        req.on("error", (e) => resolve({ error: String(e?.message ?? e), code: e?.code }));
      });
    }
    return out;
  },
  // a request that fails and is not caught: the run's error should say why
  fetchUncaught: async (event) => {
    await fetch(event.url);
    return "reached";
  },
  // what needs no proxy: a raw TCP connection and a DNS query
  rawNetwork: async (event) => {
    const out = {};
    for (const target of event.targets) out[`${target.host}:${target.port}`] = await tryConnect(target.host, target.port);
    out.lookup = await dns.promises.lookup(event.name).then((a) => a.address, (e) => e.code ?? String(e));
    out.resolve4 = await dns.promises.resolve4(event.name).then((a) => a.join(","), (e) => e.code ?? String(e));
    return out;
  },
  // a request started now that goes out after the run has returned
  fetchLater: (event) => {
    setTimeout(() => {
      fetch(event.url).then(
        () => fs.writeFileSync("/tmp/later.txt", "reached"),
        (e) => fs.writeFileSync("/tmp/later.txt", String(e?.cause?.message ?? e?.message)),
      );
    }, event.millis);
    return "scheduled";
  },
  readLater: () => attemptSync(() => fs.readFileSync("/tmp/later.txt", "utf8")),
  environment: () => ({ ...process.env }),
  network: async () => {
    const interfaces = Object.keys(os.networkInterfaces());
    const reached = await new Promise((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port: Number(process.env.PROBE_PORT ?? 6379) });
      socket.once("connect", () => { socket.destroy(); resolve(true); });
      socket.once("error", () => resolve(false));
    });
    return { interfaces, reached };
  },
};

export default async function (event, ctx) {
  const play = scenarios[event.scenario];
  if (!play) throw new Error("no scenario " + event.scenario);
  return play(event, ctx);
}
