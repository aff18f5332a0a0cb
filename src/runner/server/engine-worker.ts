/**
 * The runner's engine Worker (entry point): one EngineThread receiving the HTTP thread's messages. Its
 * batching loop yields to this thread's event loop between decode steps, so new requests and
 * cancellations arrive within one step.
 */
import { EngineThread } from "./engine-thread.ts";
import type { ToEngine } from "./messages.ts";

declare const self: Worker;

const thread = new EngineThread((m) => self.postMessage(m));
self.onmessage = (ev: MessageEvent<ToEngine>) => thread.receive(ev.data);
