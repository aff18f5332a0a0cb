/**
 * The runner's Worker entry point, in one of two roles (workerData.role): the engine (default: one
 * EngineThread receiving the control thread's messages; its batching loop yields to this thread's event loop
 * between decode steps, so new requests and cancellations arrive within one step) or the tokenizer (see
 * tokenizer-thread.ts). One entry for both keeps the compiled executable's worker list unchanged.
 */
import { workerData } from "node:worker_threads";
import { EngineThread } from "./engine-thread.ts";
import type { ToEngine } from "./messages.ts";
import { type Endpoint, serveTokenizer } from "./tokenizer-thread.ts";

declare const self: Worker;

if ((workerData as { role?: string } | null)?.role === "tokenizer")
  serveTokenizer(self as unknown as Endpoint);
else {
  const thread = new EngineThread((m) => self.postMessage(m));
  self.onmessage = (ev: MessageEvent<ToEngine>) => thread.receive(ev.data);
}
