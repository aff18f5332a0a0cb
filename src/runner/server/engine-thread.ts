/**
 * What the runner's engine thread holds and does: the loaded model, its context and continuous-batching
 * engine, the stream socket, and the routing of the HTTP thread's messages. Every bun:ffi call happens on
 * this thread so the HTTP thread stays responsive through model loads and long prefills.
 */
import { TsllmError } from "../../errors.ts";
import { drainNativeLog, initBackend } from "../../llama/engine/backend.ts";
import { BatchEngine, type Submission } from "../../llama/engine/batching/engine.ts";
import { embedAll } from "../../llama/engine/batching/embed.ts";
import { Context } from "../../llama/engine/context.ts";
import { Model } from "../../llama/engine/model.ts";
import { SharedCell } from "../../llama/ffi/memory.ts";
import { contextOptions } from "./context-options.ts";
import { fitReport } from "./fit.ts";
import { type FromEngine, Inbox, type ToEngine } from "./messages.ts";
import { StreamServer } from "./stream.ts";
import { isLast, type WireChunk } from "../protocol.ts";
import { asTsllmError, doneChunk, errorChunk, pieceChunk, toGenerate } from "./wire.ts";

type GenerateMsg = Extract<ToEngine, { type: "generate" }>;

/** The engine thread's state and message handling. */
export class EngineThread {
  #model: Model | null = null;
  #ctx: Context | null = null;
  #engine: BatchEngine | null = null;
  #embedding = false;
  readonly #running = new Map<number, Submission>();
  /** Messages from the HTTP thread handled so far, against its posted count in `#inbox`. */
  #handled = 0;
  #inbox: Inbox | null = null;
  #streams: StreamServer | null = null;
  /** During a step, messages collect here and leave as one: one wake-up of the HTTP thread per step. */
  #outbox: FromEngine[] | null = null;

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
    this.#model = model;
    this.#ctx = ctx;
    this.#embedding = o.embedding;
    if (!o.embedding) {
      const engine = new BatchEngine(ctx, { nParallel: o.num_parallel, nBatch: o.num_batch });
      this.#engine = engine;
      void this.#loop(engine);
    }
    this.#post({ type: "loaded", id: msg.id, value: fitReport(msg.model, o, model, ctx) });
  }

  async #loop(e: BatchEngine): Promise<void> {
    let lastBusy = -1;
    let steps = 0;
    while (this.#engine === e) {
      await e.idle();
      if (this.#engine !== e) break;
      this.#outbox = [];
      e.step();
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

  #tokens(input: string | number[], addSpecial = true): number[] {
    if (typeof input !== "string") return input;
    return Array.from(this.#loaded().model.vocab.tokenize(input, addSpecial, true));
  }

  #loaded(): { model: Model; ctx: Context } {
    if (!this.#model || !this.#ctx)
      throw new TsllmError("model not loaded", { code: "not_loaded", status: 503 });
    return { model: this.#model, ctx: this.#ctx };
  }

  /** Submits a completion to the engine; its wire records go to `emit`. Throws if it cannot start. */
  #generate(req: GenerateMsg["req"], returnPromptTokens: boolean | undefined, emit: (c: WireChunk) => void) {
    if (!this.#engine)
      throw new TsllmError(
        this.#embedding ? "this model runner only serves embeddings" : "model not loaded",
        {
          code: "not_loaded",
          status: this.#embedding ? 400 : 503,
        },
      );
    const prompt = this.#tokens(req.prompt);
    return this.#engine.submit(
      { ...req, prompt },
      {
        piece: (p) => emit(pieceChunk(p)),
        done: (reason, content, timings, stopSequence) =>
          emit(doneChunk(reason, content, timings, returnPromptTokens ? prompt : undefined, stopSequence)),
        error: (e) => emit(errorChunk(e.message, e.code, e.status)),
      },
    );
  }

  #handle(msg: ToEngine): void {
    switch (msg.type) {
      case "load":
        return this.#load(msg);
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
      case "embed": {
        const { ctx } = this.#loaded();
        const limit = ctx.nCtx;
        const inputs = msg.input.map((i) => {
          const t = this.#tokens(i);
          return msg.truncate && t.length > limit ? t.slice(0, limit) : t;
        });
        const vectors = embedAll(ctx, inputs, limit);
        this.#post({
          type: "result",
          id: msg.id,
          value: {
            embeddings: vectors.map((v) => Array.from(v)),
            prompt_n: inputs.reduce((n, t) => n + t.length, 0),
          },
        });
        return;
      }
      case "tokenize": {
        const vocab = this.#loaded().model.vocab;
        const tokens = Array.from(vocab.tokenize(msg.content, msg.addSpecial, msg.parseSpecial));
        this.#post({ type: "result", id: msg.id, value: { tokens } });
        return;
      }
      case "detokenize":
        this.#post({
          type: "result",
          id: msg.id,
          value: { content: this.#loaded().model.vocab.detokenize(msg.tokens) },
        });
        return;
      case "close":
        this.#engine?.close();
        this.#streams?.flush(); // the streams' final "cancel" records, before the process may exit
        this.#engine = null;
        this.#ctx?.dispose();
        this.#model?.dispose();
        this.#ctx = null;
        this.#model = null;
        this.#post({ type: "result", id: msg.id, value: {} });
        return;
    }
  }
}
