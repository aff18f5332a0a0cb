import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { synthModel } from "../fixtures/models.ts";
import { isolatedExecutable } from "../helpers/compiled.ts";

// The compiled ./tsllm as a user coming from Ollama meets it, from an empty HOME and with only OLLAMA_HOST
// set: serve, then create from a Modelfile whose FROM is a synthetic GGUF, run, ps, show, stop, rm.
let ctx: Awaited<ReturnType<typeof isolatedExecutable>>;
let server: Subprocess<"ignore", "pipe", "pipe">;
let host: string;

function env(): Record<string, string> {
  return { HOME: ctx.home, PATH: "/usr/bin:/bin", OLLAMA_HOST: host };
}

function tsllm(...args: string[]) {
  const p = Bun.spawnSync([ctx.exe, ...args], { cwd: ctx.dir, env: env(), stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

beforeAll(async () => {
  ctx = await isolatedExecutable();
  host = "127.0.0.1:0";
  server = Bun.spawn([ctx.exe, "serve"], { cwd: ctx.dir, env: env(), stdout: "pipe", stderr: "pipe" });
  // The log line names the bound address (port 0 = any free port).
  const reader = server.stderr.getReader();
  let log = "";
  while (!/Listening on (\S+)/.test(log)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`serve exited: ${log}`);
    log += new TextDecoder().decode(value);
  }
  host = (/Listening on (\S+)/.exec(log) as RegExpExecArray)[1] as string;
  reader.releaseLock();
  void server.stderr.pipeTo(new WritableStream());
});

afterAll(async () => {
  server?.kill("SIGTERM");
  await server?.exited;
  ctx?.cleanup();
});

describe("compiled ./tsllm end to end", () => {
  test("create → list → run → ps → show → stop → rm", async () => {
    const gguf = await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" });
    writeFileSync(
      join(ctx.dir, "Modelfile"),
      `FROM ${gguf}\nPARAMETER temperature 0\nPARAMETER num_predict 8\nSYSTEM """You are terse."""\n`,
    );

    const create = tsllm("create", "mini", "-f", "Modelfile");
    expect(create.code, create.err).toBe(0);
    expect(create.out + create.err).toContain("success");

    const list = tsllm("list");
    expect(list.out).toMatch(/^NAME\s+ID\s+SIZE\s+MODIFIED/);
    expect(list.out).toContain("mini:latest");

    const run = tsllm("run", "mini", "Hello there");
    expect(run.code, run.err).toBe(0);
    expect(run.out.trim().length).toBeGreaterThan(0);
    const again = tsllm("run", "mini", "Hello there");
    expect(again.out).toBe(run.out); // temperature 0: same answer

    const verbose = tsllm("run", "mini", "Hello there", "--verbose", "--think=false");
    expect(verbose.code, verbose.err).toBe(0);
    expect(verbose.err).toMatch(/^eval count: +\d+ token\(s\)$/m);

    const version = tsllm("--version");
    expect(version.code).toBe(0);
    expect(version.out).toStartWith("tsllm version ");
    expect(version.out).toContain(`\nserver at ${host}: ollama version is `);

    const ps = tsllm("ps");
    expect(ps.out).toMatch(
      /mini:latest\s+[0-9a-f]{12}\s+[\d.]+ [KMG]B\s+100% CPU\s+\d+\s+\d+ minutes? from now/,
    );

    const show = tsllm("show", "mini");
    expect(show.out).toContain("architecture");
    expect(show.out).toContain("You are terse.");

    expect(tsllm("stop", "mini").code).toBe(0);
    expect(tsllm("ps").out).not.toContain("mini");

    const rm = tsllm("rm", "mini");
    expect(rm.code).toBe(0);
    expect(tsllm("list").out).not.toContain("mini");

    // Quantization runs in a Worker inside the executable (libllama never loads in the server thread).
    const f32 = await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" });
    writeFileSync(join(ctx.dir, "Modelfile.q"), `FROM ${f32}\n`);
    const q = tsllm("create", "miniq", "-f", "Modelfile.q", "--quantize", "q8_0");
    expect(q.code, q.err).toBe(0);
    expect(tsllm("show", "miniq").out).toMatch(/quantization\s+Q8_0/);
    expect(tsllm("rm", "miniq").code).toBe(0);

    const missing = tsllm("run", "nope", "hi");
    expect(missing.code).not.toBe(0);
    // As ollama: a model that is not in the store is pulled first; no registry is reachable here.
    expect(missing.err).toMatch(/pulling manifest/);
    expect(missing.err.trim()).toMatch(/Error: pull model manifest: /);
  });

  test("run on an embedding model prints its vector; --dimensions shortens it", async () => {
    const gguf = await synthModel({ preset: "embed", quant: "f32", vocab: "bert-bge" });
    writeFileSync(join(ctx.dir, "Modelfile.embed"), `FROM ${gguf}\n`);
    expect(tsllm("create", "emb", "-f", "Modelfile.embed").code).toBe(0);
    const full = tsllm("run", "emb", "hello world");
    expect(full.code, full.err).toBe(0);
    expect(JSON.parse(full.out)).toHaveLength(384);
    expect(JSON.parse(tsllm("run", "emb", "hello world", "--dimensions", "8").out)).toHaveLength(8);
    expect(tsllm("rm", "emb").code).toBe(0);
  });
});
