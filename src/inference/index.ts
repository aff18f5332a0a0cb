/** The inference service layer: what src/api handlers call. */
export { type ChatInput, chat, type ToolChoice } from "./chat.ts";
export {
  type CompletionEvent,
  type CompletionResult,
  cutShort,
  type DoneReason,
  type Logprob,
  type Metrics,
} from "./completion.ts";
export { countTokens } from "./count-tokens.ts";
export { type CreateInput, type CreateProgress, create } from "./create.ts";
export type { InferenceConfig, InferenceDeps, Quantizer, RegistryPort, SchedulerPort } from "./deps.ts";
export { describeBlob } from "./describe.ts";
export { type EmbeddingsInput, type EmbedInput, type EmbedResult, embed, embeddings } from "./embed.ts";
export { type GenerateInput, generate } from "./generate.ts";
export { keepAliveMs, parseDuration } from "./keep-alive.ts";
export { ModelCache } from "./model-cache.ts";
export { copyModel, deleteModel, listModels, type PsRow, runningModels, type TagsEntry } from "./models.ts";
export { type ModelSlots, modelSlots } from "./slots.ts";
export { workerQuantizer } from "./quantize.ts";
export { type ResponsesStoreOptions, ResponsesStore, type StoredResponse } from "./responses-store.ts";
export { type ShowInput, type ShowResult, show } from "./show.ts";
export { detokenize, type TokenizerInput, tokenize } from "./tokenize.ts";
export { WebpConverter } from "./vision-webp.ts";
