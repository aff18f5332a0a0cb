/**
 * The caller's side of a runner's GET /stream: one WebSocket per runner, completions multiplexed on it by
 * request id. The runner sends one frame per decode step with every stream's new chunk.
 */
import { Channel } from "../channel.ts";
import type { CompletionRequest, StreamFrame, StreamRequest } from "./protocol.ts";

/** A wire record of a completion (a piece, or the final done / error record). */
export type StreamChunk = Record<string, unknown>;

/** One started completion. */
export interface OpenCompletion {
  chunks: AsyncIterable<StreamChunk>;
  /** Stops it (the runner's slot stops at its next decode step); ends `chunks` with `reason`. No-op once done. */
  cancel(reason?: unknown): void;
}

/** Completions over one WebSocket to a runner. */
export class CompletionStream {
  #ws: WebSocket | null = null;
  #opening: Promise<WebSocket> | null = null;
  #nextRid = 1;
  readonly #open = new Map<number, Channel<StreamChunk>>();

  /**
   * @param url ws+unix://<socket>:/stream
   * @param dropped the error to end open streams with when the connection drops (e.g. the runner died)
   */
  constructor(
    private readonly url: string,
    private readonly dropped: () => Promise<Error>,
  ) {}

  /** Sends a completion request; its chunks arrive on the returned iterable. */
  async start(req: CompletionRequest): Promise<OpenCompletion> {
    const ws = await this.#connect();
    const rid = this.#nextRid++;
    const chunks = new Channel<StreamChunk>();
    this.#open.set(rid, chunks);
    this.#send(ws, { op: "completion", rid, req });
    return {
      chunks,
      cancel: (reason?: unknown) => {
        if (!this.#open.delete(rid)) return;
        if (ws.readyState === WebSocket.OPEN) this.#send(ws, { op: "cancel", rid });
        if (reason === undefined) chunks.close();
        else chunks.fail(reason);
      },
    };
  }

  /** Closes the connection; open streams end with the `dropped` error. */
  close(): void {
    this.#ws?.close();
  }

  #send(ws: WebSocket, msg: StreamRequest): void {
    ws.send(JSON.stringify(msg));
  }

  #connect(): Promise<WebSocket> {
    if (this.#ws) return Promise.resolve(this.#ws);
    this.#opening ??= new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.url);
      let opened = false;
      ws.onopen = () => {
        opened = true;
        this.#ws = ws;
        this.#opening = null;
        resolve(ws);
      };
      ws.onmessage = (ev) => this.#receive(ev.data);
      ws.onclose = () => {
        if (this.#ws === ws) this.#ws = null;
        if (opened) return this.#drop();
        this.#opening = null;
        reject(new Error(`cannot connect to ${this.url}`));
      };
    });
    return this.#opening;
  }

  #receive(data: unknown): void {
    const frame = JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data as ArrayBuffer));
    for (const [rid, chunk] of frame as StreamFrame) {
      const ch = this.#open.get(rid);
      if (!ch) continue;
      ch.push(chunk);
      if (chunk.done || chunk.error !== undefined) {
        this.#open.delete(rid);
        ch.close();
      }
    }
  }

  #drop(): void {
    const open = [...this.#open.values()];
    this.#open.clear();
    if (open.length > 0)
      void this.dropped().then((e) => {
        for (const ch of open) ch.fail(e);
      });
  }
}
