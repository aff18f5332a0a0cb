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

  /**
   * Feed from the socket's `data` handler. Only the new text is searched for a newline: a long line (a
   * multi-megabyte prompt arrives in 64 KiB reads) would otherwise be rescanned on every read.
   */
  data(bytes: Uint8Array): void {
    const chunk = this.#dec.decode(bytes, { stream: true });
    let nl = chunk.indexOf("\n");
    if (nl < 0) {
      this.#in += chunk;
      return;
    }
    let text = this.#in + chunk;
    nl += this.#in.length;
    let start = 0;
    for (; nl >= 0; nl = text.indexOf("\n", start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      if (line) this.onLine(line);
    }
    text = text.slice(start);
    this.#in = text;
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
