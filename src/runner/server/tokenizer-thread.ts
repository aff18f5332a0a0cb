/**
 * The runner's tokenizer thread: tokenizes long texts and detokenizes with the loaded model's vocabulary, so
 * that a huge prompt (seconds of llama_tokenize) never holds up the engine thread's decode steps. It borrows
 * the engine's vocabulary by pointer: llama_tokenize and llama_detokenize only read the vocabulary (llama-server
 * tokenizes in its HTTP threads while its main loop decodes), and the control thread detaches it before the
 * engine frees the model.
 */
import { TsllmError } from "../../errors.ts";
import { initBackend } from "../../llama/engine/backend.ts";
import { Vocab } from "../../llama/engine/vocab.ts";
import type { Ptr } from "../../llama/ffi/memory.ts";
import type { BackendInit } from "./messages.ts";
import { asTsllmError } from "./wire.ts";

/** A request to the tokenizer thread (from the control thread, or the engine's port). */
export type ToTokenizer =
  | { type: "attach"; id: number; vocab: number; backend: BackendInit }
  | { type: "detach"; id: number }
  | { type: "tokenize"; id: number; content: string; addSpecial: boolean; parseSpecial: boolean }
  | { type: "detokenize"; id: number; tokens: number[] };

/** Its answer, on the channel the request came by. */
export type FromTokenizer =
  | { type: "result"; id: number; value: unknown }
  | { type: "error"; id: number; message: string; code: string; status: number };

/** A tokenizer request before its id is assigned. */
export type TokenizerBody = ToTokenizer extends infer M
  ? M extends ToTokenizer
    ? Omit<M, "id">
    : never
  : never;

/** The tokenizer thread's state: the borrowed vocabulary, if attached. */
export class TokenizerThread {
  #vocab: Vocab | null = null;

  /** Answers one request; a failure is an error answer for its id. */
  handle(msg: ToTokenizer): FromTokenizer {
    try {
      return { type: "result", id: msg.id, value: this.#run(msg) };
    } catch (e) {
      const err = asTsllmError(e);
      return { type: "error", id: msg.id, message: err.message, code: err.code, status: err.status };
    }
  }

  #run(msg: ToTokenizer): unknown {
    switch (msg.type) {
      case "attach":
        initBackend(msg.backend);
        this.#vocab = new Vocab(msg.vocab as Ptr);
        return {};
      case "detach":
        this.#vocab = null;
        return {};
      case "tokenize":
        return {
          tokens: Array.from(this.#attached().tokenize(msg.content, msg.addSpecial, msg.parseSpecial)),
        };
      case "detokenize":
        return { content: this.#attached().detokenize(msg.tokens) };
    }
  }

  #attached(): Vocab {
    if (!this.#vocab) throw new TsllmError("model not loaded", { code: "not_loaded", status: 503 });
    return this.#vocab;
  }
}

/** Anything messages go to and come from: the tokenizer Worker, or a MessagePort to it. */
export interface Endpoint {
  postMessage(msg: unknown): void;
  onmessage: ((ev: MessageEvent) => void) | null;
}

/** Calls the tokenizer thread over one endpoint; each call resolves with its result or rejects with its error. */
export class TokenizerClient {
  #nextId = 1;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  constructor(private readonly endpoint: Endpoint) {
    endpoint.onmessage = (ev: MessageEvent<FromTokenizer>) => {
      const m = ev.data;
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.type === "error") p.reject(new TsllmError(m.message, { code: m.code, status: m.status }));
      else p.resolve(m.value);
    };
  }

  /** Sends a request and waits for its answer. */
  call<T>(body: TokenizerBody): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.endpoint.postMessage({ ...body, id });
    });
  }

  /** Tokenizes `content` on the tokenizer thread. */
  async tokenize(content: string, addSpecial: boolean, parseSpecial: boolean): Promise<number[]> {
    return (await this.call<{ tokens: number[] }>({ type: "tokenize", content, addSpecial, parseSpecial }))
      .tokens;
  }
}

/** Serves the tokenizer thread: requests from the control thread on `self`, from the engine on a port it sends. */
export function serveTokenizer(self: Endpoint): void {
  const thread = new TokenizerThread();
  self.onmessage = (ev: MessageEvent) => {
    const data = ev.data as ToTokenizer | { type: "port"; port: MessagePort };
    if (data.type === "port") {
      const port = data.port;
      port.onmessage = (m) => port.postMessage(thread.handle(m.data as ToTokenizer));
      return;
    }
    self.postMessage(thread.handle(data));
  };
}
