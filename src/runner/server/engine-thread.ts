/**
 * What the runner's engine thread holds and does: the loaded model, its context and continuous-batching
 * engine, the stream socket, and the routing of the HTTP thread's messages. Every decode happens on this
 * thread so the HTTP thread stays responsive through model loads and long prefills; long texts are tokenized
 * on the tokenizer thread so that decode steps never wait for them.
 */
import { TsllmError } from "../../errors.ts";
import { drainNativeLog, initBackend } from "../../llama/engine/backend.ts";
import { BatchEngine, type Submission } from "../../llama/engine/batching/engine.ts";
import { embedAll } from "../../llama/engine/batching/embed.ts";
import { rankAll, rerankFormat, rerankInputs } from "../../llama/engine/batching/rerank.ts";
import { Context, POOLING } from "../../llama/engine/context.ts";
import type { DraftModel } from "../../llama/engine/batching/draft-model.ts";
import { Model } from "../../llama/engine/model.ts";
import type { Projector } from "../../llama/engine/vision.ts";
import { SharedCell } from "../../llama/ffi/memory.ts";
import { contextOptions } from "./context-options.ts";
import { loadDraft } from "./draft.ts";
import { fitReport } from "./fit.ts";
import { imagePrompt, loadProjector } from "./images.ts";
import { type FromEngine, Inbox, type ToEngine } from "./messages.ts";
import { SlotBoard } from "./slot-board.ts";
import { registerRpcServers } from "./rpc-servers.ts";
import { reportSlots } from "./slot-report.ts";
import { StreamServer } from "./stream.ts";
import { isLast, type WireChunk } from "../protocol.ts";
import { type Endpoint, TokenizerClient } from "./tokenizer-thread.ts";
import { checkGenerate, checkIds, type GenerateInput } from "./validate.ts";
import { asTsllmError, doneChunk, errorChunk, pieceChunk, toGenerate } from "./wire.ts";

/**
 * Texts up to this many UTF-16 units are tokenized here, at once: well under a millisecond normally, and at
 * most tens of milliseconds even for llama.cpp's worst cases (its SPM tokenizer is quadratic in a run of
 * byte-fallback characters). Longer ones go to the tokenizer thread.
 */
const INLINE_TOKENIZE_CHARS = 32 * 1024;

const ZERO_TIMINGS = { prompt_n: 0, prompt_ms: 0, predicted_n: 0, predicted_ms: 0, cache_n: 0 };

/** The engine thread's state and message handling. */
export class EngineThread {
  #model: Model | null = null;
  #ctx: Context | null = null;
  #engine: BatchEngine | null = null;
  /** The draft model for speculative decoding, when the load options name one. */
  #draft: DraftModel | null = null;
  /** The vision projector, when the load options name one: the model then takes images. */
  #projector: Projector | null = null;
  #embedding = false;
  #tokenizer: TokenizerClient | null = null;
  readonly #running = new Map<number, Submission>();
  /** Messages from the HTTP thread handled so far, against its posted count in `#inbox`. */
  #handled = 0;
  #inbox: Inbox | null = null;
  #streams: StreamServer | null = null;
  /** During a step, messages collect here and leave as one: one wake-up of the HTTP thread per step. */
  #outbox: FromEngine[] | null = null;
  /** Where slot and KV state go after each step, for the HTTP thread's GET /slots. */
  #board: SlotBoard | null = null;

  constructor(private readonly postMessage: (m: FromEngine) => void) {}

  /** Handles one message from the HTTP thread; a failure is answered as an error for its id. */
  receive(msg: ToEngine): void {
    this.#handled++;
    try {
      this.#handle(msg);
    } catch (e) {
      this.#fail(msg.id, e);
    }
  }

  #post(m: FromEngine): void {
    if (this.#outbox) this.#outbox.push(m);
    else this.postMessage(m);
  }

  #flush(): void {
    const msgs = this.#outbox ?? [];
    this.#outbox = null;
    if (msgs.length === 1) this.postMessage(msgs[0] as FromEngine);
    else if (msgs.length > 1) this.postMessage({ type: "batch", msgs });
  }

  #fail(id: number, e: unknown): void {
    const err = asTsllmError(e);
    this.#post({ type: "error", id, message: err.message, code: err.code, status: err.status });
  }

  #load(msg: Extract<ToEngine, { type: "load" }>): void {
    initBackend(msg.backend);
    this.#inbox = new Inbox(msg.inbox);
    const o = msg.options;
    if (msg.op === "fit") {
      this.#post({ type: "loaded", id: msg.id, value: fitReport(msg.model, o) });
      return;
    }
    const model = Model.load(msg.model, {
      nGpuLayers: o.num_gpu,
      mainGpu: o.main_gpu,
      useMmap: o.use_mmap,
      useMlock: o.use_mlock,
      progress: new SharedCell(msg.progressCell),
    });
    const ctx = new Context(model, contextOptions(o, model));
    try {
      this.#draft = loadDraft(o, model, ctx);
      this.#projector = loadProjector(o, model);
    } catch (e) {
      this.#draft?.dispose();
      this.#draft = null;
      ctx.dispose();
      model.dispose();
      throw e;
    }
    this.#model = model;
    this.#ctx = ctx;
    this.#embedding = o.embedding;
    this.#board = msg.slots ? new SlotBoard(msg.slots) : null;
    if (!o.embedding) {
      const draft = this.#draft ?? undefined;
      const engine = new BatchEngine(ctx, { nParallel: o.num_parallel, nBatch: ctx.nBatch, draft });
      this.#engine = engine;
      void this.#loop(engine);
    } else ctx.parkThreads();
    if (this.#board) reportSlots(this.#board, ctx, this.#engine);
    const value = fitReport(msg.model, o, model, ctx);
    this.#post({ type: "loaded", id: msg.id, value, vocab: model.vocab.handle as number });
  }

  async #loop(e: BatchEngine): Promise<void> {
    let lastBusy = -1;
    let steps = 0;
    while (this.#engine === e) {
      if (!e.hasWork()) this.#ctx?.parkThreads(); // an idle runner must not keep its pool spinning
      await e.idle();
      if (this.#engine !== e) break;
      this.#outbox = [];
      e.step();
      if (this.#board && this.#ctx) reportSlots(this.#board, this.#ctx, e);
      if (++steps % 64 === 0) drainNativeLog(); // hands native log lines to the logger when debugging
      if (e.busy !== lastBusy) {
        lastBusy = e.busy;
        this.#post({ type: "slots", idle: e.slots.length - e.busy, processing: e.busy });
      }
      this.#flush();
      this.#streams?.flush();
      // Let queued messages (new requests, cancellations) in between decode steps: only when there may be
      // some (a macrotask round trip per step costs ~1% at one stream), and every 64 steps regardless. A
      // connected stream socket may hold requests too: then every step (a cheap event-loop turn).
      if (this.#streams?.connected || this.#inbox?.waiting(this.#handled) !== false || steps % 64 === 0)
        await new Promise((r) => setImmediate(r));
    }
  }

  /** Token ids of an input: ids are checked against the vocabulary; long texts go to the tokenizer thread. */
  async #tokens(input: string | number[], addSpecial = true): Promise<number[]> {
    const { model } = this.#loaded();
    if (typeof input !== "string") {
      checkIds(input, model.vocab.size);
      return input;
    }
    if (input.length <= INLINE_TOKENIZE_CHARS || !this.#tokenizer)
      return Array.from(model.vocab.tokenize(input, addSpecial, true));
    return this.#tokenizer.tokenize(input, addSpecial, true);
  }

  #loaded(): { model: Model; ctx: Context } {
    if (!this.#model || !this.#ctx)
      throw new TsllmError("model not loaded", { code: "not_loaded", status: 503 });
    return { model: this.#model, ctx: this.#ctx };
  }

  /**
   * Checks a completion and submits it to the engine once its prompt is tokenized; its wire records go to
   * `emit`. Throws if it cannot start (a bad request: 400, before anything reaches libllama).
   */
  #generate(req: GenerateInput, returnPromptTokens: boolean | undefined, emit: (c: WireChunk) => void) {
    if (!this.#engine)
      throw new TsllmError(
        this.#embedding ? "this model runner only serves embeddings" : "model not loaded",
        { code: "not_loaded", status: this.#embedding ? 400 : 503 },
      );
    const { model, ctx } = this.#loaded();
    const { images, ...checked } = checkGenerate(req, { nVocab: model.vocab.size, nCtx: ctx.nCtx });
    // Images: tokenized here with the text through libmtmd; their chunks live until the request ends.
    const media = images?.length ? imagePrompt(this.#projector, ctx, checked.prompt, images) : null;
    const engine = this.#engine;
    let sub: Submission | null = null;
    let cancelled = false;
    const start = (prompt: number[]) => {
      if (this.#engine !== engine || cancelled) media?.release();
      if (this.#engine !== engine) return emit(errorChunk("model was unloaded", "not_loaded", 503));
      if (cancelled) return emit(doneChunk("cancel", "", ZERO_TIMINGS));
      sub = engine.submit(
        // Drafting proposes tokens from the sequence, which holds image placeholders: off with images.
        {
          ...checked,
          prompt,
          ...(media ? { images: media.images, draft: { mode: "off", max: 0, min: 0 } } : {}),
        },
        {
          piece: (p) => emit(pieceChunk(p)),
          done: (reason, content, timings, stopSequence) => {
            media?.release();
            const t = media ? { ...timings, ...media.counts() } : timings;
            emit(doneChunk(reason, content, t, returnPromptTokens ? prompt : undefined, stopSequence));
          },
          error: (e) => {
            media?.release();
            emit(errorChunk(e.message, e.code, e.status));
          },
        },
      );
    };
    const prompt = checked.prompt;
    if (media) start(media.tokens);
    else if (typeof prompt !== "string" || prompt.length <= INLINE_TOKENIZE_CHARS) {
      start(typeof prompt === "string" ? Array.from(model.vocab.tokenize(prompt, true, true)) : prompt);
    } else {
      this.#tokens(prompt).then(start, (e) => {
        const err = asTsllmError(e);
        emit(errorChunk(err.message, err.code, err.status));
      });
    }
    return {
      cancel() {
        cancelled = true;
        sub?.cancel();
      },
    };
  }

  async #embed(msg: Extract<ToEngine, { type: "embed" }>): Promise<void> {
    const { ctx } = this.#loaded();
    // A reranker's pooled output is its score, not a vector.
    if (ctx.pooling === POOLING.rank)
      throw new TsllmError("this model is a reranker (/api/rerank): it does not produce embeddings", {
        code: "capability",
        status: 400,
      });
    const limit = ctx.nCtx;
    const inputs: number[][] = [];
    for (const i of msg.input) {
      const t = await this.#tokens(i);
      inputs.push(msg.truncate && t.length > limit ? t.slice(0, limit) : t);
    }
    if (this.#ctx !== ctx) throw new TsllmError("model was unloaded", { code: "not_loaded", status: 503 });
    let vectors: Float32Array[];
    try {
      vectors = embedAll(ctx, inputs, limit);
    } finally {
      ctx.parkThreads();
    }
    this.#post({
      type: "result",
      id: msg.id,
      value: {
        embeddings: vectors.map((v) => Array.from(v)),
        prompt_n: inputs.reduce((n, t) => n + t.length, 0),
      },
    });
  }

  /** Scores each document against the query (a rank-pooling model); long texts tokenize off this thread. */
  async #rerank(msg: Extract<ToEngine, { type: "rerank" }>): Promise<void> {
    const { model, ctx } = this.#loaded();
    const tokenizer = this.#tokenizer;
    const inputs = await rerankInputs(rerankFormat(model), msg.query, msg.documents, (text, special) =>
      text.length <= INLINE_TOKENIZE_CHARS || !tokenizer
        ? Array.from(model.vocab.tokenize(text, false, special))
        : tokenizer.tokenize(text, false, special),
    );
    if (this.#ctx !== ctx) throw new TsllmError("model was unloaded", { code: "not_loaded", status: 503 });
    let scores: number[];
    try {
      scores = rankAll(ctx, inputs);
    } finally {
      ctx.parkThreads();
    }
    this.#post({ type: "result", id: msg.id, value: { scores, tokens: inputs.map((t) => t.length) } });
  }

  #handle(msg: ToEngine): void {
    switch (msg.type) {
      case "load":
        // RPC servers join ggml's device list here, on the thread that loads, once the backend is initialised.
        if (msg.options.rpc_servers?.length) {
          registerRpcServers(msg.options.rpc_servers, msg.backend)
            .then(() => this.#load(msg))
            .catch((e) => this.#fail(msg.id, e));
          return;
        }
        return this.#load(msg);
      case "tokenizer":
        this.#tokenizer = new TokenizerClient(msg.port as unknown as Endpoint);
        return;
      case "generate": {
        const id = msg.id;
        const sub = this.#generate(msg.req, msg.returnPromptTokens, (chunk) => {
          if (isLast(chunk)) this.#running.delete(id);
          this.#post({ type: "chunk", id, chunk });
        });
        this.#running.set(id, sub);
        return;
      }
      case "streams":
        this.#streams ??= new StreamServer(msg.path, (req, emit) =>
          this.#generate(toGenerate(req), req.return_prompt_tokens, emit),
        );
        this.#post({ type: "result", id: msg.id, value: {} });
        return;
      case "cancel":
        this.#running.get(msg.target)?.cancel();
        return;
      case "embed":
        this.#embed(msg).catch((e) => this.#fail(msg.id, e));
        return;
      case "rerank":
        this.#rerank(msg).catch((e) => this.#fail(msg.id, e));
        return;
      case "close":
        this.#engine?.close();
        this.#streams?.flush(); // the streams' final "cancel" records, before the process may exit
        this.#engine = null;
        this.#board = null;
        this.#draft?.dispose();
        this.#draft = null;
        this.#projector?.dispose();
        this.#projector = null;
        this.#ctx?.dispose();
        this.#model?.dispose();
        this.#ctx = null;
        this.#model = null;
        this.#post({ type: "result", id: msg.id, value: {} });
        return;
    }
  }
}
