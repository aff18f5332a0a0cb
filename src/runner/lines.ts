/**
 * Newline-delimited JSON over a Bun socket, for the runner's stream socket (both ends): incoming bytes are
 * split into lines, and what the kernel does not take at once is queued until the socket drains.
 */
import type { Socket } from "bun";

const enc = new TextEncoder();

export class LineChannel {
  #in = "";
  readonly #dec = new TextDecoder();
  readonly #out: Uint8Array[] = [];

  constructor(
    private readonly socket: Socket<unknown>,
    private readonly onLine: (line: string) => void,
  ) {}

  /** Feed from the socket's `data` handler. */
  data(bytes: Uint8Array): void {
    this.#in += this.#dec.decode(bytes, { stream: true });
    let start = 0;
    for (let nl = this.#in.indexOf("\n"); nl >= 0; nl = this.#in.indexOf("\n", start)) {
      const line = this.#in.slice(start, nl);
      start = nl + 1;
      if (line) this.onLine(line);
    }
    this.#in = this.#in.slice(start);
  }

  /** Sends one value as a JSON line. */
  send(value: unknown): void {
    const bytes = enc.encode(`${JSON.stringify(value)}\n`);
    if (this.#out.length > 0) {
      this.#out.push(bytes);
      return;
    }
    const n = this.socket.write(bytes);
    if (n < bytes.length) this.#out.push(bytes.subarray(Math.max(0, n)));
  }

  /** Call from the socket's `drain` handler. */
  drain(): void {
    while (this.#out.length > 0) {
      const b = this.#out[0] as Uint8Array;
      const n = this.socket.write(b);
      if (n < b.length) {
        this.#out[0] = b.subarray(Math.max(0, n));
        return;
      }
      this.#out.shift();
    }
  }
}
