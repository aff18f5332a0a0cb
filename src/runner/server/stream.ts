/**
 * GET /stream: completions multiplexed over one WebSocket (see StreamRequest in protocol.ts). Every chunk
 * the engine produces in one decode step leaves in one frame per connection, so the cost on this thread
 * and on the caller is one message per step, not one HTTP chunk per stream per token.
 */
import type { ServerWebSocket, WebSocketHandler } from "bun";
import { StreamRequest, type StreamFrame } from "../protocol.ts";
import type { RunnerControl } from "./control.ts";
import { asTsllmError, checked, startCompletion } from "./routes.ts";

/** Per-connection state: live requests (rid → engine id) and the frame being collected. */
export interface StreamConn {
  live: Map<number, number>;
  frame: StreamFrame;
  flushing: boolean;
}

/** A fresh connection state, for server.upgrade(req, { data }). */
export const newStreamConn = (): StreamConn => ({ live: new Map(), frame: [], flushing: false });

function emit(ws: ServerWebSocket<StreamConn>, rid: number, chunk: Record<string, unknown>): void {
  const c = ws.data;
  c.frame.push([rid, chunk]);
  if (c.flushing) return;
  c.flushing = true;
  // The engine's step arrives as one batch message handled synchronously: flush once it is all queued.
  queueMicrotask(() => {
    c.flushing = false;
    const frame = c.frame;
    c.frame = [];
    if (ws.readyState === 1) ws.send(JSON.stringify(frame));
  });
}

function handle(control: RunnerControl, ws: ServerWebSocket<StreamConn>, text: string): void {
  let data: unknown;
  let msg: StreamRequest;
  try {
    data = JSON.parse(text);
    msg = checked<StreamRequest>(StreamRequest, data);
  } catch (e) {
    // A request whose rid cannot be read is answered on rid -1.
    const rid = (data as { rid?: unknown } | undefined)?.rid;
    const err = e instanceof SyntaxError ? { message: "stream message is not valid JSON" } : asTsllmError(e);
    return emit(ws, typeof rid === "number" ? rid : -1, {
      error: err.message,
      code: "bad_request",
      status: 400,
    });
  }
  const live = ws.data.live;
  if (msg.op === "cancel") {
    const id = live.get(msg.rid);
    if (id !== undefined) control.cancel(id);
    return;
  }
  const rid = msg.rid;
  try {
    const id = startCompletion(control, msg.req, (chunk, last) => {
      if (last) live.delete(rid);
      emit(ws, rid, chunk);
    });
    live.set(rid, id);
  } catch (e) {
    const err = asTsllmError(e);
    emit(ws, rid, { error: err.message, code: err.code, status: err.status });
  }
}

/** The WebSocket handlers for GET /stream. */
export function streamHandlers(control: RunnerControl): WebSocketHandler<StreamConn> {
  return {
    message: (ws, m) => handle(control, ws, typeof m === "string" ? m : new TextDecoder().decode(m)),
    // A caller that goes away cancels its requests: their slots stop at the next decode step.
    close: (ws) => {
      for (const id of ws.data.live.values()) control.cancel(id);
      ws.data.live.clear();
    },
    // Frames are small and frequent: no per-message compression, no idle timeout during long prefills.
    perMessageDeflate: false,
    idleTimeout: 0,
  };
}
