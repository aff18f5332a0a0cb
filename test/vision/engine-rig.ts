/**
 * An in-process batching engine with a vision projector, for tests that compare it with a hand-placed
 * reference: hooks registered in the calling describe load the pair, a context with a third sequence for the
 * reference, and a two-slot engine.
 */
import { afterAll, beforeAll } from "bun:test";
import { BatchEngine } from "../../src/llama/engine/batching/engine.ts";
import { Context } from "../../src/llama/engine/context.ts";
import { Model } from "../../src/llama/engine/model.ts";
import { Projector } from "../../src/llama/engine/vision.ts";
import { useNativeBackend } from "../helpers/native.ts";

/** What the hooks load; read it inside tests. */
export interface VisionEngine {
  model: Model;
  ctx: Context;
  projector: Projector;
  engine: BatchEngine;
}

/** Registers the hooks for the pair `files` gives, with a context of `nCtx` cells. */
export function visionEngine(
  files: () => Promise<{ model: string; projector: string }>,
  nCtx: number,
): VisionEngine {
  const v = {} as VisionEngine;
  beforeAll(async () => {
    useNativeBackend();
    const f = await files();
    v.model = Model.load(f.model);
    v.ctx = new Context(v.model, { nCtx, nBatch: 512, nSeqMax: 3, nThreads: 2, kvUnified: true });
    v.projector = Projector.load(f.projector, v.model, { threads: 2, useGpu: false });
    v.engine = new BatchEngine(v.ctx, { nParallel: 2, nBatch: 512 });
  });
  afterAll(() => {
    v.engine?.close();
    v.projector?.dispose();
    v.ctx?.dispose();
    v.model?.dispose();
  });
  return v;
}

/** The id of the largest logit. */
export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let j = 1; j < logits.length; j++) if ((logits[j] as number) > (logits[best] as number)) best = j;
  return best;
}
