/**
 * A create's draft model (Modelfile DRAFT, Ollama's `draft_files`): one GGUF whose vocabulary must be the
 * model's own, token for token, since the model verifies the draft's token ids as its own. Checked from the
 * GGUF metadata before anything is written, so a mismatch is a 400 at create, not a failed load later.
 */
import { InvalidInputError } from "../errors.ts";
import type { GgufFile } from "../gguf/reader.ts";
import type { InferenceDeps } from "./deps.ts";

/** The draft's vocabulary differs from the model's (400). */
export class DraftVocabularyError extends InvalidInputError {
  constructor(detail: string) {
    super(`the draft model's vocabulary differs from the model's: ${detail}`);
  }
}

const tokensOf = (f: GgufFile): unknown[] | undefined => {
  const v = f.metadata["tokenizer.ggml.tokens"];
  return Array.isArray(v) ? v : undefined;
};

/** Throws DraftVocabularyError unless `draft` has the same tokens (and tokenizer model) as `model`. */
export function checkDraftVocabulary(model: GgufFile, draft: GgufFile): void {
  const a = tokensOf(model);
  const b = tokensOf(draft);
  if (!a || !b) throw new DraftVocabularyError("a GGUF without a tokenizer");
  if (model.metadata["tokenizer.ggml.model"] !== draft.metadata["tokenizer.ggml.model"])
    throw new DraftVocabularyError("another tokenizer type");
  if (a.length !== b.length) throw new DraftVocabularyError(`${b.length} tokens, the model has ${a.length}`);
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i]) throw new DraftVocabularyError(`token ${i} is ${JSON.stringify(b[i])}`);
}

/** The one draft blob of a create request (400 for more than one), checked against the weights blob. */
export async function checkDraft(
  deps: InferenceDeps,
  drafts: [string, string][],
  weightsDigest: string | undefined,
): Promise<string | undefined> {
  if (drafts.length === 0) return undefined;
  if (drafts.length > 1) throw new InvalidInputError("only one draft model is supported");
  const digest = (drafts[0] as [string, string])[1];
  if (weightsDigest && (await deps.store.blobs.has(weightsDigest)) && (await deps.store.blobs.has(digest)))
    checkDraftVocabulary(
      await deps.cache.gguf(deps.store.blobs.path(weightsDigest)),
      await deps.cache.gguf(deps.store.blobs.path(digest)),
    );
  return digest;
}
