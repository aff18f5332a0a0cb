/** Errors of speculative decoding: a draft model that cannot serve its target, a draft mode not available. */
import { TsllmError } from "../../../errors.ts";

/** The draft model's vocabulary differs from the target's: its tokens could not be verified by the target. */
export class DraftVocabMismatchError extends TsllmError {
  constructor(detail: string) {
    super(`the draft model's vocabulary differs from the model's: ${detail}`, {
      code: "draft_vocab_mismatch",
      status: 400,
    });
  }
}

/** A request asked for draft-model speculation from a model loaded without a draft model. */
export class NoDraftModelError extends TsllmError {
  constructor() {
    super('draft "model" needs a draft model (Modelfile DRAFT or the draft_model option)', {
      code: "no_draft_model",
      status: 400,
    });
  }
}
