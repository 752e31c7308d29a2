// Placeholder harness: the executor issue replaces it with the framed protocol.
import { createInterface } from "node:readline";
const mod = await import("./script.mjs");
const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  const req = JSON.parse(line);
  try {
    const result = await mod.default(req.event ?? {}, req.ctx ?? {});
    process.stdout.write(JSON.stringify({ type: "result", id: req.id, result }) + "\n");
  } catch (e) {
    process.stdout.write(JSON.stringify({ type: "error", id: req.id, error: String(e?.message ?? e) }) + "\n");
  }
}
