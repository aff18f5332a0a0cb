/** Embeddings of several inputs: packed into batches of up to n_seq_max sequences, one pooled vector each. */
import { Batch } from "../batch.ts";
import type { Context } from "../context.ts";
import { InvalidInputError } from "../../../errors.ts";

/** Returns one pooled embedding per input (not normalised), in input order. */
export function embedAll(ctx: Context, inputs: number[][], nBatch: number): Float32Array[] {
  const out: Float32Array[] = [];
  const encoderOnly = ctx.model.hasEncoder && !ctx.model.hasDecoder;
  using batch = new Batch(nBatch, 1);
  let group: number[] = [];
  const flush = () => {
    if (group.length === 0) return;
    ctx.clearMemory();
    if (encoderOnly) ctx.encode(batch);
    else ctx.decode(batch);
    for (let seq = 0; seq < group.length; seq++) {
      const v = ctx.embeddingSeq(seq);
      if (!v) throw new InvalidInputError("this model does not produce pooled embeddings");
      out.push(v);
    }
    batch.clear();
    group = [];
  };
  for (const [i, toks] of inputs.entries()) {
    if (toks.length === 0) throw new InvalidInputError(`input ${i} is empty`);
    if (toks.length > nBatch)
      throw new InvalidInputError(`input ${i} has ${toks.length} tokens, more than the batch size ${nBatch}`);
    if (batch.free < toks.length || group.length >= ctx.nSeqMax) flush();
    const seq = group.length;
    toks.forEach((t, p) => batch.add(t, p, seq, true));
    group.push(i);
  }
  flush();
  ctx.clearMemory();
  return out;
}
