import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";

const MAIN = resolve(import.meta.dir, "../../src/main.ts");
let proc: Subprocess<"ignore", "pipe", "pipe"> | undefined;
let dir = "";

afterEach(() => {
  proc?.kill("SIGKILL");
  proc = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Reads stderr until the "Listening on" line and returns the bound address. */
async function listeningAddress(p: Subprocess<"ignore", "pipe", "pipe">): Promise<string> {
  const reader = p.stderr.getReader();
  const dec = new TextDecoder();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`serve exited early: ${text}`);
    text += dec.decode(value);
    const m = /Listening on (\S+?:\d+)/.exec(text);
    if (m) {
      reader.releaseLock();
      return m[1] as string;
    }
  }
}

describe("tsllm serve (process)", () => {
  test("binds port 0, answers, and exits 0 on SIGTERM", async () => {
    dir = mkdtempSync(join(tmpdir(), "tsllm-serve-"));
    proc = Bun.spawn([process.execPath, MAIN, "serve"], {
      env: { ...process.env, TSLLM_HOST: "127.0.0.1:0", TSLLM_MODELS: dir, TSLLM_TYPO: "1" },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const addr = await listeningAddress(proc);
    expect(await (await fetch(`http://${addr}/`)).text()).toBe("Ollama is running");
    expect(await (await fetch(`http://${addr}/api/tags`)).json()).toEqual({ models: [] });
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  }, 20_000);

  test("serve --help lists every declared variable with its default", async () => {
    const p = Bun.spawnSync([process.execPath, MAIN, "serve", "--help"]);
    const out = p.stdout.toString();
    expect(p.exitCode).toBe(0);
    for (const name of ["TSLLM_HOST", "TSLLM_MODELS", "TSLLM_KEEP_ALIVE", "TSLLM_MAX_QUEUE"])
      expect(out).toContain(name);
    expect(out).toContain("127.0.0.1:11434");
  });
});
