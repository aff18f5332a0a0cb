/**
 * Parse worker (entry point). It collects the chunks of several bodies at once (each under its id, sent as
 * they arrive at the server), and on a body's end joins and parses it with parseJsonBytes and posts the
 * outcome back as a flat message (hoist.ts: big strings as fields, the rest as a JSON skeleton), which costs
 * the server's thread little to receive. It announces itself once started, so the pool knows it runs.
 */
import { type Hoisted, hoistStrings } from "./hoist.ts";
import { type ParseOutcome, parseJsonBytes } from "./parse-json.ts";
import { type BodyChunks, joinChunks } from "./read-body.ts";

declare const self: Worker;

/** What the pool sends: a body's next chunk (transferred), its end, or its abandonment. */
export type ToParser =
  | { kind: "chunk"; id: number; chunk: Uint8Array }
  | { kind: "end"; id: number; maxDepth: number }
  | { kind: "abort"; id: number };

/** What the worker posts: `ready` once, then one flat reply per ended body. */
export type ParseReply =
  | { ready: true }
  | ({ id: number } & Extract<ParseOutcome, { ok: false }>)
  | ({ id: number; ok: true } & Hoisted);

const bodies = new Map<number, BodyChunks>();

self.onmessage = (ev: MessageEvent<ToParser>) => {
  const m = ev.data;
  if (m.kind === "abort") {
    bodies.delete(m.id);
    return;
  }
  let body = bodies.get(m.id);
  if (!body) {
    body = { chunks: [], size: 0 };
    bodies.set(m.id, body);
  }
  if (m.kind === "chunk") {
    body.chunks.push(m.chunk);
    body.size += m.chunk.byteLength;
    return;
  }
  bodies.delete(m.id);
  const o = parseJsonBytes(joinChunks(body), m.maxDepth);
  const reply: ParseReply = o.ok ? { id: m.id, ok: true, ...hoistStrings(o.value) } : { id: m.id, ...o };
  self.postMessage(reply);
};
self.postMessage({ ready: true } satisfies ParseReply);
