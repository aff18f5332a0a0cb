/**
 * How long a big request body stalls the server's other requests: while one client posts a ~60 MB body,
 * another asks GET /api/version back to back; the figure is the slowest and the median of those answers
 * (target: slowest under 100 ms), next to the same figures with no big body (the machine's own noise).
 * Wall-clock stalls move with machine load, so each case also runs once without pings and reports the CPU
 * time serve's main thread spent on the request (from /proc, Linux): the most it can have stalled the loop,
 * next to the CPU time of the whole process (the parse workers' share is the difference).
 * serve runs as its own process with TSLLM_MAX_BODY and TSLLM_MAX_PROMPT raised so the bodies are not refused.
 * Cases: a 60 MB prompt for a model that does not exist (receiving, parsing, decoding: everything before the
 * model lookup) and a 60 MB chat of many short messages (the object-heavy shape). With --whole, also the
 * prompt for the tiny model (raw, num_predict 1): serve's whole path, though the runner then spends minutes
 * tokenizing 60 MB (its own process; serve keeps answering).
 * Usage: bun bench/big-body.ts [--mb 60] [--whole]
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { synthModel } from "../test/fixtures/models.ts";
import { spawnServe } from "./serve-process.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({
  args: Bun.argv.slice(2),
  options: { mb: { type: "string", default: "60" }, whole: { type: "boolean", default: false } },
});
const MB = Number(values.mb);

const serve = await spawnServe(1, { env: { TSLLM_MAX_PROMPT: "1GiB", TSLLM_MAX_BODY: "1GiB" } });

/** CPU time (user + system, ms) of serve's main thread and of the whole process, from /proc. */
function cpuMs(): { main: number; all: number } {
  const ticks = (path: string) => {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const f = readFileSync(path, "utf8").split(") ")[1]?.split(" ") ?? [];
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  };
  return { main: ticks(`/proc/${serve.pid}/task/${serve.pid}/stat`), all: ticks(`/proc/${serve.pid}/stat`) };
}

/** Pings /api/version until `done` settles; the latency of each answer in ms. */
async function pingWhile(done: Promise<unknown>): Promise<number[]> {
  let over = false;
  void done.finally(() => {
    over = true;
  });
  const lat: number[] = [];
  while (!over) {
    const t0 = performance.now();
    await (await fetch(`${serve.url}/api/version`)).text();
    lat.push(performance.now() - t0);
  }
  return lat;
}

function report(name: string, lat: number[], extra = ""): void {
  const max = lat.reduce((a, b) => Math.max(a, b), 0);
  console.log(
    `${name.padEnd(32)} ${extra}/api/version × ${lat.length}: p50 ${median(lat).toFixed(1)} ms, max ${max.toFixed(1)} ms`,
  );
}

async function run(name: string, path: string, text: string): Promise<void> {
  // Encoded up front: encoding 60 MB inside fetch would stall this process's pings, not the server.
  const body = new TextEncoder().encode(text);
  const send = () =>
    fetch(`${serve.url}${path}`, { method: "POST", body, signal: AbortSignal.timeout(600_000) })
      .then(async (r) => {
        await r.arrayBuffer();
        return String(r.status);
      })
      .catch((e) => `failed: ${(e as Error).message}`);
  const before = cpuMs();
  await send();
  const after = cpuMs();
  const cpu = `CPU main thread ${(after.main - before.main).toFixed(0)} ms, process ${(after.all - before.all).toFixed(0)} ms; `;
  const t0 = performance.now();
  const big = send();
  const lat = await pingWhile(big);
  const took = ((performance.now() - t0) / 1000).toFixed(1);
  report(name, lat, `${(body.byteLength / 2 ** 20).toFixed(0)} MiB → ${await big} in ${took} s; ${cpu}`);
}

try {
  report("no big body (noise floor)", await pingWhile(Bun.sleep(3000)));
  const prompt = "hello world ".repeat(Math.round((MB * 2 ** 20) / 12));
  await run("prompt, model missing", "/api/generate", JSON.stringify({ model: "missing", prompt }));
  const n = Math.round((MB * 2 ** 20) / 100);
  const messages = Array.from({ length: n }, (_, i) => ({
    role: "user",
    content: `message ${i} ${"x".repeat(60)}`,
  }));
  await run("many messages, model missing", "/api/chat", JSON.stringify({ model: "missing", messages }));
  if (values.whole) {
    await serve.create("tiny", await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" }));
    const options = { num_predict: 1, num_ctx: 256 };
    const body = { model: "tiny", prompt, raw: true, stream: false, options };
    await run("prompt, tiny model (whole path)", "/api/generate", JSON.stringify(body));
  }
} finally {
  await serve.stop();
}
