import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { endlessModel, synthModel } from "../fixtures/models.ts";
import type { RunnerClient } from "../../src/runner/client.ts";
import { RunnerExitedError, RunnerLoadError } from "../../src/runner/errors.ts";
import { closeAll, collect, GREEDY, startRunner } from "./helpers.ts";

let chat: string;
let runner: RunnerClient;

beforeAll(async () => {
  chat = await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" });
  runner = await startRunner(chat, { num_parallel: 4 });
});
afterAll(closeAll);

const PROMPTS = ["Once upon a time", "The weather today is", "def fibonacci(n):", "Les chats et les chiens"];

describe("runner process", () => {
  test("4 concurrent greedy completions equal each run alone", async () => {
    const opts = { ...GREEDY, num_predict: 24 };
    const alone = [];
    for (const p of PROMPTS) alone.push((await collect(runner, { prompt: p, options: opts })).tokens);
    const together = await Promise.all(PROMPTS.map((p) => collect(runner, { prompt: p, options: opts })));
    expect(together.map((t) => t.tokens)).toEqual(alone);
    for (const t of together) expect(t.done.timings.predicted_n).toBe(24);
  });

  test("a second request sharing a 500-token prefix decodes only its suffix", async () => {
    const words = Array.from({ length: 700 }, (_, i) => `w${i % 97}`).join(" ");
    const prefix = await runner.tokenize(words, { addSpecial: true });
    expect(prefix.length).toBeGreaterThanOrEqual(500);
    const first = await collect(runner, {
      prompt: [...prefix, 100, 200, 300],
      options: { ...GREEDY, num_predict: 2 },
    });
    expect(first.done.timings.prompt_n + first.done.timings.cache_n).toBe(prefix.length + 3);
    const second = await collect(runner, {
      prompt: [...prefix, 400, 500, 600, 700],
      options: { ...GREEDY, num_predict: 2 },
    });
    expect(second.done.timings.cache_n).toBeGreaterThanOrEqual(500);
    expect(second.done.timings.cache_n).toBe(prefix.length);
    expect(second.done.timings.prompt_n).toBe(4);
  });

  test("stop strings split across tokens never leak", async () => {
    const base = await collect(runner, {
      prompt: "Tell me a story",
      options: { ...GREEDY, num_predict: 40 },
    });
    // Pick a stop string that straddles the boundary between two generated tokens.
    const pieces = await Promise.all(base.tokens.map((t) => runner.detokenize([t])));
    let at = -1;
    let offset = 0;
    for (let i = 5; i < pieces.length - 1; i++) {
      const a = pieces[i] as string;
      const b = pieces[i + 1] as string;
      offset = pieces.slice(0, i).join("").length;
      if (a.length >= 2 && b.length >= 2 && !/\uFFFD/.test(a + b)) {
        at = i;
        break;
      }
    }
    expect(at).toBeGreaterThan(0);
    const a = pieces[at] as string;
    const stop = a.slice(-2) + (pieces[at + 1] as string).slice(0, 2);
    const cut = base.text.indexOf(stop);
    expect(cut).toBeGreaterThanOrEqual(0);
    expect(cut).toBeLessThanOrEqual(offset + a.length);
    const stopped = await collect(runner, {
      prompt: "Tell me a story",
      options: { ...GREEDY, num_predict: 40, stop: [stop] },
    });
    expect(stopped.done.done_reason).toBe("stop");
    expect(stopped.text).toBe(base.text.slice(0, cut));
    expect(stopped.text).not.toContain(stop);
  });

  test("multibyte UTF-8 output is streamed whole (grammar-forced)", async () => {
    const target = "日本語のテキスト — ñandú 🦙";
    const r = await collect(runner, {
      prompt: "Say it",
      grammar: `root ::= ${JSON.stringify(target)}`,
      options: { ...GREEDY, num_predict: 64 },
    });
    expect(r.text).toBe(target);
    for (const p of r.pieces) expect(p).not.toContain("\uFFFD");
    expect(r.tokens.length).toBeGreaterThan(r.pieces.filter(Boolean).length - 1);
  });

  test("kill -9 mid-stream: the iterator throws RunnerExitedError with the signal within 1 s", async () => {
    // The endless model never samples </s>, so the stream is still running when the signal lands.
    const victim = await startRunner(await endlessModel(), { num_parallel: 1 });
    const it = victim
      .completion({ prompt: "Count forever", options: { temperature: 0.9, num_predict: 100000 } })
      [Symbol.asyncIterator]();
    await it.next();
    const t0 = performance.now();
    process.kill(victim.pid, "SIGKILL");
    let err: unknown;
    try {
      for (;;) {
        const n = await it.next();
        if (n.done) break;
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RunnerExitedError);
    expect((err as RunnerExitedError).signal).toBe("SIGKILL");
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  test("a corrupt or truncated GGUF gives a clear load error, not a hang", async () => {
    const truncated = join(tmpdir(), `tsllm-trunc-${process.pid}.gguf`);
    const bytes = new Uint8Array(await Bun.file(chat).arrayBuffer());
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 3)));
    await expect(startRunner(truncated)).rejects.toBeInstanceOf(RunnerLoadError);
    const garbage = join(tmpdir(), `tsllm-garbage-${process.pid}.gguf`);
    writeFileSync(garbage, "this is not a gguf file at all");
    await expect(startRunner(garbage)).rejects.toThrow(/failed to load model/);
  });
});
