/**
 * The runner's HTTP-thread state: load status and progress, and request routing to the engine Worker and the
 * tokenizer Worker (which borrows the engine's vocabulary while a model is loaded).
 */
import { TsllmError } from "../../errors.ts";
import type { SharedCell } from "../../llama/ffi/memory.ts";
import type { Health, LoadOptions, LoadResponse, RunnerSlots } from "../protocol.ts";
import { type BackendInit, type FromEngine, Inbox, type ToEngine, type ToEngineBody } from "./messages.ts";
import { SlotBoard } from "./slot-board.ts";
import { type Endpoint, TokenizerClient } from "./tokenizer-thread.ts";

type Listener = (m: FromEngine) => void;

/** Talks to the engine Worker on behalf of HTTP handlers. */
export class RunnerControl {
  status: Health["status"] = "idle";
  error: string | undefined;
  slotsIdle = 0;
  slotsProcessing = 0;
  #nextId = 1;
  readonly #listeners = new Map<number, Listener>();
  #loadedOptions: LoadOptions | null = null;
  readonly #inbox = new Inbox();
  readonly #tokenizer: TokenizerClient;
  /** The loaded model's slot board (null until a commit succeeds). */
  #board: SlotBoard | null = null;

  constructor(
    private readonly worker: Worker,
    readonly modelPath: string,
    private readonly progressCell: SharedCell,
    private readonly backend: BackendInit,
    tokenizer: Worker,
  ) {
    worker.onmessage = (ev: MessageEvent<FromEngine>) => this.#receive(ev.data);
    worker.onerror = (ev) => {
      this.status = "error";
      this.error = `engine thread failed: ${ev.message}`;
    };
    this.#tokenizer = new TokenizerClient(tokenizer as unknown as Endpoint);
    // The engine hands long prompts to the tokenizer thread directly, over a channel of their own.
    const channel = new MessageChannel();
    tokenizer.postMessage({ type: "port", port: channel.port1 }, [channel.port1]);
    const id = this.#nextId++;
    worker.postMessage({ type: "tokenizer", id, port: channel.port2 } satisfies ToEngine, [channel.port2]);
    this.#inbox.posted();
  }

  #receive(m: FromEngine): void {
    if (m.type === "batch") {
      for (const x of m.msgs) this.#receive(x);
      return;
    }
    if (m.type === "slots") {
      this.slotsIdle = m.idle;
      this.slotsProcessing = m.processing;
      return;
    }
    try {
      this.#listeners.get(m.id)?.(m);
    } catch (e) {
      // One request's listener failing must not take the other requests (or the runner) down.
      this.forget(m.id);
      console.error(`runner: dropping engine message for request ${m.id}: ${(e as Error).message}`);
    }
  }

  /** Load progress 0–1 as the native loader reports it. */
  get progress(): number {
    return this.status === "ready" ? 1 : this.progressCell.progress;
  }

  /** Health snapshot; never waits on the engine. */
  health(): Health {
    return {
      status: this.status,
      progress: this.progress,
      slots_idle: this.slotsIdle,
      slots_processing: this.slotsProcessing,
      ...(this.error ? { error: this.error } : {}),
    };
  }

  /** Slot and KV-cache state; read from shared memory, never waits on the engine. */
  slots(): RunnerSlots {
    if (this.status === "ready" && this.#board) return this.#board.read(this.status);
    return {
      status: this.status,
      kv_cells_used: 0,
      kv_cells_total: 0,
      n_decode: 0,
      n_busy_slots: 0,
      slots: [],
    };
  }

  /** Sends a message and registers a listener for its replies; returns the request id. */
  send(msg: ToEngineBody, listener: Listener): number {
    const id = this.#nextId++;
    this.#listeners.set(id, listener);
    this.#post({ ...msg, id } as ToEngine);
    return id;
  }

  /** Asks the engine to stop request `target` at its next decode step. */
  cancel(target: number): void {
    this.#post({ type: "cancel", id: this.#nextId++, target });
  }

  #post(msg: ToEngine): void {
    this.worker.postMessage(msg);
    this.#inbox.posted();
  }

  /** Has the engine thread serve the stream socket at `path` (see StreamRequest). */
  serveStreams(path: string): void {
    const id = this.send({ type: "streams", path }, (m) => {
      this.forget(id);
      // Completions then fail to connect; say why on stderr, which the parent keeps.
      if (m.type === "error") console.error(`runner: cannot serve the stream socket ${path}: ${m.message}`);
    });
  }

  /** Stops listening to a request id. */
  forget(id: number): void {
    this.#listeners.delete(id);
  }

  /** A request with one answer (result or loaded), or a typed error. */
  call<T>(msg: ToEngineBody): Promise<T> {
    return this.#answer(msg).then((m) => m.value as T);
  }

  #answer(msg: ToEngineBody): Promise<Extract<FromEngine, { type: "result" | "loaded" }>> {
    return new Promise((resolve, reject) => {
      const id = this.send(msg, (m) => {
        this.forget(id);
        if (m.type === "error") reject(new TsllmError(m.message, { code: m.code, status: m.status }));
        else if (m.type === "result" || m.type === "loaded") resolve(m);
      });
    });
  }

  /** Token ids of `content`, from the tokenizer thread (never waits on a decode step). */
  async tokenize(content: string, addSpecial: boolean, parseSpecial: boolean): Promise<number[]> {
    this.#requireReady();
    return this.#tokenizer.tokenize(content, addSpecial, parseSpecial);
  }

  /** The text of token ids, from the tokenizer thread (which checks every id against the vocabulary). */
  async detokenize(tokens: number[]): Promise<string> {
    this.#requireReady();
    return (await this.#tokenizer.call<{ content: string }>({ type: "detokenize", tokens })).content;
  }

  #requireReady(): void {
    if (this.status !== "ready")
      throw new TsllmError("model not loaded", { code: "not_loaded", status: 503 });
  }

  /** Takes the vocabulary back from the tokenizer thread; it finishes what it is doing first. */
  async #detachTokenizer(): Promise<void> {
    await this.#tokenizer.call({ type: "detach" });
  }

  /** Runs a load operation. */
  async load(op: "fit" | "alloc" | "commit" | "close", options: LoadOptions): Promise<LoadResponse> {
    if (op === "close") {
      await this.#detachTokenizer(); // before the engine frees the model it borrows from
      await this.call({ type: "close" });
      this.status = "idle";
      this.#loadedOptions = null;
      this.#board = null;
      return { success: true, layers_offloaded: 0, layers_total: 0, memory: [] };
    }
    if (op === "commit" && this.status === "ready")
      throw new TsllmError("model already loaded", { code: "already_loaded", status: 409 });
    const real = op === "commit";
    const board = real ? SlotBoard.create(options.embedding ? 0 : options.num_parallel) : null;
    if (real) {
      this.status = "loading";
      this.error = undefined;
      this.progressCell.progress = 0;
    }
    try {
      const answer = await this.#answer({
        type: "load",
        model: this.modelPath,
        op: real ? "commit" : "fit",
        options,
        progressCell: this.progressCell.address,
        inbox: this.#inbox.buffer,
        backend: this.backend,
        ...(board ? { slots: board.buffer } : {}),
      });
      const res = answer.value as LoadResponse;
      if (real && answer.type === "loaded" && answer.vocab !== undefined)
        await this.#tokenizer.call({ type: "attach", vocab: answer.vocab, backend: this.backend });
      if (real) {
        this.status = "ready";
        this.#loadedOptions = options;
        this.#board = board;
        this.slotsIdle = options.embedding ? 1 : options.num_parallel;
      }
      return res;
    } catch (e) {
      if (real) {
        this.status = "error";
        this.error = (e as Error).message;
      }
      throw e;
    }
  }

  /** Load options of the loaded model, if any. */
  get loadedOptions(): LoadOptions | null {
    return this.#loadedOptions;
  }

  /** Aborts an in-progress load, ends every stream and closes the model. */
  async shutdown(): Promise<void> {
    this.progressCell.flag = 1;
    if (this.status !== "ready") return;
    const close = async () => {
      await this.#detachTokenizer();
      await this.call({ type: "close" });
    };
    await Promise.race([close(), Bun.sleep(2000)]);
  }
}
