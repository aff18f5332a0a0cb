/** Messages between the runner's HTTP thread and its engine Worker. */
import type { LoadOptions, LoadResponse } from "../protocol.ts";
import type { GenerateInput } from "./validate.ts";
import type { WireChunk } from "../protocol.ts";

/** HTTP thread → engine. */
export type ToEngine =
  | {
      type: "load";
      id: number;
      model: string;
      op: "fit" | "commit";
      options: LoadOptions;
      progressCell: number;
      /** Int32 counter of messages the HTTP thread has posted (see Inbox). */
      inbox: SharedArrayBuffer;
      backend: BackendInit;
      /** Commit only: the slot board (see slot-board.ts) the engine writes after each step. */
      slots?: SharedArrayBuffer;
    }
  | {
      type: "generate";
      id: number;
      req: GenerateInput;
      returnPromptTokens?: boolean;
    }
  | { type: "cancel"; id: number; target: number }
  /** The port to the tokenizer thread (see tokenizer-thread.ts), sent once at start. */
  | { type: "tokenizer"; id: number; port: MessagePort }
  /** Serve the stream socket at `path` from the engine thread. */
  | { type: "streams"; id: number; path: string }
  | { type: "embed"; id: number; input: (string | number[])[]; truncate: boolean }
  | { type: "rerank"; id: number; query: string; documents: string[] }
  | { type: "close"; id: number };

/** A message to the engine before the control thread assigns its id. */
export type ToEngineBody = ToEngine extends infer M ? (M extends ToEngine ? Omit<M, "id"> : never) : never;

/** Engine → HTTP thread. */
export type FromEngine =
  /** A completion's wire record; the one with done or error is its last. */
  | { type: "chunk"; id: number; chunk: WireChunk }
  | { type: "error"; id: number; message: string; code: string; status: number }
  | { type: "result"; id: number; value: unknown }
  /** A load done; a committed model's vocabulary pointer goes with it, for the tokenizer thread to borrow. */
  | { type: "loaded"; id: number; value: LoadResponse; vocab?: number }
  | { type: "slots"; idle: number; processing: number }
  | { type: "batch"; msgs: FromEngine[] };

/** How the worker loads libllama (resolved on the HTTP thread from the env registry). */
export interface BackendInit {
  variant?: string;
  libDir?: string;
  cacheDir: string;
  verbose: boolean;
}

/**
 * How many messages the HTTP thread has posted to the engine, in shared memory. The engine compares it with
 * how many it has handled and yields to its event loop between decode steps only when something is waiting,
 * instead of paying a macrotask round trip on every step.
 */
export class Inbox {
  readonly #posted: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4)) {
    this.#posted = new Int32Array(buffer);
  }

  /** HTTP thread: call after each postMessage to the engine. */
  posted(): void {
    Atomics.add(this.#posted, 0, 1);
  }

  /** Engine: whether messages posted so far outnumber `handled`. */
  waiting(handled: number): boolean {
    return Atomics.load(this.#posted, 0) !== handled;
  }
}
