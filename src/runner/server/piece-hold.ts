/**
 * Holding back a completion's pieces for a caller that reads the answer only at its end (CompletionRequest
 * hold_ms): the first piece goes at once (time to first token stays true), later ones are merged and leave
 * at most every `ms`, and whatever is held goes out just before the final record. Each piece written to the
 * stream socket wakes the runner's engine thread and serve for a syscall and a JSON line; at one stream on 2
 * cores that CPU came out of the decode (16–19 ms per step → 15.6–16.4 with 100 ms holds).
 */
import { isLast, type WireChunk } from "../protocol.ts";

/** Wraps `send` so that pieces are held and merged as above; `ms` 0 passes everything through. */
export function holdPieces(ms: number, send: (chunk: WireChunk) => void): (chunk: WireChunk) => void {
  if (ms <= 0) return send;
  let held: WireChunk | null = null;
  let sentAt = -1;
  return (chunk) => {
    if (isLast(chunk)) {
      if (held) send(held);
      held = null;
      send(chunk);
      return;
    }
    held = held ? mergePieces(held, chunk) : chunk;
    const now = performance.now();
    if (sentAt >= 0 && now - sentAt < ms) return;
    sentAt = now;
    send(held);
    held = null;
  };
}

/** Two consecutive pieces as one: texts, token ids and log-probabilities in order. */
export function mergePieces(a: WireChunk, b: WireChunk): WireChunk {
  const list = (x: unknown) => (Array.isArray(x) ? x : []);
  const out: WireChunk = { content: `${a.content ?? ""}${b.content ?? ""}` };
  if (a.tokens !== undefined || b.tokens !== undefined) out.tokens = [...list(a.tokens), ...list(b.tokens)];
  if (a.logprobs !== undefined || b.logprobs !== undefined)
    out.logprobs = [...list(a.logprobs), ...list(b.logprobs)];
  return out;
}
