/** The draft model of a runner's load options, loaded beside the model for speculative decoding. */
import { DraftModel } from "../../llama/engine/batching/draft-model.ts";
import { DRAFT_MAX_LIMIT } from "../../llama/engine/batching/speculative.ts";
import type { Context } from "../../llama/engine/context.ts";
import type { Model } from "../../llama/engine/model.ts";
import type { LoadOptions } from "../protocol.ts";
import { contextOptions } from "./context-options.ts";

/**
 * Loads `o.draft_model` (none for embedding runners) with a context of the target's size plus room for every
 * slot's drafts. It goes where the target goes: on the GPU when the target is fully offloaded, else on the CPU.
 * Throws DraftVocabMismatchError (400) when its vocabulary differs from the target's.
 */
export function loadDraft(o: LoadOptions, target: Model, ctx: Context): DraftModel | null {
  if (!o.draft_model || o.embedding) return null;
  const offloaded = o.num_gpu < 0 || o.num_gpu > target.nLayer;
  return DraftModel.load(
    o.draft_model,
    target.vocab,
    { nGpuLayers: offloaded ? -1 : 0, mainGpu: o.main_gpu, useMmap: o.use_mmap },
    { ...contextOptions(o, target), nCtx: ctx.nCtx + o.num_parallel * (DRAFT_MAX_LIMIT + 1) },
  );
}
