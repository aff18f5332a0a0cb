/**
 * The runner's engine thread: every bun:ffi call happens here so the HTTP thread stays responsive through
 * model loads and long prefills. Runs the continuous-batching loop, yielding to the event loop between
 * steps so new requests and cancellations arrive within one decode step.
 */
import { availableParallelism } from "node:os";
import { TsllmError } from "../../errors.ts";
import { drainNativeLog, initBackend } from "../../llama/engine/backend.ts";
import { BatchEngine, type Submission } from "../../llama/engine/batching/engine.ts";
import { embedAll } from "../../llama/engine/batching/embed.ts";
import { Context } from "../../llama/engine/context.ts";
import { Model } from "../../llama/engine/model.ts";
import { SharedCell } from "../../llama/ffi/memory.ts";
import type { LoadOptions } from "../protocol.ts";
import { fitReport } from "./fit.ts";
import { type FromEngine, Inbox, type ToEngine } from "./messages.ts";
import { StreamServer } from "./stream.ts";
import {
  asTsllmError,
  doneChunk,
  errorChunk,
  isLast,
  pieceChunk,
  toGenerate,
  type WireChunk,
} from "./wire.ts";

declare const self: Worker;

let model: Model | null = null;
let ctx: Context | null = null;
let engine: BatchEngine | null = null;
let embedding = false;
const running = new Map<number, Submission>();
/** Messages from the HTTP thread handled so far, against its posted count in `inbox`. */
let handled = 0;
let inbox: Inbox | null = null;
let streams: StreamServer | null = null;

/** During a step, messages collect here and leave as one: one wake-up of the HTTP thread per decode step. */
let outbox: FromEngine[] | null = null;
const post = (m: FromEngine) => (outbox ? outbox.push(m) : self.postMessage(m));
const flush = () => {
  const msgs = outbox ?? [];
  outbox = null;
  if (msgs.length === 1) self.postMessage(msgs[0]);
  else if (msgs.length > 1) self.postMessage({ type: "batch", msgs } satisfies FromEngine);
};
const fail = (id: number, e: unknown) => {
  const err = asTsllmError(e);
  post({ type: "error", id, message: err.message, code: err.code, status: err.status });
};

function load(msg: Extract<ToEngine, { type: "load" }>): void {
  initBackend(msg.backend);
  inbox = new Inbox(msg.inbox);
  const o = msg.options;
  const cell = new SharedCell(msg.progressCell);
  if (msg.op === "fit") {
    post({ type: "loaded", id: msg.id, value: fitReport(msg.model, o) });
    return;
  }
  model = Model.load(msg.model, {
    nGpuLayers: o.num_gpu,
    mainGpu: o.main_gpu,
    useMmap: o.use_mmap,
    useMlock: o.use_mlock,
    progress: cell,
  });
  embedding = o.embedding;
  ctx = new Context(model, contextOptions(o, model));
  if (!embedding) {
    engine = new BatchEngine(ctx, { nParallel: o.num_parallel, nBatch: o.num_batch });
    void loop(engine);
  }
  post({ type: "loaded", id: msg.id, value: fitReport(msg.model, o, model, ctx) });
}

function contextOptions(o: LoadOptions, m: Model) {
  // num_thread 0 = one thread per core (llama.cpp's own default of 4 oversubscribes small machines).
  const threads = o.num_thread > 0 ? o.num_thread : Math.max(1, availableParallelism());
  const base = {
    nCtx: o.num_ctx,
    nThreads: threads,
    flashAttention: o.flash_attention ? true : ("auto" as const),
    kvType: o.kv_cache_type,
  };
  if (o.embedding) {
    const pooled = m.meta(`${m.meta("general.architecture")}.pooling_type`) !== null;
    return {
      ...base,
      nBatch: o.num_ctx,
      nUbatch: o.num_ctx,
      nSeqMax: o.num_parallel,
      embeddings: true,
      pooling: pooled ? undefined : ("mean" as const),
      kvUnified: true,
    };
  }
  // Between two decode steps the engine samples and writes the step's records: the pool's threads keep
  // spinning through that gap instead of going to sleep and being woken (up to 8% more tokens/s at one
  // stream on a 2-core VM, bench/runner-vs-llama-server.ts; llama.cpp's tools default to 50).
  return { ...base, nBatch: o.num_batch, nSeqMax: o.num_parallel, kvUnified: true, threadPoll: 100 };
}

async function loop(e: BatchEngine): Promise<void> {
  let lastBusy = -1;
  let steps = 0;
  while (engine === e) {
    await e.idle();
    if (engine !== e) break;
    outbox = [];
    e.step();
    if (++steps % 64 === 0) drainNativeLog(); // hands native log lines to the logger when debugging
    if (e.busy !== lastBusy) {
      lastBusy = e.busy;
      post({ type: "slots", idle: e.slots.length - e.busy, processing: e.busy });
    }
    flush();
    streams?.flush();
    // Let queued messages (new requests, cancellations) in between decode steps: only when there are some
    // (a macrotask round trip per step costs ~1% at one stream), and at least every 64 steps regardless.
    // A connected stream socket may hold requests too: then check every step (a cheap event-loop turn).
    if (streams?.connected || inbox?.waiting(handled) !== false || steps % 64 === 0)
      await new Promise((r) => setImmediate(r));
  }
}

function tokens(input: string | number[], addSpecial = true): number[] {
  if (typeof input !== "string") return input;
  return Array.from((model as Model).vocab.tokenize(input, addSpecial, true));
}

/** Submits a completion to the engine; its wire records go to `emit`. Throws if it cannot start. */
function generate(
  req: Extract<ToEngine, { type: "generate" }>["req"],
  returnPromptTokens: boolean | undefined,
  emit: (chunk: WireChunk) => void,
): Submission {
  if (!engine)
    throw new TsllmError(embedding ? "this model runner only serves embeddings" : "model not loaded", {
      code: "not_loaded",
      status: embedding ? 400 : 503,
    });
  const prompt = tokens(req.prompt);
  return engine.submit(
    { ...req, prompt },
    {
      piece: (p) => emit(pieceChunk(p)),
      done: (reason, content, timings) =>
        emit(doneChunk(reason, content, timings, returnPromptTokens ? prompt : undefined)),
      error: (e) => emit(errorChunk(e.message, e.code, e.status)),
    },
  );
}

function handle(msg: ToEngine): void {
  switch (msg.type) {
    case "load":
      return load(msg);
    case "generate": {
      const id = msg.id;
      const sub = generate(msg.req, msg.returnPromptTokens, (chunk) => {
        if (isLast(chunk)) running.delete(id);
        post({ type: "chunk", id, chunk });
      });
      running.set(id, sub);
      return;
    }
    case "streams":
      streams ??= new StreamServer(msg.path, (req, emit) =>
        generate(toGenerate(req), req.return_prompt_tokens, emit),
      );
      post({ type: "result", id: msg.id, value: {} });
      return;
    case "cancel":
      running.get(msg.target)?.cancel();
      return;
    case "embed": {
      if (!ctx || !model) throw new TsllmError("model not loaded", { code: "not_loaded", status: 400 });
      const limit = ctx.nCtx;
      const inputs = msg.input.map((i) => {
        const t = tokens(i);
        return msg.truncate && t.length > limit ? t.slice(0, limit) : t;
      });
      const vectors = embedAll(ctx, inputs, limit);
      post({
        type: "result",
        id: msg.id,
        value: {
          embeddings: vectors.map((v) => Array.from(v)),
          prompt_n: inputs.reduce((n, t) => n + t.length, 0),
        },
      });
      return;
    }
    case "tokenize":
      post({
        type: "result",
        id: msg.id,
        value: {
          tokens: Array.from((model as Model).vocab.tokenize(msg.content, msg.addSpecial, msg.parseSpecial)),
        },
      });
      return;
    case "detokenize":
      post({ type: "result", id: msg.id, value: { content: (model as Model).vocab.detokenize(msg.tokens) } });
      return;
    case "close":
      engine?.close();
      streams?.flush(); // the streams' final "cancel" records, before the process may exit
      engine = null;
      ctx?.dispose();
      model?.dispose();
      ctx = null;
      model = null;
      post({ type: "result", id: msg.id, value: {} });
      return;
  }
}

self.onmessage = (ev: MessageEvent<ToEngine>) => {
  handled++;
  try {
    handle(ev.data);
  } catch (e) {
    fail(ev.data.id, e);
  }
};
