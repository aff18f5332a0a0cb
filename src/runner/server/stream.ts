/**
 * The runner's stream socket, served by the engine thread itself: completions multiplexed on one connection
 * (see StreamRequest), and everything a decode step produced for a connection leaves as one line written
 * straight from this thread after the step — no hop through the HTTP thread, no HTTP chunk per token.
 */
import type { Socket, TCPSocketListener, UnixSocketListener } from "bun";
import { LineChannel } from "../lines.ts";
import {
  type CompletionRequest,
  isLast,
  type StreamFrame,
  StreamRequest,
  type WireChunk,
} from "../protocol.ts";
import { holdPieces } from "./piece-hold.ts";
import { asTsllmError, checked, errorChunk } from "./wire.ts";

/** Starts a completion whose records go to `emit`; throws if it cannot start. */
export type StartCompletion = (
  req: CompletionRequest,
  emit: (chunk: WireChunk) => void,
) => { cancel(): void };

interface Conn {
  lines: LineChannel;
  /** rid → its running request. */
  live: Map<number, { cancel(): void }>;
  /** Records collected since the last flush. */
  frame: StreamFrame;
}

/** Listens on a Unix socket for stream connections. Must run on the engine thread. */
export class StreamServer {
  readonly #conns = new Set<Conn>();
  readonly #listener: UnixSocketListener<Conn> | TCPSocketListener<Conn>;

  constructor(
    path: string,
    private readonly start: StartCompletion,
  ) {
    const gone = (s: Socket<Conn>) => {
      // A caller that goes away cancels its requests: their slots stop at the next decode step.
      for (const r of s.data.live.values()) r.cancel();
      s.data.live.clear();
      this.#conns.delete(s.data);
    };
    this.#listener = Bun.listen<Conn>({
      unix: path,
      socket: {
        open: (s) => {
          const conn: Conn = {
            lines: new LineChannel(s, (l) => this.#request(conn, l)),
            live: new Map(),
            frame: [],
          };
          s.data = conn;
          this.#conns.add(conn);
        },
        data: (s, bytes) => {
          s.data.lines.data(bytes);
          this.flush(); // errors for requests that could not start go out at once
        },
        drain: (s) => s.data.lines.drain(),
        close: gone,
        error: gone,
      },
    });
  }

  /** Whether a caller is connected (the engine loop then checks for requests between every step). */
  get connected(): boolean {
    return this.#conns.size > 0;
  }

  /** Writes each connection's collected records as one line. */
  flush(): void {
    for (const c of this.#conns) {
      if (c.frame.length === 0) continue;
      const frame = c.frame;
      c.frame = [];
      c.lines.send(frame);
    }
  }

  stop(): void {
    this.#listener.stop(true);
  }

  #request(c: Conn, line: string): void {
    let data: unknown;
    let msg: StreamRequest;
    try {
      data = JSON.parse(line);
      msg = checked<StreamRequest>(StreamRequest, data);
    } catch (e) {
      // A request whose rid cannot be read is answered on rid -1.
      const rid = (data as { rid?: unknown } | undefined)?.rid;
      const why = e instanceof SyntaxError ? "stream request is not valid JSON" : asTsllmError(e).message;
      c.frame.push([typeof rid === "number" ? rid : -1, errorChunk(why, "bad_request", 400)]);
      return;
    }
    if (msg.op === "cancel") {
      c.live.get(msg.rid)?.cancel();
      return;
    }
    const rid = msg.rid;
    let ended = false;
    const send = holdPieces(msg.req.hold_ms ?? 0, (chunk) => c.frame.push([rid, chunk]));
    try {
      const run = this.start(msg.req, (chunk) => {
        if (isLast(chunk)) {
          ended = true;
          c.live.delete(rid);
        }
        send(chunk);
      });
      if (!ended) c.live.set(rid, run);
    } catch (e) {
      const err = asTsllmError(e);
      c.frame.push([rid, errorChunk(err.message, err.code, err.status)]);
    }
  }
}
