/** Keeps the last few KiB of a child's stderr (for crash reports) and mirrors it to ours when asked. */
export class StderrTail {
  #text = "";

  constructor(
    private readonly max = 16 * 1024,
    private readonly mirror: ((chunk: string) => void) | null = null,
  ) {}

  /** Reads the stream to its end. */
  async consume(stream: ReadableStream<Uint8Array>): Promise<void> {
    const dec = new TextDecoder();
    for await (const chunk of stream) {
      const s = dec.decode(chunk, { stream: true });
      this.mirror?.(s);
      this.#text = (this.#text + s).slice(-this.max);
    }
  }

  /** The kept text. */
  text(): string {
    return this.#text;
  }
}
