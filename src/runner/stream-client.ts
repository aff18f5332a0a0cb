/**
 * The caller's side of a runner's stream socket (see streamSocketPath): one connection per runner,
 * completions multiplexed on it by request id; the runner sends one line per decode step with every
 * stream's new records.
 */
import type { Socket } from "bun";
import { Channel } from "../channel.ts";
import { LineChannel } from "./lines.ts";
import {
  type CompletionRequest,
  isLast,
  type StreamFrame,
  type StreamRequest,
  type WireChunk,
} from "./protocol.ts";

/** One started completion. */
export interface OpenCompletion {
  chunks: AsyncIterable<WireChunk>;
  /** Stops it (the runner's slot stops at its next decode step); ends `chunks` with `reason`. No-op once done. */
  cancel(reason?: unknown): void;
  /** Asks the runner to end it early; unlike `cancel`, its final record (done_reason "cancel") still arrives. */
  stop(): void;
}

/** Completions over one connection to a runner's stream socket. */
export class CompletionStream {
  #conn: Promise<LineChannel> | null = null;
  #nextRid = 1;
  readonly #open = new Map<number, Channel<WireChunk>>();

  /**
   * @param path the runner's stream socket
   * @param dropped the error to end open streams with when the connection drops (e.g. the runner died)
   */
  constructor(
    private readonly path: string,
    private readonly dropped: () => Promise<Error>,
  ) {}

  /** Sends a completion request; its records arrive on the returned iterable. */
  async start(req: CompletionRequest): Promise<OpenCompletion> {
    const lines = await this.#connect();
    const rid = this.#nextRid++;
    const chunks = new Channel<WireChunk>();
    this.#open.set(rid, chunks);
    lines.send({ op: "completion", rid, req } satisfies StreamRequest);
    return {
      chunks,
      cancel: (reason?: unknown) => {
        if (!this.#open.delete(rid)) return;
        lines.send({ op: "cancel", rid } satisfies StreamRequest);
        if (reason === undefined) chunks.close();
        else chunks.fail(reason);
      },
      stop: () => {
        if (this.#open.has(rid)) lines.send({ op: "cancel", rid } satisfies StreamRequest);
      },
    };
  }

  #connect(): Promise<LineChannel> {
    this.#conn ??= Bun.connect<LineChannel>({
      unix: this.path,
      socket: {
        open: (s) => {
          s.data = new LineChannel(s as Socket<unknown>, (l) => this.#receive(l));
        },
        data: (s, bytes) => s.data.data(bytes),
        drain: (s) => s.data.drain(),
        close: () => this.#drop(),
        error: () => this.#drop(),
      },
    }).then(
      (s) => s.data,
      (e) => {
        this.#conn = null;
        throw e;
      },
    );
    return this.#conn;
  }

  #receive(line: string): void {
    for (const [rid, chunk] of JSON.parse(line) as StreamFrame) {
      const ch = this.#open.get(rid);
      if (!ch) continue;
      ch.push(chunk);
      if (isLast(chunk)) {
        this.#open.delete(rid);
        ch.close();
      }
    }
  }

  #drop(): void {
    this.#conn = null;
    const open = [...this.#open.values()];
    this.#open.clear();
    if (open.length > 0)
      void this.dropped().then((e) => {
        for (const ch of open) ch.fail(e);
      });
  }
}
