import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { synthModel } from "../../../test/fixtures/models.ts";
import { useNativeBackend } from "../../../test/helpers/native.ts";
import { Batch } from "./batch.ts";
import { Context } from "./context.ts";
import { Model } from "./model.ts";
import { SamplerChain } from "./sampler.ts";

const THREADS = 2;
const N_BATCH = 512;
let model: Model;

beforeAll(async () => {
  useNativeBackend();
  model = Model.load(await synthModel({ preset: "tiny", quant: "f32", vocab: "llama-spm" }));
});
afterAll(() => model?.dispose());

function newContext(nSeqMax = 1): Context {
  return new Context(model, {
    nCtx: 1024,
    nBatch: N_BATCH,
    nUbatch: N_BATCH,
    nSeqMax,
    nThreads: THREADS,
    kvUnified: true,
  });
}

/** Decodes `tokens` for `seq` starting at `pos0`, logits for the last one; returns that row. */
function prefill(ctx: Context, batch: Batch, tokens: ArrayLike<number>, seq = 0, pos0 = 0): number {
  batch.clear();
  let row = -1;
  for (let i = 0; i < tokens.length; i++)
    row = batch.add(tokens[i] as number, pos0 + i, seq, i === tokens.length - 1);
  ctx.decode(batch);
  return row;
}

function greedy(ctx: Context, prompt: Int32Array, n: number): number[] {
  using batch = new Batch(N_BATCH, 1);
  using sampler = new SamplerChain(model.vocab, { temperature: 0, repeat_penalty: 1 });
  let row = prefill(ctx, batch, prompt);
  const out: number[] = [];
  for (let pos = prompt.length; out.length < n; pos++) {
    const tok = sampler.sample(ctx, row);
    out.push(tok);
    batch.clear();
    row = batch.add(tok, pos, 0, true);
    ctx.decode(batch);
  }
  return out;
}

describe("engine over a synthetic model", () => {
  test("greedy 64 tokens equal node-llama-cpp's (independent binding, same threads and batch)", async () => {
    const prompt = model.vocab.tokenize(
      "The quick brown fox jumps over the lazy dog. Once upon a time",
      true,
    );
    using ctx = newContext();
    const ours = greedy(ctx, prompt, 64);
    const oracle = Bun.spawnSync(
      [
        "node",
        join(import.meta.dir, "../../../test/oracle/node-llama-greedy.mjs"),
        model.path,
        String(THREADS),
        String(N_BATCH),
        "64",
        JSON.stringify(Array.from(prompt)),
      ],
      { stderr: "pipe" },
    );
    expect(oracle.exitCode, oracle.stderr.toString()).toBe(0);
    const theirs = JSON.parse(oracle.stdout.toString()).tokens as number[];
    expect(new Set(ours).size).toBeGreaterThan(1); // real, varied output, not a degenerate model
    expect(ours).toEqual(theirs);
  });

  test("one batch of 4 sequences gives the logits of each sequence decoded alone (1e-4)", () => {
    const prompts = [
      "Hello there",
      "A completely different prompt about cats",
      "1 2 3 4 5",
      "¿Dónde está la biblioteca?",
    ].map((p) => model.vocab.tokenize(p, true));
    const alone = prompts.map((p) => {
      using ctx = newContext();
      using batch = new Batch(N_BATCH, 1);
      return Float32Array.from(ctx.logits(prefill(ctx, batch, p)));
    });
    using ctx = newContext(4);
    using batch = new Batch(N_BATCH, 4);
    const rows = prompts.map((p, seq) => {
      let row = -1;
      p.forEach((t, i) => {
        row = batch.add(t, i, seq, i === p.length - 1);
      });
      return row;
    });
    ctx.decode(batch);
    rows.forEach((row, seq) => {
      const got = ctx.logits(row);
      expect(maxAbsDiff(got, alone[seq] as Float32Array)).toBeLessThan(1e-4);
    });
  });

  test("seq_rm past a prefix then re-decoding the suffix equals a fresh decode", () => {
    const a = model.vocab.tokenize("Shared prefix of some length, then branch A goes here", true);
    const b = model.vocab.tokenize("Shared prefix of some length, then a different branch B", true);
    let common = 0;
    while (common < a.length && a[common] === b[common]) common++;
    expect(common).toBeGreaterThan(4);
    using ctx = newContext();
    using batch = new Batch(N_BATCH, 1);
    prefill(ctx, batch, a);
    expect(ctx.seqRm(0, common, -1)).toBe(true);
    expect(ctx.seqPosMax(0)).toBe(common - 1);
    const reused = Float32Array.from(ctx.logits(prefill(ctx, batch, b.subarray(common), 0, common)));
    using fresh = newContext();
    const expected = fresh.logits(prefill(fresh, batch, b));
    expect(maxAbsDiff(reused, expected)).toBeLessThan(1e-4);
  });

  test("sequence state save/restore reproduces logits", () => {
    const p = model.vocab.tokenize("state round trip", true);
    using ctx = newContext(2);
    using batch = new Batch(N_BATCH, 2);
    prefill(ctx, batch, p);
    const state = ctx.saveSeq(0);
    expect(state.length).toBeGreaterThan(0);
    expect(ctx.restoreSeq(state, 1)).toBe(true);
    batch.clear();
    const r0 = batch.add(42, p.length, 0, true);
    const r1 = batch.add(42, p.length, 1, true);
    ctx.decode(batch);
    expect(maxAbsDiff(Float32Array.from(ctx.logits(r0)), ctx.logits(r1))).toBeLessThan(1e-4);
  });

  test("metadata, vocab and dispose are idempotent", () => {
    expect(model.nLayer).toBe(2);
    expect(model.metadata()["general.architecture"]).toBe("llama");
    expect(model.chatTemplate()).toContain("[INST]");
    const ctx = newContext();
    ctx.dispose();
    ctx.dispose();
  });
});

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}
