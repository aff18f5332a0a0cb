/** Streams token bytes into text without ever splitting a multi-byte UTF-8 character. */
export class Utf8Stream {
  #pending = new Uint8Array(0);
  readonly #decoder = new TextDecoder("utf-8", { fatal: false });

  /** Adds bytes; returns the text of every complete character so far. */
  push(bytes: Uint8Array): string {
    const all = new Uint8Array(this.#pending.length + bytes.length);
    all.set(this.#pending);
    all.set(bytes, this.#pending.length);
    const cut = completePrefix(all);
    this.#pending = all.slice(cut);
    return this.#decoder.decode(all.subarray(0, cut));
  }

  /** Whatever is left (invalid trailing bytes become U+FFFD). */
  flush(): string {
    const rest = this.#pending;
    this.#pending = new Uint8Array(0);
    return rest.length ? this.#decoder.decode(rest) : "";
  }
}

/** Length of the longest prefix that does not end inside an unfinished multi-byte sequence. */
function completePrefix(b: Uint8Array): number {
  // Look back at most 3 bytes for a lead byte whose sequence is not complete yet.
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const c = b[b.length - back] as number;
    if ((c & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return need > back ? b.length - back : b.length;
  }
  return b.length;
}
