/**
 * The runner control protocol (parent ⇄ `tsllm runner` over a Unix socket). Wire shapes are declared once
 * here with TypeBox; both sides take their types from these schemas.
 */
import { type Static, Type as T } from "@sinclair/typebox";

/** Load-time options: changing any of them means reloading the model. */
export const LoadOptions = T.Object({
  num_ctx: T.Integer({ minimum: 1 }),
  num_batch: T.Integer({ minimum: 1 }),
  num_gpu: T.Integer(), // layers to offload; -1 = as many as fit
  main_gpu: T.Integer({ minimum: 0 }),
  use_mmap: T.Boolean(),
  use_mlock: T.Boolean(),
  num_thread: T.Integer({ minimum: 0 }), // 0 = runner picks (physical cores)
  flash_attention: T.Boolean(),
  kv_cache_type: T.Union([T.Literal("f16"), T.Literal("q8_0"), T.Literal("q4_0"), T.Literal("f32")]),
  num_parallel: T.Integer({ minimum: 1, maximum: 256 }),
  embedding: T.Boolean(),
  /** ggml RPC servers ("host:port") the runner registers before loading; their devices take layers. */
  rpc_servers: T.Optional(T.Array(T.String())),
  /** Draft model for speculative decoding (absolute GGUF path), loaded into its own context beside the model. */
  draft_model: T.Optional(T.String()),
  /** Vision projector (absolute mmproj GGUF path), loaded with libmtmd after the model: the model then takes images. */
  projector: T.Optional(T.String()),
});
export type LoadOptions = Static<typeof LoadOptions>;

/** POST /load body. fit reports memory and allocates nothing; commit loads weights; close unloads. */
export const LoadRequest = T.Object({
  operation: T.Union([T.Literal("fit"), T.Literal("alloc"), T.Literal("commit"), T.Literal("close")]),
  options: LoadOptions,
});
export type LoadRequest = Static<typeof LoadRequest>;

/** Memory one device holds for this model, in bytes. */
export const DeviceMemory = T.Object({
  device: T.String(), // ggml device name, "CPU" for host memory
  weights: T.Number(),
  kv_cache: T.Number(),
  compute: T.Number(),
});
export type DeviceMemory = Static<typeof DeviceMemory>;

/** POST /load answer. */
export const LoadResponse = T.Object({
  success: T.Boolean(),
  layers_offloaded: T.Integer(),
  layers_total: T.Integer(),
  memory: T.Array(DeviceMemory),
  error: T.Optional(T.String()),
});
export type LoadResponse = Static<typeof LoadResponse>;

/** GET /health answer. */
export const Health = T.Object({
  status: T.Union([T.Literal("loading"), T.Literal("ready"), T.Literal("error"), T.Literal("idle")]),
  progress: T.Number(), // load progress 0–1
  slots_idle: T.Integer(),
  slots_processing: T.Integer(),
  error: T.Optional(T.String()),
});
export type Health = Static<typeof Health>;

/** One slot (a KV-cache sequence) as GET /slots reports it; the request fields are 0 while idle. */
export const SlotInfo = T.Object({
  id: T.Integer(),
  state: T.Union([T.Literal("idle"), T.Literal("prefill"), T.Literal("generating")]),
  /** Cells this slot may fill (the cache is shared: every slot may grow to the whole context). */
  n_ctx: T.Integer(),
  /** Tokens of this slot in the KV cache (kept after a request for prompt-cache reuse). */
  cached_tokens: T.Integer(),
  prompt_tokens: T.Integer(),
  /** Prompt tokens in the cache so far: the reused prefix plus what prefill has decoded. */
  prompt_tokens_done: T.Integer(),
  /** The request's prompt tokens served from the prompt cache. */
  prompt_tokens_cached: T.Integer(),
  generated_tokens: T.Integer(),
});
export type SlotInfo = Static<typeof SlotInfo>;

/**
 * GET /slots answer: slot and KV-cache state, read from shared memory the engine updates after each decode
 * step, so it answers at once even while a decode runs. Counters are since the runner started.
 */
export const RunnerSlots = T.Object({
  status: Health.properties.status,
  kv_cells_used: T.Integer(),
  kv_cells_total: T.Integer(),
  /** llama_decode calls, and the busy slots summed over them (llama-server's n_decode / n_busy_slots). */
  n_decode: T.Integer(),
  n_busy_slots: T.Integer(),
  slots: T.Array(SlotInfo),
});
export type RunnerSlots = Static<typeof RunnerSlots>;

/** Sampling and stop options, Ollama's names. All optional; the runner fills Ollama's defaults. */
export const SamplingOptions = T.Object({
  temperature: T.Optional(T.Number()),
  top_k: T.Optional(T.Integer()),
  top_p: T.Optional(T.Number()),
  min_p: T.Optional(T.Number()),
  typical_p: T.Optional(T.Number()),
  repeat_last_n: T.Optional(T.Integer()),
  repeat_penalty: T.Optional(T.Number()),
  presence_penalty: T.Optional(T.Number()),
  frequency_penalty: T.Optional(T.Number()),
  mirostat: T.Optional(T.Integer({ minimum: 0, maximum: 2 })),
  mirostat_tau: T.Optional(T.Number()),
  mirostat_eta: T.Optional(T.Number()),
  seed: T.Optional(T.Integer()),
  stop: T.Optional(T.Array(T.String())),
  num_predict: T.Optional(T.Integer()),
  num_keep: T.Optional(T.Integer()),
});
export type SamplingOptions = Static<typeof SamplingOptions>;

/**
 * Makes `grammar` lazy: generation is free until a trigger, then constrained from the trigger on (llama.cpp's
 * lazy grammar). `words` are literal texts: one fires when the generated text so far ends with it (so the
 * grammar is fed exactly the word, never text after it), or when the model samples it as a single token
 * (the runner maps a word that its vocabulary holds as one token to a token trigger). `patterns` are
 * regexes with llama.cpp's semantics: `^…$` must match the whole text so far, anything else is searched;
 * the grammar is fed from the first capture group (else the match), so it must accept the text from there.
 */
export const GrammarTriggers = T.Object({
  words: T.Array(T.String({ minLength: 1 })),
  patterns: T.Array(T.String({ minLength: 1 })),
});
export type GrammarTriggers = Static<typeof GrammarTriggers>;

/**
 * Speculative decoding for one request (llama-server's `speculative.*` names): `type` "ngram" drafts by
 * prompt lookup in the sequence itself, "model" with the loaded draft model, "off" not at all; unset = the
 * draft model when one is loaded, else off. Each step drafts at most n_max tokens, and none if fewer than n_min.
 */
export const Speculative = T.Object({
  type: T.Optional(T.Union([T.Literal("off"), T.Literal("ngram"), T.Literal("model")])),
  n_max: T.Optional(T.Integer({ minimum: 0, maximum: 64 })),
  n_min: T.Optional(T.Integer({ minimum: 0, maximum: 64 })),
});
export type Speculative = Static<typeof Speculative>;

/** An image of a completion request: the encoded file (PNG, JPEG, GIF, BMP or PPM) and its cache key. */
export const ImageInput = T.Object({
  data: T.String(), // base64
  id: T.String(), // sha256 hex of the original bytes: equal ids are reused from the prompt cache
});
export type ImageInput = Static<typeof ImageInput>;

/** POST /completion body. `prompt` is text (tokenized with special tokens parsed) or token ids. */
export const CompletionRequest = T.Object({
  prompt: T.Union([T.String(), T.Array(T.Integer())]),
  options: T.Optional(SamplingOptions),
  grammar: T.Optional(T.String()), // GBNF
  grammar_lazy: T.Optional(GrammarTriggers), // with `grammar`: apply it only from a trigger on
  logit_bias: T.Optional(T.Record(T.String(), T.Number())), // token id → bias
  logprobs: T.Optional(T.Integer({ minimum: 0, maximum: 20 })), // top-N alternatives per token
  shift: T.Optional(T.Boolean()), // context full: shift (default) or stop with "length"
  return_prompt_tokens: T.Optional(T.Boolean()), // echo the prompt's token ids in the final record
  // Nobody reads the answer token by token (a client's stream: false): pieces after the first may be held up to
  // this long and sent as one (stream socket), sparing both processes a wake-up per token.
  hold_ms: T.Optional(T.Integer({ minimum: 0, maximum: 1000 })),
  speculative: T.Optional(Speculative),
  /** Images, one per image marker ("<__media__>") in the text prompt, in order (needs a projector). */
  images: T.Optional(T.Array(ImageInput)),
});
export type CompletionRequest = Static<typeof CompletionRequest>;

/** One alternative token with its log-probability. */
export const TokenLogprob = T.Object({ token: T.String(), id: T.Integer(), logprob: T.Number() });

/** A streamed piece of generated text (UTF-8 safe; never part of a stop string). */
export const CompletionPiece = T.Object({
  content: T.String(),
  tokens: T.Optional(T.Array(T.Integer())),
  logprobs: T.Optional(
    T.Array(
      T.Object({ token: T.String(), id: T.Integer(), logprob: T.Number(), top: T.Array(TokenLogprob) }),
    ),
  ),
});
export type CompletionPiece = Static<typeof CompletionPiece>;

/** Final record of a completion stream. Durations in milliseconds. */
export const CompletionDone = T.Object({
  done: T.Literal(true),
  done_reason: T.Union([T.Literal("stop"), T.Literal("length"), T.Literal("cancel")]),
  content: T.String(), // any last piece
  prompt_tokens: T.Optional(T.Array(T.Integer())),
  stop_sequence: T.Optional(T.String()), // the stop string that ended generation, if one did
  timings: T.Object({
    prompt_n: T.Integer(),
    prompt_ms: T.Number(),
    predicted_n: T.Integer(),
    predicted_ms: T.Number(),
    cache_n: T.Integer(),
    /** Speculative decoding (only when the request drafted): draft tokens proposed and accepted. */
    draft_n: T.Optional(T.Integer()),
    draft_n_accepted: T.Optional(T.Integer()),
    /** Requests with images: images encoded for this request, and images reused from the prompt cache. */
    images_encoded: T.Optional(T.Integer()),
    images_cached: T.Optional(T.Integer()),
  }),
});
export type CompletionDone = Static<typeof CompletionDone>;

/** An error record inside an NDJSON stream (the stream ends after it). */
export const StreamError = T.Object({ error: T.String(), code: T.String(), status: T.Optional(T.Integer()) });
export type StreamError = Static<typeof StreamError>;

/** POST /embedding body and answer. */
export const EmbeddingRequest = T.Object({
  input: T.Array(T.Union([T.String(), T.Array(T.Integer())])),
  truncate: T.Optional(T.Boolean()),
});
export type EmbeddingRequest = Static<typeof EmbeddingRequest>;
export const EmbeddingResponse = T.Object({
  embeddings: T.Array(T.Array(T.Number())),
  prompt_n: T.Integer(),
});
export type EmbeddingResponse = Static<typeof EmbeddingResponse>;

/** POST /rerank body and answer: one score per document (its classification head's first output), in order. */
export const RerankRequest = T.Object({ query: T.String(), documents: T.Array(T.String()) });
export type RerankRequest = Static<typeof RerankRequest>;
export const RerankResponse = T.Object({
  scores: T.Array(T.Number()),
  /** Tokens of each (query, document) sequence. */
  tokens: T.Array(T.Integer()),
});
export type RerankResponse = Static<typeof RerankResponse>;

/** POST /tokenize and /detokenize. */
export const TokenizeRequest = T.Object({
  content: T.String(),
  add_special: T.Optional(T.Boolean()),
  parse_special: T.Optional(T.Boolean()),
});
export type TokenizeRequest = Static<typeof TokenizeRequest>;
export const TokenizeResponse = T.Object({ tokens: T.Array(T.Integer()) });
export const DetokenizeRequest = T.Object({ tokens: T.Array(T.Integer()) });
export type DetokenizeRequest = Static<typeof DetokenizeRequest>;
export const DetokenizeResponse = T.Object({ content: T.String() });

/**
 * The stream socket (next to the control socket, see streamSocketPath) multiplexes completions on one
 * connection, as newline-delimited JSON both ways: the caller sends StreamRequest lines, the runner answers
 * with one StreamFrame line per decode step holding every stream's new records (the records POST /completion
 * writes as NDJSON). The engine thread serves it itself, so a token costs no hop through the HTTP thread and
 * no HTTP chunk per stream: that CPU stays with the decode.
 */
export const streamSocketPath = (controlSocket: string): string => `${controlSocket}.stream`;

export const StreamRequest = T.Union([
  T.Object({ op: T.Literal("completion"), rid: T.Integer(), req: CompletionRequest }),
  T.Object({ op: T.Literal("cancel"), rid: T.Integer() }),
]);
export type StreamRequest = Static<typeof StreamRequest>;

/** A record of a completion stream (POST /completion and the stream socket): a piece, or the final one. */
export type WireChunk = Record<string, unknown>;

/** Whether `c` ends its stream (a done or an error record). */
export const isLast = (c: WireChunk): boolean => c.done === true || c.error !== undefined;

/** [rid, chunk] pairs. */
export type StreamFrame = [number, WireChunk][];
