import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { alive } from "../../src/runner/child-exit.ts";
import { endlessModel, synthModel } from "../fixtures/models.ts";
import { closeAll, collect, GREEDY, startRunner } from "./helpers.ts";
import { RunnerClient } from "../../src/runner/client.ts";
import { RunnerLoadTimeoutError } from "../../src/runner/errors.ts";
import { Env } from "../../src/config/env.ts";
import { loadOptions } from "./helpers.ts";

let chat: string;
let small: string;

beforeAll(async () => {
  chat = await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" });
  small = await synthModel({ preset: "small", quant: "f16", vocab: "llama-spm" });
});
afterAll(closeAll);

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await cond()) return true;
    await Bun.sleep(10);
  }
  return cond();
}

describe("runner lifecycle", () => {
  test("SIGKILL of the parent: the runner is gone within 2 s", async () => {
    const parent = Bun.spawn(["bun", `${import.meta.dir}/parent-death.ts`, chat], {
      stdout: "pipe",
      stderr: "inherit",
    });
    const reader = parent.stdout.getReader();
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    const pid = Number(out.trim());
    expect(alive(pid)).toBe(true);
    parent.kill("SIGKILL");
    const t0 = performance.now();
    expect(await until(() => !alive(pid), 2000)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  test("SIGTERM ends the runner's streams cleanly (done_reason cancel) and it exits 0", async () => {
    // The endless model never samples </s>, so the stream is still running when SIGTERM lands.
    const r = await startRunner(await endlessModel(), { num_parallel: 1 });
    const it = r
      .completion({ prompt: "go", options: { temperature: 1, num_predict: 100000 } })
      [Symbol.asyncIterator]();
    await it.next();
    process.kill(r.pid, "SIGTERM");
    let last: unknown;
    for (;;) {
      const n = await it.next();
      if (n.done) break;
      last = n.value;
    }
    expect(last).toMatchObject({ done: true, done_reason: "cancel" });
    const exit = await r.exited();
    expect(exit.exitCode).toBe(0);
    expect(exit.signal).toBeNull();
  });

  test("/health answers promptly during a model load and during a long prefill", async () => {
    const r = new RunnerClient(
      { model: small, options: loadOptions({ num_parallel: 1, num_batch: 64 }), variant: "cpu" },
      { env: new Env({ ...process.env }) },
    );
    const loading = r.waitUntilRunning();
    const latencies: number[] = [];
    const statuses = new Set<string>();
    let loaded = false;
    void loading.then(() => {
      loaded = true;
    });
    while (!loaded) {
      const t0 = performance.now();
      const h = await r.health().catch(() => null);
      if (h) {
        latencies.push(performance.now() - t0);
        statuses.add(h.status);
      }
      await Bun.sleep(5);
    }
    await loading;
    const prompt = Array.from({ length: 1500 }, (_, i) => 100 + (i % 500));
    let prefilling = true;
    const gen = collect(r, { prompt, options: { ...GREEDY, num_predict: 1 } }).then((x) => {
      prefilling = false;
      return x;
    });
    const during: number[] = [];
    while (prefilling) {
      const t0 = performance.now();
      const h = await r.health();
      during.push(performance.now() - t0);
      if (h.slots_processing > 0) statuses.add("processing");
      await Bun.sleep(5);
    }
    const res = await gen;
    expect(res.done.timings.prompt_n).toBe(1500);
    expect(statuses.has("processing")).toBe(true);
    expect(during.length).toBeGreaterThan(3);
    // Not blocked behind the work: answers keep coming while it runs, each far quicker than the prefill
    // (50 ms on an idle machine; relative to the prefill so a loaded machine does not fail it).
    expect(Math.max(...latencies, ...during)).toBeLessThan(Math.max(50, res.done.timings.prompt_ms / 4));
    await r.close();
  });

  test("abort mid-prefill of a 2,000-token prompt: the request queued behind it starts within one decode step", async () => {
    const r = await startRunner(small, { num_parallel: 1, num_batch: 64 });
    const long = Array.from({ length: 2000 }, (_, i) => 100 + (i % 700));
    // Baseline: one decode step of 64 prompt tokens, and the whole 2,000-token prefill.
    const full = await collect(r, { prompt: long, options: { ...GREEDY, num_predict: 1 } });
    const stepMs = full.done.timings.prompt_ms / Math.ceil(2000 / 64);
    const ac = new AbortController();
    const first = collect(
      r,
      { prompt: long.map((t) => t + 1), options: { ...GREEDY, num_predict: 1 } },
      ac.signal,
    ).catch((e) => e);
    expect(await until(async () => (await r.health()).slots_processing === 1, 5000)).toBe(true);
    const queued = collect(r, { prompt: "hello", options: { ...GREEDY, num_predict: 1 } });
    await Bun.sleep(stepMs * 2);
    const t0 = performance.now();
    ac.abort();
    const second = await queued;
    const waited = performance.now() - t0 - second.done.timings.prompt_ms - second.done.timings.predicted_ms;
    expect((await first) instanceof Error).toBe(true);
    // It waited at most for the decode step in flight (plus scheduling noise), not for the rest of the prefill.
    expect(waited).toBeLessThan(Math.max(3 * stepMs, 100));
    expect(waited).toBeLessThan(full.done.timings.prompt_ms / 4);
  });

  test("a load that stops making progress fails after TSLLM_LOAD_TIMEOUT naming the last progress", async () => {
    const r = new RunnerClient(
      { model: small, options: loadOptions({ num_parallel: 1 }), variant: "cpu" },
      { env: new Env({ ...process.env, TSLLM_LOAD_TIMEOUT: "1s" }) },
    );
    process.kill(r.pid, "SIGSTOP"); // a runner stuck before it ever answers
    const t0 = performance.now();
    const err = await r.waitUntilRunning().catch((e) => e);
    expect(err).toBeInstanceOf(RunnerLoadTimeoutError);
    expect(err.message).toMatch(/no progress for 1s at 0%/);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(await until(() => r.hasExited(), 2000)).toBe(true);
  });

  test("embeddings of a batch equal embeddings one by one", async () => {
    const embed = await synthModel({ preset: "embed", quant: "f32", vocab: "bert-bge" });
    const r = await startRunner(embed, { num_ctx: 512, num_batch: 512, num_parallel: 4, embedding: true });
    const inputs = ["first sentence", "a second, longer sentence about embeddings", "third"];
    const together = await r.embedding(inputs);
    expect(together.embeddings.length).toBe(3);
    for (const [i, text] of inputs.entries()) {
      const alone = (await r.embedding([text])).embeddings[0] as number[];
      const got = together.embeddings[i] as number[];
      expect(got.length).toBe(alone.length);
      expect(Math.max(...got.map((v, k) => Math.abs(v - (alone[k] as number))))).toBeLessThan(1e-4);
    }
  });
});
