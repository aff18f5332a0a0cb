import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { synthModel } from "../fixtures/models.ts";
import { isolatedExecutable } from "../helpers/compiled.ts";
import { loadOptions } from "../runner/helpers.ts";

// The compiled executable, copied alone into an empty directory and run with an empty HOME and a PATH
// without Bun: it must work from what it embeds.
let dir: string;
let home: string;
let exe: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ exe, dir, home, cleanup } = await isolatedExecutable());
});
afterAll(() => cleanup());

function run(args: string[], env: Record<string, string> = {}) {
  const p = Bun.spawnSync([exe, ...args], {
    cwd: dir,
    env: { HOME: home, PATH: "/usr/bin:/bin", ...env },
    stderr: "pipe",
    stdout: "pipe",
  });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

describe("compiled ./tsllm", () => {
  test("info runs from an empty dir with an empty HOME", () => {
    const r = run(["info"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("library variant: cpu (embedded:");
    expect(r.out).toMatch(/0: CPU \[cpu\] .* free [\d.]+ GiB \/ total [\d.]+ GiB/);
    expect(r.out).toContain("llama.cpp version: v0.5.0");
  });

  test("--version prints tsllm's, the Ollama API's and llama.cpp's versions", () => {
    // A port nothing listens on: no "server at …" line, whatever runs on this machine.
    const r = run(["--version"], { TSLLM_HOST: "127.0.0.1:9" });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^tsllm version \d+\.\d+\.\d+\nOllama API version \d+\.\d+\.\d+\nllama\.cpp version v0\.5\.0 \(cpu\)\n$/,
    );
  });

  test("info --model describes a GGUF with the pure reader", async () => {
    const model = await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" });
    const r = run(["info", "--model", model]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("architecture      llama");
    expect(r.out).toContain("file type         Q8_0");
  });

  test("runner subcommand serves a model from the embedded libraries (engine Worker inside the executable)", async () => {
    const model = await synthModel({ preset: "tiny", quant: "q8_0", vocab: "llama-spm" });
    const sock = join(dir, "runner.sock");
    const proc = Bun.spawn([exe, "runner", "--model", model, "--socket", sock], {
      cwd: dir,
      env: { HOME: home, PATH: "/usr/bin:/bin" },
      stdin: "pipe",
      stderr: "pipe",
    });
    try {
      const call = (path: string, body?: unknown) =>
        fetch(`http://runner${path}`, {
          method: body ? "POST" : "GET",
          body: body ? JSON.stringify(body) : undefined,
          unix: sock,
        } as RequestInit);
      for (let i = 0; i < 200; i++) {
        if (
          await call("/health").then(
            () => true,
            () => false,
          )
        )
          break;
        await Bun.sleep(25);
      }
      const options = loadOptions({ num_ctx: 512, num_parallel: 2 });
      const load = (await (await call("/load", { operation: "commit", options })).json()) as {
        success: boolean;
      };
      expect(load.success).toBe(true);
      const lines = (
        await (
          await call("/completion", { prompt: "Hi", options: { num_predict: 4, temperature: 0 } })
        ).text()
      )
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines.at(-1)).toMatchObject({ done: true, done_reason: "length", timings: { predicted_n: 4 } });
    } finally {
      proc.kill();
      await proc.exited;
    }
  });

  test("bad input: one line naming what is wrong, non-zero exit, no stack trace", async () => {
    const model = await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" });
    const truncated = join(dir, "truncated.gguf");
    writeFileSync(truncated, new Uint8Array(await Bun.file(model).arrayBuffer()).subarray(0, 5000));
    const notGguf = join(dir, "notes.txt");
    writeFileSync(notGguf, "hello");
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["info", "--model", join(dir, "missing.gguf")], {}, /^Error: model file not found: .*missing\.gguf$/],
      [
        ["info", "--model", truncated],
        {},
        /^Error: .*truncated\.gguf: .*(does not fit|truncated|past the end)/,
      ],
      [["info", "--model", notGguf], {}, /^Error: .*notes\.txt: not a GGUF file/],
      [
        ["info"],
        { TSLLM_LLM_LIBRARY: "nope" },
        /^Error: unknown llm library variant "nope" \(available: cpu\)$/,
      ],
      [["info"], { TSLLM_LIB_DIR: join(dir, "no-such-dir") }, /^Error: native library directory not found: /],
      [["info"], { TSLLM_LIB_DIR: dir }, /^Error: native library libllama missing in /],
    ];
    for (const [args, env, re] of cases) {
      const r = run(args, env);
      expect(r.code).not.toBe(0);
      const lines = r.err.trimEnd().split("\n");
      expect({ args, env, lines: lines.length }).toEqual({ args, env, lines: 1 });
      expect(lines[0]).toMatch(re);
    }
  });
});
