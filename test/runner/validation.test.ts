// The runner checks every request itself (whatever serve checked) and answers a bad one with a 400 over
// its protocol: nothing a request carries reaches libllama unchecked, so no request can abort the runner.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunnerClient } from "../../src/runner/client.ts";
import type { CompletionRequest } from "../../src/runner/protocol.ts";
import { synthModel } from "../fixtures/models.ts";
import { closeAll, collect, failure, GREEDY, startRunner } from "./helpers.ts";

let chat: string;
let runner: RunnerClient;
const N_VOCAB = 32000;

beforeAll(async () => {
  chat = await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" });
  // num_batch 1 below 4 slots and 64 threads on this machine: llama.cpp would assert on the first and
  // spin on the second; the runner raises the batch to the slot count and lowers threads to the cores.
  runner = await startRunner(chat, { num_parallel: 4, num_batch: 1, num_thread: 64, num_ctx: 1024 });
});
afterAll(closeAll);

const outOfRange = (id: number | string) =>
  `token id ${id} is out of range (vocabulary has ${N_VOCAB} tokens)`;

describe("runner request validation", () => {
  test("bad token ids and biases are 400s over the protocol while another stream runs on", async () => {
    const long = collect(runner, { prompt: "Once upon a time", options: { ...GREEDY, num_predict: 64 } });
    const bad: [CompletionRequest, string][] = [
      [{ prompt: [1, N_VOCAB] }, outOfRange(N_VOCAB)],
      [{ prompt: [-3] }, outOfRange(-3)],
      [{ prompt: "hi", logit_bias: { "999999": 1 } }, outOfRange(999999)],
      [{ prompt: "hi", logit_bias: { x: 1 } }, 'logit_bias key "x" is not a token id'],
    ];
    for (const [req, message] of bad)
      expect(await failure(collect(runner, { ...req, options: { num_predict: 2 } }))).toEqual({
        status: 400,
        message,
      });
    expect(await failure(runner.detokenize([5, 2 ** 31 - 1]))).toEqual({
      status: 400,
      message: outOfRange(2 ** 31 - 1),
    });
    const done = (await long).done;
    expect(done.done_reason).toBe("length");
    expect(done.timings.predicted_n).toBe(64);
    expect(runner.hasExited()).toBe(false);
  });

  test("POST /completion answers a bad request with its error record", async () => {
    const res = await fetch("http://runner/completion", {
      method: "POST",
      body: JSON.stringify({ prompt: [999999] }),
      unix: runner.socket,
    } as RequestInit);
    expect(res.status).toBe(200);
    expect(JSON.parse((await res.text()).trim())).toMatchObject({ error: outOfRange(999999), status: 400 });
  });

  test("a bad load request is refused by schema and the loaded model keeps serving", async () => {
    const res = await fetch("http://runner/load", {
      method: "POST",
      body: JSON.stringify({ operation: "fit", options: { num_batch: 0 } }),
      unix: runner.socket,
    } as RequestInit);
    expect(res.status).toBe(400);
    expect(
      (await collect(runner, { prompt: "hi", options: { ...GREEDY, num_predict: 2 } })).done.done_reason,
    ).toBe("length");
  });

  test("sampling numbers that would overflow float32 logits are bounded: generation still runs", async () => {
    for (const options of [
      { temperature: 1e-38, num_predict: 3 },
      { repeat_penalty: 0, repeat_last_n: 2 ** 31 - 1, num_predict: 3 },
      { repeat_penalty: 1.1, repeat_last_n: -1, frequency_penalty: 1000, num_predict: 3 },
    ]) {
      const r = await collect(runner, { prompt: "The weather", options, logit_bias: { "100": 1e30 } });
      expect(r.done.timings.predicted_n).toBe(3);
    }
  });

  test("four slots run at once on a batch raised from 1", async () => {
    const runs = await Promise.all(
      ["a", "b", "c", "d"].map((p) =>
        collect(runner, { prompt: `${p} story`, options: { ...GREEDY, num_predict: 6 } }),
      ),
    );
    for (const r of runs) expect(r.done.timings.predicted_n).toBe(6);
  });
});

describe("tokenization off the engine thread", () => {
  let plain: RunnerClient;
  beforeAll(async () => {
    plain = await startRunner(chat, { num_parallel: 2, num_ctx: 512 });
  });

  test("200,000 special-token texts tokenize like one llama_tokenize call would (BOS + one each)", async () => {
    const tokens = await plain.tokenize("<s>".repeat(200_000), { addSpecial: true, parseSpecial: true });
    expect(tokens.length).toBe(200_001);
    expect(new Set(tokens)).toEqual(new Set([1]));
  });

  test("a short request on another slot finishes while a 2 MB prompt is still being tokenized", async () => {
    const big = "the quick brown fox jumps over the lazy dog. ".repeat(47_000);
    const order: string[] = [];
    const bigRun = (async () => {
      for await (const c of plain.completion({ prompt: big, options: { ...GREEDY, num_predict: 1 } })) {
        order.push(c.done ? "big done" : "big piece");
      }
    })();
    const small = await collect(plain, { prompt: "hi", options: { ...GREEDY, num_predict: 3 } });
    order.push("small done");
    await bigRun;
    expect(small.done.timings.predicted_n).toBe(3);
    // Tokenized on the engine thread, the big prompt would hold every slot until its tokens were ready.
    expect(order[0]).toBe("small done");
    expect(order.at(-1)).toBe("big done");
  });
});
