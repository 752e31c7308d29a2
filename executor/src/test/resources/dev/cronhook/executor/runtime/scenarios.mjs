// The test script: one default export that plays the scenario the event names.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";

let calls = 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
